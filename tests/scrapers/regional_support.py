"""Checks shared by the tests of the HTML and regional sources (issue 5).

The fixtures come from ``tests.fixtures.replay`` (re-exported here): ``replay_server`` serves every
source's recorded responses (``scrapers/recorded/<slug>/``, also the offline demonstration data)
on a free port; ``scraper_app`` is the app pointed at it. Pages in an unexpected layout, which
only tests serve, are in ``tests/fixtures/<slug>/``.
"""

import json
from pathlib import Path

from sqlalchemy import select

from guichet.programmes.models import Programme
from guichet.sources.models import ScrapeRun
from scrapers.replay import ReplayServer
from tests.fixtures.replay import SHARED_SOURCES, replay_server, scraper_app, scraper_runner  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
RECORDED = ROOT / "scrapers" / "recorded"

__all__ = ["replay_server", "scraper_app", "scraper_runner"]


def recorded_path(slug: str, name: str) -> Path:
    return RECORDED / slug / name


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
