"""The store layer on both stores: migrations that match the models, exclusive sections across
processes (two `guichet init` at once: one waits), JSON and case-insensitive matching."""

import os
import subprocess
import sys
import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from guichet.db import Base, Database, Locked

pytestmark = pytest.mark.both_stores


def test_migrations_create_exactly_the_tables_the_models_describe(store_url):
    import guichet.models  # noqa: F401  (every table in the metadata)

    database = Database(store_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        database.dispose()
    assert differences == []


def test_json_lists_and_case_insensitive_matching_read_the_same(app, make_programme):
    from guichet.programmes.models import Programme

    make_programme(id="json-1", title="Rénovation ÉNERGÉTIQUE des écoles", funders=["ADEME", "Région"],
                   themes=["numerique"])
    database = app.extensions["guichet.db"]
    with database.session() as session:
        programme = session.get(Programme, "json-1")
        assert programme.funders == ["ADEME", "Région"] and programme.themes == ["numerique"]
        found = session.scalars(select(Programme.id).where(
            func.lower(Programme.title).like("%rénovation énergétique%"))).all()
        assert found == ["json-1"]


def test_an_exclusive_section_is_held_by_one_holder_at_a_time(store_url):
    first, second = Database(store_url), Database(store_url)
    try:
        with first.exclusive("test-section") as held:
            assert held()
            with pytest.raises(Locked):
                with second.exclusive("test-section", wait=False):
                    pass
        with second.exclusive("test-section", wait=False) as held:
            assert held()
    finally:
        first.dispose()
        second.dispose()


def test_two_inits_at_once_run_one_after_the_other(tmp_path, app_config, store_kind):
    """The second `guichet init` waits for the first (the lock holds across processes)."""
    environment = dict(os.environ, GUICHET_INSTANCE_PATH=str(tmp_path / "instance"),
                       GUICHET_DATABASE_URL=app_config["DATABASE_URL"],
                       GUICHET_SEARCH_SQLITE_PATH=str(tmp_path / "search.sqlite3"),
                       GUICHET_COMMUNES_DATA_DIR=str(tmp_path / "no-communes"))
    holder = Database(app_config["DATABASE_URL"])
    try:
        with holder.exclusive("guichet-init"):
            process = subprocess.Popen([sys.executable, "-m", "guichet", "init"], env=environment,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            first_line = process.stdout.readline()
            assert "Une autre initialisation est en cours" in first_line
            time.sleep(1)
            assert process.poll() is None  # still waiting while the section is held
        output, _ = process.communicate(timeout=240)
    finally:
        holder.dispose()
    assert process.returncode == 0, output
    assert "Prêt." in output
