"""H1: every way into the store is sanitised (import, scrape, back office); the API hands out
only sanitised HTML and http(s) URLs. M2: security headers on every response."""

import json
import re
from pathlib import Path

import pytest

from guichet.programmes.models import Programme
from guichet.security.sanitise import clean_html, safe_url
from tests.conftest import programme_data
from tests.security.conftest import post_form

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "security" / "xss.jsonl"
DANGEROUS = re.compile(r"(?i)<\s*(script|svg|iframe|form|object|embed|meta|base|link|style|math|input|button|img)\b"
                       r"|\son\w+\s*=|javascript:|vbscript:|data:text|srcdoc|formaction")


def corpus() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_harmless(programme: Programme):
    assert not DANGEROUS.search(programme.description_html or ""), programme.description_html
    for field in ("source_url", "application_url"):
        value = getattr(programme, field)
        assert value is None or re.match(r"^https?://[^\s]+$", value), (field, value)


def test_import_sanitises_every_record_of_the_corpus(app, runner, store):
    result = runner.invoke(args=["import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "10 ajoutés" in result.output
    programmes = store.query(Programme).filter(Programme.source == "xss").all()
    assert len(programmes) == 10
    for programme in programmes:
        assert_harmless(programme)
        # Harmless text stays: the sanitiser keeps what people should read.
        assert programme.title.startswith("Piège")
    kept = store.get(Programme, "xss-1").description_html
    assert "<p>Avant</p>" in kept and "<p>Après</p>" in kept


def test_the_scrape_path_and_the_back_office_are_sanitised_by_the_store(app, store, admin_client, make_programme):
    from guichet.programmes.services import upsert_source_record

    upsert_source_record(store, programme_data(id="scrape-1", source_url="javascript:alert(1)",
                                               description_html="<p>ok</p><img src=x onerror=alert(1)>"))
    store.commit()
    scraped = store.get(Programme, "scrape-1")
    assert scraped.source_url is None and scraped.description_html == "<p>ok</p>"

    # A curator's save goes through the same store rule, whatever the form does.
    programme_id = make_programme(title="Programme à corriger")
    page = admin_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.update({"title": "Programme corrigé", "description_html": "<p>Bien</p><svg onload=alert(1)></svg>",
                   "level": "national", "application_url": "https://financeur.example/depot"})
    if version:
        fields["version"] = version.group(1)
    response = post_form(admin_client, f"/admin/programmes/{programme_id}", fields,
                         page=f"/admin/programmes/{programme_id}")
    assert response.status_code in (200, 302)
    store.expire_all()
    edited = store.get(Programme, programme_id)
    assert edited.title == "Programme corrigé", response.get_data(as_text=True)[-2000:]
    assert edited.description_html.startswith("<p>Bien</p>")
    assert "<svg" not in edited.description_html and "onload" not in edited.description_html

    # Attribute set directly (any future path: API write, a script in a shell) is cleaned too.
    edited.description_html = "<p>x</p><iframe src=javascript:alert(1)></iframe>"
    edited.application_url = "data:text/html,<script>alert(1)</script>"
    store.commit()
    store.expire_all()
    edited = store.get(Programme, programme_id)
    assert edited.description_html == "<p>x</p>" and edited.application_url is None


def test_the_api_hands_out_only_sanitised_records(app, runner, client):
    assert runner.invoke(args=["import", str(CORPUS)]).exit_code == 0
    for record in corpus():
        response = client.get(f"/api/v1/programmes/{record['id']}")
        if record["state"] != "published":
            continue
        assert response.status_code == 200
        body = response.get_json()
        assert not DANGEROUS.search(body["description_html"]), body["description_html"]
        assert body["source_url"] is None and body["application_url"] is None


@pytest.mark.parametrize("url, kept", [
    ("https://www.ademe.fr/aide", True), ("http://exemple.fr/", True), ("javascript:alert(1)", False),
    (" JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False), ("data:text/html,x", False),
    ("//piege.example/x", False), ("ftp://exemple.fr/x", False), ("https://exemple.fr/a b", False), ("", False),
])
def test_only_http_and_https_addresses_are_kept(url, kept):
    assert (safe_url(url) is not None) == kept


def test_clean_html_keeps_the_structure_people_read():
    html = '<h1>Titre</h1><p>Un <a href="https://exemple.fr">lien</a> et <strong>gras</strong>.</p><ul><li>a</li></ul>'
    cleaned = clean_html(html)
    assert cleaned.startswith("<h2>Titre</h2>")
    assert '<a href="https://exemple.fr" rel="noopener noreferrer">lien</a>' in cleaned
    assert "<ul><li>a</li></ul>" in cleaned


@pytest.mark.parametrize("path", ["/", "/programmes/inconnu", "/admin/login", "/api/v1/themes", "/healthz",
                                  "/abonnement"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # development: plain http on loopback


def test_hsts_in_production(app_config, tmp_path, monkeypatch):
    from guichet import create_app

    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-prod"))
    production = create_app({**app_config, "ENV": "production", "SECRET_KEY": "s" * 48})
    try:
        headers = production.test_client().get("/").headers
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    finally:
        production.extensions["guichet.db"].dispose()


def test_no_template_holds_an_inline_script_or_handler():
    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.html"):
        if "email" in path.parts:
            continue  # e-mails are not pages of the service
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in match.group(1), f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
