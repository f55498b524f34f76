"""Shared fixtures: an app with a fresh store and index per test, its client and CLI runner,
and a factory of programmes."""

import shutil
from datetime import date, timedelta
from itertools import count

import pytest

from guichet import create_app
from guichet.db import Database

pytest_plugins = ["tests.plugins.elasticsearch_node", "tests.plugins.postgresql_server",
                  "tests.plugins.checkout_guard"]

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


def pytest_generate_tests(metafunc):
    # A test (or module, with ``pytestmark``) marked ``both_stores`` runs once per store.
    if "store_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("store_kind", ["sqlite", "postgresql"], indirect=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("store_kind") == "postgresql":
            item.add_marker(pytest.mark.postgresql)


@pytest.fixture
def store_kind(request):
    """``sqlite`` unless the test is marked ``both_stores`` (then each in turn)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def migrated_postgresql(postgresql_server):
    """A PostgreSQL database migrated once per session; each test works on a copy of it."""
    from guichet import migrations

    name = postgresql_server.create_database()
    database = Database(postgresql_server.url(name))
    migrations.upgrade(database)
    database.dispose()
    return name


@pytest.fixture
def store_url(request, store_kind, tmp_path):
    """The URL of this test's own migrated store, of the kind ``store_kind`` says."""
    if store_kind == "postgresql":
        server = request.getfixturevalue("postgresql_server")
        name = server.create_database(template=request.getfixturevalue("migrated_postgresql"))
        request.addfinalizer(lambda: server.drop_database(name))
        return server.url(name)
    store = tmp_path / "guichet.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_store"), store)
    return f"sqlite:///{store}"


@pytest.fixture
def app_config(tmp_path, store_url):
    return {
        "TESTING": True,
        "DATABASE_URL": store_url,
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
