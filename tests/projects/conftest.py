"""Funded-project fixtures: the small commune reference, and the two small lists of
tests/fixtures/projects/ imported and indexed."""

from pathlib import Path

import pytest

from guichet.communes.reference import load_reference

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COMMUNES = FIXTURES / "communes"
FONDS_VERT = FIXTURES / "projects" / "fonds-vert-2023-test.csv"
DOTATIONS = FIXTURES / "projects" / "dotations-2019-test.csv"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "COMMUNES_DATA_DIR": str(COMMUNES), "PROJECTS_INDEX_PATH": str(tmp_path / "projects.sqlite3")}


@pytest.fixture
def communes(app):
    load_reference(app.extensions["guichet.db"], COMMUNES)
    return app


@pytest.fixture
def curated(app):
    from guichet.programmes.services import load_curated

    with app.extensions["guichet.db"].session() as session:
        load_curated(session)
        session.commit()
    return app


def import_fixture(app, kind: str, path: Path):
    from guichet.projects.importer import import_file

    with app.extensions["guichet.db"].session() as session:
        report = import_file(session, kind, path)
        session.commit()
    return report


@pytest.fixture
def projects(communes, curated):
    """Both fixture lists imported, and the index built."""
    from guichet.projects.index import rebuild_index

    import_fixture(communes, "fonds-vert", FONDS_VERT)
    import_fixture(communes, "dotations", DOTATIONS)
    rebuild_index(communes)
    return communes
