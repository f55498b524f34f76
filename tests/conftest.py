"""Shared fixtures: an app with a fresh store and index per test, its client and CLI runner,
and a factory of programmes."""

import shutil
from datetime import date, timedelta
from itertools import count

import pytest

from guichet import create_app
from guichet.db import Database

pytest_plugins = ["tests.plugins.elasticsearch_node"]

_sequence = count(1)


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory):
    """A store migrated once per session; each test works on a copy of it."""
    from guichet import migrations

    path = tmp_path_factory.mktemp("store") / "template.sqlite3"
    database = Database(f"sqlite:///{path}")
    migrations.upgrade(database)
    database.dispose()
    return path


@pytest.fixture
def app_config(tmp_path, migrated_store):
    store = tmp_path / "guichet.sqlite3"
    shutil.copy(migrated_store, store)
    return {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{store}",
        "SEARCH_BACKEND": "sqlite",
        "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite3"),
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": "guichet.test",
        "SCHEDULER_ENABLED": False,
    }


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(app_config)
    yield application
    application.extensions["guichet.db"].dispose()
    backend = application.extensions["guichet.search"]
    if hasattr(backend, "close"):
        backend.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    with app.app_context():
        from guichet.db import get_session

        yield get_session()


def programme_data(**fields) -> dict:
    """A valid programme record; any field can be given."""
    number = next(_sequence)
    data = {
        "id": f"test-{number}",
        "source": "test",
        "source_id": str(number),
        "source_url": f"https://financeur.example/programmes/{number}",
        "title": f"Programme de test {number}",
        "summary": "Résumé de test.",
        "description_html": "<p>Texte de présentation.</p>",
        "funders": ["État"],
        "level": "national",
        "regions": [],
        "departments": [],
        "beneficiaries": ["commune"],
        "population_min": None,
        "population_max": None,
        "themes": [],
        "aid_types": ["subvention"],
        "is_call_for_projects": False,
        "opens_on": None,
        "deadlines": [(date.today() + timedelta(days=60)).isoformat()],
        "recurrence": "ponctuelle",
        "state": "published",
    }
    data.update(fields)
    return data


@pytest.fixture
def make_programme(app):
    """Create published programmes in the store (and so in the index, after commit)."""
    from guichet.programmes.models import Programme
    from guichet.programmes.services import upsert_source_record

    def make(**fields):
        data = programme_data(**fields)
        with app.app_context():
            database = app.extensions["guichet.db"]
            with database.session() as session:
                upsert_source_record(session, data, default_state=data.get("state", "published"))
                session.get(Programme, data["id"]).state = data.get("state", "published")
                session.commit()
        return data["id"]

    return make


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture
def live_server(app):
    """The app served for real by waitress on a free loopback port, in a background thread."""
    import socket
    import threading

    from waitress.server import create_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app.config["SERVER_NAME"] = f"127.0.0.1:{port}"
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.task_dispatcher.shutdown(timeout=5)  # workers finish before their trigger closes
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, once per session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
