"""`guichet territories refresh`: a good download replaces a list, a bad one keeps the previous
list and says why; served by a real HTTP server on loopback."""

import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from guichet.territories.lists import DATA_DIR, LISTS

SHIPPED_DENSITY = (DATA_DIR / LISTS["densite"].filename).read_bytes()
SHIPPED_MOUNTAINS = (DATA_DIR / LISTS["montagne"].filename).read_bytes()


@pytest.fixture
def open_data_server():
    """Loopback server: path → (status, body)."""
    routes = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = routes.get(self.path, (404, b"introuvable"))
            self.send_response(status)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.routes = routes
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def app_config(app_config, open_data_server):
    # Only these lists are downloaded (the others' default URLs are switched off: no internet in tests).
    urls = {key: "" for key in LISTS}
    urls.update({key: f"{open_data_server.url}/{key}.csv" for key in ("densite", "montagne", "frr", "ort")})
    return {**app_config, "TERRITORIES_SOURCE_URLS": urls}


def test_refresh_keeps_what_a_bad_download_would_lose(app, runner, small_territories, open_data_server, db_session):
    from guichet.territories import density_level
    from guichet.territories.services import territory_of

    assert density_level(db_session, "58194") == 2  # Nevers, shipped list
    changed = SHIPPED_DENSITY.replace("58194,Nevers,Centres urbains intermédiaires".encode(),
                                      "58194,Nevers,Petites villes".encode())
    assert changed != SHIPPED_DENSITY
    truncated = b"\n".join(SHIPPED_MOUNTAINS.splitlines()[:300]) + b"\n"
    open_data_server.routes.update({
        "/densite.csv": (200, changed),
        "/montagne.csv": (200, truncated),
        "/frr.csv": (200, "<html><body>Maintenance du portail</body></html>".encode()),
    })
    result = runner.invoke(args=["territories", "refresh"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Grille communale de densité (INSEE) : 34875 lignes téléchargées depuis" in output
    assert "Communes de montagne : liste précédente conservée. Communes de montagne : 299 lignes seulement" in output
    assert ("France Ruralités Revitalisation (juillet 2025) : liste précédente conservée. France Ruralités "
            "Revitalisation (juillet 2025) : colonnes absentes") in output
    assert ("Opérations de revitalisation de territoire : liste précédente conservée (téléchargement impossible : "
            "HTTPError).") in output

    db_session.expire_all()
    assert density_level(db_session, "58194") == 4  # the refreshed list is loaded
    assert territory_of(db_session, "54329").frr == "socle"  # the shipped FRR list is still there
    refreshed = app.instance_path + "/territories/"
    assert Path(refreshed, LISTS["densite"].filename).read_bytes() == changed

    # A download far shorter than the list in place is refused even above the list's minimum.
    services = (DATA_DIR / LISTS["france-services"].filename).read_bytes()
    open_data_server.routes["/france-services.csv"] = (200, b"\n".join(services.splitlines()[:2_101]) + b"\n")
    app.config["TERRITORIES_SOURCE_URLS"] = {**{key: "" for key in LISTS},
                                             "france-services": f"{open_data_server.url}/france-services.csv"}
    output = runner.invoke(args=["territories", "refresh"]).output
    assert ("France services : liste précédente conservée. France services : 2100 lignes contre 2845 dans la liste "
            "en place ; le téléchargement semble tronqué.") in output


def test_offline_refresh_reloads_what_is_there(runner, small_territories):
    result = runner.invoke(args=["territories", "refresh", "--offline"])
    assert result.exit_code == 0 and "Listes et zonages officiels chargés" in result.output
    status = runner.invoke(args=["territories", "status"]).output
    assert "Action Cœur de ville : 246 lignes (livrée avec le service)" in status
