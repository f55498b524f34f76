"""Schema migrations of the store (Alembic).

Features keep their own branch of revisions on top of ``0001`` (branch_labels), so that
``upgrade heads`` brings every feature's tables; ``guichet init`` runs it.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database) -> None:
    with database.engine.begin() as connection:
        command.upgrade(alembic_config(database.url, connection), "heads")
