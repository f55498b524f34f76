"""The search branch of migrations adds the programme's ``language`` as the model has it."""

from sqlalchemy import inspect

from guichet.db import Database


def test_migrated_store_has_the_programme_language(migrated_store):
    database = Database(f"sqlite:///{migrated_store}")
    try:
        with database.engine.connect() as connection:
            columns = {column["name"]: column for column in inspect(connection).get_columns("programmes")}
    finally:
        database.dispose()
    assert "language" in columns and columns["language"]["nullable"]
