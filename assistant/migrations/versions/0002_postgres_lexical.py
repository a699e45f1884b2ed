"""The lexical index in PostgreSQL: chunks with a stored ``tsvector`` and a GIN index.

Only on PostgreSQL; SQLite deployments keep their FTS5 file (``lexical.sqlite``). The
text is weighted A and the title/section context B, like FTS5's column weights, and the
``english`` configuration stems like FTS5's porter tokenizer.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE TABLE lexical_chunks (
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            document_id TEXT NOT NULL,
            metadata JSONB NOT NULL,
            text TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '',
            tsv TSVECTOR GENERATED ALWAYS AS (
                setweight(to_tsvector('english', text), 'A')
                || setweight(to_tsvector('english', context), 'B')
            ) STORED,
            PRIMARY KEY (collection, id)
        )
        """
    )
    op.execute("CREATE INDEX lexical_chunks_document ON lexical_chunks (collection, document_id)")
    op.execute("CREATE INDEX lexical_chunks_tsv ON lexical_chunks USING GIN (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS lexical_chunks")
