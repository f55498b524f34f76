"""L1, L2, L5, L6, L7 and M1 on the embedded backend: bad input is a French 400, never a 500;
absolute URLs come from BASE_URL; health details are for operators."""

import pytest

from tests.communes.conftest import FIXTURE_DATA
from tests.security.conftest import post_form


@pytest.fixture
def app_config(app_config):
    return {**app_config, "COMMUNES_DATA_DIR": str(FIXTURE_DATA), "BASE_URL": "https://guichet.anct.example"}


@pytest.mark.parametrize("limit", ["²", "٣", "9" * 5000, "-1", "0", "1e3", " 5 ", "5.0"])
def test_l1_a_strange_limit_is_a_french_400(client, limit):
    response = client.get("/api/v1/communes", query_string={"q": "par", "limit": limit})
    if limit.strip() == "5":
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "« limit »" in response.get_json()["error"]["message"]


def test_l2_a_line_break_in_next_never_fails_after_the_action(app, curator_client, make_programme, store):
    from guichet.programmes.models import Programme

    programme_id = make_programme(state="pending", title="Programme en attente")
    response = post_form(curator_client, f"/admin/programmes/{programme_id}/etat",
                         {"action": "publish", "next": "/admin/\r\nSet-Cookie: x=1"}, page="/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/programmes/{programme_id}") or \
        response.headers["Location"].endswith("/admin/")
    assert "Set-Cookie: x" not in response.headers["Location"]
    store.expire_all()
    assert store.get(Programme, programme_id).state == "published"
    response = post_form(curator_client, "/admin/revue", {"ids": programme_id, "action": "publish",
                                                          "next": "/admin/?a=\nb"}, page="/admin/")
    assert response.status_code == 302 and "\n" not in response.headers["Location"]


def test_l5_the_host_header_is_never_reflected(client, make_programme):
    programme_id = make_programme(title="Plan vélo")
    headers = {"Host": "piege.example"}
    api = client.get("/api/v1/programmes", headers=headers).get_json()
    assert api["results"][0]["url"] == f"https://guichet.anct.example/programmes/{programme_id}"
    detail = client.get(f"/api/v1/programmes/{programme_id}", headers=headers).get_json()
    assert "piege.example" not in str(detail)
    openapi = client.get("/api/v1/openapi.json", headers=headers).get_json()
    assert openapi["servers"] == [{"url": "https://guichet.anct.example/api/v1"}]


def test_l6_health_details_are_for_operators_only(app, client):
    app.config["HEALTH_TOKEN"] = "jeton-des-operateurs"
    # A visitor (not on the development machine's loopback) sees states, no figures, no errors.
    visitor = client.get("/healthz", environ_overrides={"REMOTE_ADDR": "203.0.113.9"}).get_json()
    assert visitor == {"status": "ok", "store": {"status": "ok"}, "search": {"status": "ok"}}
    operator = client.get("/healthz", environ_overrides={"REMOTE_ADDR": "203.0.113.9"},
                          headers={"Authorization": "Bearer jeton-des-operateurs"}).get_json()
    assert operator["store"]["programmes"] == 0 and operator["search"]["documents"] == 0
    wrong = client.get("/healthz", environ_overrides={"REMOTE_ADDR": "203.0.113.9"},
                       headers={"Authorization": "Bearer autre"}).get_json()
    assert "programmes" not in wrong["store"]


def test_l6_a_store_error_is_not_shown_to_visitors(app, client, monkeypatch):
    from guichet.db import get_database

    def broken():
        raise RuntimeError("sqlite3.OperationalError: unable to open /srv/guichet/instance/guichet.sqlite3")

    with app.app_context():
        monkeypatch.setattr(get_database().engine, "connect", broken)
    response = client.get("/healthz", environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 503
    assert "/srv/guichet" not in response.get_data(as_text=True)
    assert response.get_json()["store"] == {"status": "indisponible"}


@pytest.mark.parametrize("value", ["0.5", "1.5", "0,5", "12.50"])
def test_l7_a_fraction_of_inhabitant_is_refused(client, value):
    response = client.get("/api/v1/programmes", query_string={"population": value})
    assert response.status_code == 400
    assert "population" in response.get_json()["error"]["message"]
    assert client.get("/", query_string={"population": value}).status_code == 400


def test_l7_a_dotted_thousands_separator_still_reads(client):
    assert client.get("/api/v1/programmes", query_string={"population": "12.500"}).status_code == 200


@pytest.mark.parametrize("method, path, allowed", [("post", "/", "GET"), ("delete", "/api/v1/programmes", "GET"),
                                                   ("put", "/healthz", "GET")])
def test_l7_a_405_says_which_methods_are_allowed(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed in response.headers["Allow"]


@pytest.mark.parametrize("page", ["501", "502", "100000"])
def test_m1_a_page_beyond_the_window_is_an_empty_page_or_a_french_400(client, make_programme, page):
    make_programme(title="Plan vélo")
    api = client.get("/api/v1/programmes", query_string={"page": page})
    assert api.status_code in (200, 400)
    if api.status_code == 200:
        assert api.get_json()["results"] == [] and api.get_json()["total"] == 1
    else:
        assert "page" in api.get_json()["error"]["message"]
    assert client.get("/", query_string={"page": page}).status_code in (200, 400)
