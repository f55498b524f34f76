"""Fixtures and checks shared by the tests of the HTML and regional sources (issue 5).

Import the fixtures into a test module (``from tests.scrapers.regional_support import *``):
``replay`` is a local HTTP server answering the source's recorded responses
(``tests/fixtures/<slug>/responses.json``), started on a free port for one test;
``scraping_app`` is the app with its sources pointed at that server, without politeness delay.
"""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.programmes.models import Programme
from guichet.sources.models import ScrapeRun
from scrapers.replay import ReplayServer

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
# The real payloads beside the project (never copied into it): read when present.
SHARED_SOURCES = ROOT.parent / "shared" / "reference" / "sources"

__all__ = ["replay", "scraping_app", "scraping_runner"]


@pytest.fixture
def replay(request):
    """The source's recorded responses (the test module's ``SLUG``), served on a free port."""
    server = ReplayServer()
    server.load_dir(FIXTURES / request.module.SLUG)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def scraping_app(app_config, replay, request):
    app_config.update(SOURCES_REPLAY_URL=replay.url, SCRAPER_DELAY=0, SCRAPER_BACKOFF=0, SCRAPER_TIMEOUT=5)
    return request.getfixturevalue("app")


@pytest.fixture
def scraping_runner(scraping_app):
    return scraping_app.test_cli_runner()


def fixture_path(slug: str, name: str) -> Path:
    return FIXTURES / slug / name


def serve_instead(replay: ReplayServer, url: str, slug: str, name: str, content_type: str = "text/html; charset=UTF-8"):
    """Answer ``url`` with another recorded file (a page whose layout changed)."""
    replay.add("GET", url, headers={"Content-Type": content_type}, body=fixture_path(slug, name).read_bytes())


def run(app, slug: str, **options):
    from guichet.sources.services import run_source

    return run_source(app, slug, **options)


def programmes(app, slug: str) -> dict[str, Programme]:
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            return {programme.id: programme for programme in
                    session.scalars(select(Programme).where(Programme.source == slug))}


def runs(app, slug: str) -> list[ScrapeRun]:
    with app.extensions["guichet.db"].session() as session:
        found = list(session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug).order_by(ScrapeRun.id)))
        for item in found:
            list(item.errors)  # loaded before the session closes
        return found


def dry_run_json(runner, slug: str, path) -> list[dict]:
    """`guichet scrape SLUG --from-file PATH --dry-run --json`: the JSON Lines it prints."""
    result = runner.invoke(args=["scrape", slug, "--from-file", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def check_layout_change_is_a_clear_error(app, slug: str, source_name: str):
    """The list's selectors find nothing: the run fails, is flagged, names the source, stores nothing,
    and the source's health says so."""
    from guichet.sources.services import source_overview

    result = run(app, slug)
    assert result.status == "failed" and result.flagged
    [error] = [error for error in runs(app, slug)[-1].errors]
    assert error.stage == "gather"
    assert source_name in error.message
    assert programmes(app, slug) == {}
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            [health] = [row for row in source_overview(session) if row["slug"] == slug]
    assert health["flagged"] and health["last_run"]["status"] == "failed"
    assert health["last_run"]["added"] == 0


def check_record_html(record: dict, base: str):
    """Sanitised HTML, absolute links."""
    html = record["description_html"]
    assert "<script" not in html and "onerror" not in html and "<iframe" not in html
    for link in _links(html):
        assert link.startswith(("https://", "http://", "mailto:")), link
    if record.get("application_url"):
        assert record["application_url"].startswith("https://")
    assert record["source_url"].startswith(base)


def _links(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*)"', html)
