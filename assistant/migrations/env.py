"""Alembic environment: migrations always run on a connection auditprep hands over
(``assistant.db.upgrade``), never from an ini file, so there is one way to run them."""

from __future__ import annotations

from alembic import context

from assistant.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
