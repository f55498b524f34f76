"""A PostgreSQL server that goes away: pages answer the French 503, the API a JSON 503, and the
service recovers by itself when the server is back (no restart of the web process)."""

import pytest

from guichet import migrations
from guichet.db import Database
from tests.plugins.postgresql_server import start_server_for_tests

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def own_server():
    """A server of this module's own: stopping it must not disturb the session's server."""
    server = start_server_for_tests()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def store_url(own_server):
    name = own_server.create_database()
    database = Database(own_server.url(name))
    migrations.upgrade(database)
    database.dispose()
    yield own_server.url(name)
    own_server.drop_database(name)


def test_a_store_that_goes_away_is_a_503_then_recovers(client, make_programme, own_server):
    programme = make_programme(title="Rénovation de l'éclairage public")
    assert client.get(f"/programmes/{programme}").status_code == 200
    assert client.get("/api/v1/programmes/" + programme).status_code == 200

    own_server.stop()
    try:
        page = client.get(f"/programmes/{programme}")
        assert page.status_code == 503
        text = page.get_data(as_text=True)
        assert "Service momentanément indisponible" in text and "merci de réessayer" in text
        api = client.get("/api/v1/programmes/" + programme)
        assert api.status_code == 503 and api.is_json
        assert "momentanément indisponible" in api.get_json()["error"]["message"]
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["store"]["status"] == "indisponible"
    finally:
        own_server.start()

    # the pool dropped the broken connections: the next requests work, same process
    assert client.get(f"/programmes/{programme}").status_code == 200
    assert client.get("/api/v1/programmes/" + programme).get_json()["id"] == programme
    assert client.get("/healthz").status_code == 200
