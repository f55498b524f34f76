"""The communes branch of migrations creates exactly the tables the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from guichet.communes import models
from guichet.db import Base, Database

TABLES = {models.Region.__tablename__, models.Department.__tablename__, models.Epci.__tablename__,
          models.Commune.__tablename__, models.CommuneAlias.__tablename__, models.ReferenceVersion.__tablename__}


def test_migrated_store_matches_the_commune_models(migrated_store):
    import guichet.models  # noqa: F401  (every table in the metadata)

    database = Database(f"sqlite:///{migrated_store}")
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.dispose()

    def table_of(difference):
        if isinstance(difference, list):
            return table_of(difference[0])
        for item in difference[1:]:
            if isinstance(item, str):
                if item in TABLES:
                    return item  # ("add_column", schema, table name, column) ...
                continue
            table = getattr(item, "table", None)
            if table is not None:
                return table.name  # an index, a column or a constraint of a table
            if getattr(item, "name", None) in TABLES:
                return item.name  # a whole table
        return None

    assert [difference for difference in differences if table_of(difference) in TABLES] == []
    with database.engine.connect() as connection:
        from sqlalchemy import inspect

        assert TABLES <= set(inspect(connection).get_table_names())
