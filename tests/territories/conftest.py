"""Territories fixtures: the FULL commune reference with every official list loaded, once per
session, into a store template that tests copy; and the small reference with the lists."""

import shutil

import pytest

from guichet.db import Database
from guichet.territories.loader import load_territories
from tests.communes.conftest import FIXTURE_DATA, FULL_DATA, full_reference_store  # noqa: F401


@pytest.fixture(scope="session")
def territories_store(full_reference_store, tmp_path_factory):  # noqa: F811
    """A migrated store holding the full commune reference and every official list."""
    path = tmp_path_factory.mktemp("territories") / "full.sqlite3"
    shutil.copy(full_reference_store, path)
    database = Database(f"sqlite:///{path}")
    result = load_territories(database, tmp_path_factory.mktemp("instance"))
    database.dispose()
    assert result.loaded and result.communes > 34_000
    return path


def with_territories(app_config: dict, territories_store, tmp_path) -> dict:
    store = tmp_path / "full.sqlite3"
    shutil.copy(territories_store, store)
    return {**app_config, "DATABASE_URL": f"sqlite:///{store}", "COMMUNES_DATA_DIR": str(FULL_DATA)}


@pytest.fixture
def small_territories(app):
    """The small commune reference of tests/fixtures/communes, with every official list loaded."""
    from guichet.communes.reference import load_reference

    database = app.extensions["guichet.db"]
    load_reference(database, FIXTURE_DATA)
    load_territories(database, app.instance_path)
    return app
