"""Serving state every node shares: the stored readiness report, rate-limit counters and
the originals of uploaded files, which each node used to keep on its own disk.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "uploaded_files",
        sa.Column("workspace", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("stored_at", tz, nullable=False),
    )
    op.create_table(
        "readiness_reports",
        sa.Column("workspace", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.Column("stored_at", tz, nullable=False),
    )
    op.create_table(
        "rate_counters",
        sa.Column("front", sa.String(16), primary_key=True),
        sa.Column("caller", sa.String(200), primary_key=True),
        sa.Column("window", sa.Integer, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_rate_counters_window", "rate_counters", ["window"])


def downgrade() -> None:
    op.drop_index("ix_rate_counters_window", table_name="rate_counters")
    op.drop_table("rate_counters")
    op.drop_table("readiness_reports")
    op.drop_table("uploaded_files")
