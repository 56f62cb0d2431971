"""Alembic environment: runs on the connection that server.migrate hands over."""

from alembic import context

from server.db import db

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
