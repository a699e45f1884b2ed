"""Which ingest root each document came from, so a folder ingest prunes only its own.

``source_root`` is the resolved folder(s) of a folder ingest, or ``files`` for documents
added one by one (API uploads, ``auditprep ingest FILE``), which no folder ingest removes.
Rows from before this revision have none and are pruned as before.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "source_root" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("documents")}:
        return  # a database adopted by 0001 from tables that already had it
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("source_root", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("source_root")
