"""The API fit for reuse by other sites: redirects, time zones, CORS, caching, compression."""

import gzip
from datetime import datetime

import brotli


def test_a_merged_id_answers_301_to_the_programme_kept(client, make_programme):
    kept = make_programme(title="Fonds vert — rénovation des écoles")
    merged = make_programme(title="Fonds vert rénovation (doublon)", state="merged")
    from guichet.programmes.models import Programme

    with client.application.app_context():
        database = client.application.extensions["guichet.db"]
        with database.session() as session:
            session.get(Programme, merged).merged_into = kept
            session.commit()
    response = client.get(f"/api/v1/programmes/{merged}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/api/v1/programmes/{kept}")
    assert client.get(response.headers["Location"]).get_json()["id"] == kept


def test_timestamps_carry_their_offset(client, make_programme):
    programme_id = make_programme(title="Plan vélo")
    record = client.get(f"/api/v1/programmes/{programme_id}").get_json()
    for field in ("first_seen_at", "last_seen_at"):
        moment = datetime.fromisoformat(record[field])
        assert moment.utcoffset() is not None, field
        assert record[field].endswith("+00:00")


def test_cors_lets_other_sites_read(client, make_programme):
    make_programme(title="Plan vélo")
    response = client.get("/api/v1/programmes", headers={"Origin": "https://www.departement.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options("/api/v1/programmes", headers={
        "Origin": "https://www.departement.example", "Access-Control-Request-Method": "GET"})
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    # Pages are not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get("/", headers={"Origin": "https://x.example"}).headers


def test_lists_and_records_have_etags_and_answer_304(client, make_programme):
    programme_id = make_programme(title="Plan vélo")
    for path in ("/api/v1/programmes?q=vélo", f"/api/v1/programmes/{programme_id}", "/api/v1/themes"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["ETag"]
        assert "max-age=60" in first.headers["Cache-Control"]
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    make_programme(title="Plan vélo 2")
    changed = client.get("/api/v1/programmes?q=vélo", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_answers_are_compressed(client, make_programme):
    for number in range(5):
        make_programme(title=f"Plan vélo {number}", summary="Pistes cyclables et stationnement. " * 5)
    plain = client.get("/api/v1/programmes?q=vélo")
    brotli_response = client.get("/api/v1/programmes?q=vélo", headers={"Accept-Encoding": "br"})
    assert brotli_response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotli_response.data) == plain.data
    assert len(brotli_response.data) < len(plain.data) / 3
    page = client.get("/?q=vélo", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "5 programmes trouvés" in gzip.decompress(page.data).decode("utf-8")
    assert "Accept-Encoding" in page.headers["Vary"]


def test_documentation_page_is_generated_from_the_openapi_document(client):
    page = client.get("/api/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    document = client.get("/api/v1/openapi.json").get_json()
    for path, methods in document["paths"].items():
        assert f"<code>{path}</code>" in text
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in text
    assert "/api/v1/programmes?q=%C3%A9clairage+public&amp;population=2000-20000" in text
    assert 'id="swagger-ui"' in text
    asset = client.get("/api/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    assert client.get("/api/assets/package.json").status_code == 404
