"""Alembic environment: the store's URL comes from the application's configuration."""

from alembic import context

import guichet.models  # noqa: F401  (registers every table)
from guichet.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations():
    connection = config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
