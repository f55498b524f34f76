"""Commune fixtures: a small extract of the reference for most tests; the full reference is
loaded at most once per session, into a store template that tests copy."""

import shutil
from pathlib import Path

import pytest

from guichet.communes.reference import PACKAGE_DIR, load_reference
from guichet.db import Database

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "communes"
FULL_DATA = PACKAGE_DIR / "data"


@pytest.fixture
def app_config(app_config):
    # Never the full reference by accident (e.g. through `guichet init`): tests ask for it.
    return {**app_config, "COMMUNES_DATA_DIR": str(FIXTURE_DATA)}


@pytest.fixture
def communes(app):
    """The small reference loaded into the test's store."""
    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    return app


@pytest.fixture(scope="session")
def full_reference_store(migrated_store, tmp_path_factory):
    """A migrated store holding the FULL commune reference, loaded once per session."""
    path = tmp_path_factory.mktemp("communes") / "full.sqlite3"
    shutil.copy(migrated_store, path)
    database = Database(f"sqlite:///{path}")
    result = load_reference(database, FULL_DATA)
    database.dispose()
    assert result.loaded and result.counts["communes"] > 34_000
    return path


def with_full_reference(app_config: dict, full_reference_store: Path, tmp_path: Path) -> dict:
    """``app_config`` on a copy of the full-reference store (for a module's ``app_config`` fixture)."""
    store = tmp_path / "full.sqlite3"
    shutil.copy(full_reference_store, store)
    return {**app_config, "DATABASE_URL": f"sqlite:///{store}", "COMMUNES_DATA_DIR": str(FULL_DATA)}
