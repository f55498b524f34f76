"""The contract every registered source keeps, one parametrised suite over all of them (the
recorded responses of ``scrapers/recorded/`` served by the replay server): a recorded run, a
second run answered 304, a malformed item, an empty answer, a 500, a changed layout, the dry
run, and every record passing the strict record check. Each source keeps its own mapping tests
beside this (tests/scrapers/test_<source>.py)."""

import json
import re

import pytest
from sqlalchemy import select

from guichet import geo
from guichet.programmes.models import Programme
from guichet.programmes.records import CONTENT_FIELDS
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, RECURRENCES, THEMES
from guichet.sources.models import ScrapeRun
from guichet.sources.services import make_client, run_source
from scrapers.base import Harvest
from scrapers.registry import all_sources
from tests.fixtures.replay import RECORDED, replay_server, scraper_app  # noqa: F401

HTTP_SOURCES = [slug for slug, source in all_sources().items() if not source.local]
# ``language``: the language of the text as the source states it (not curated content)
RECORD_KEYS = {"id", "source", "source_id", *CONTENT_FIELDS, "language", "source_updated_at"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def strict_check(record: dict) -> list[str]:
    """Unknown keys and values outside the vocabulary (guichet.programmes.vocabulary) are errors,
    as ``clean_record`` says too (``finish_record`` runs it on every record at the normalise stage)."""
    problems = [f"clé inconnue : {key}" for key in set(record) - RECORD_KEYS]
    checks = (("level", [record.get("level")], LEVELS), ("recurrence", [record.get("recurrence")] if
              record.get("recurrence") else [], RECURRENCES), ("beneficiaries", record.get("beneficiaries"),
              BENEFICIARIES), ("aid_types", record.get("aid_types"), AID_TYPES),
              ("themes", record.get("themes"), THEMES), ("regions", record.get("regions"), geo.REGIONS),
              ("departments", record.get("departments"), geo.DEPARTMENTS))
    for field, values, allowed in checks:
        problems += [f"{field} : valeur inconnue {value!r}" for value in values or [] if value not in allowed]
    for value in record.get("deadlines") or []:
        if not ISO_DATE.match(str(value)):
            problems.append(f"deadlines : {value!r}")
    if not str(record.get("source_url") or "").startswith("https://"):
        problems.append(f"source_url : {record.get('source_url')!r}")
    return problems


def first_request(app, slug):
    return all_sources()[slug](app.config).first_request()


def stored(app, slug):
    with app.extensions["guichet.db"].session() as session:
        return {item.id: item for item in session.scalars(select(Programme).where(Programme.source == slug))}


def runs(app, slug):
    with app.extensions["guichet.db"].session() as session:
        return session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug)).all()


def recorded_first_body(slug: str, url: str) -> bytes:
    folder = RECORDED / slug
    for response in json.loads((folder / "responses.json").read_text(encoding="utf-8"))["responses"]:
        if response["url"] == url and response.get("method", "GET") in ("GET", "POST"):
            if "body_file" in response:
                return (folder / response["body_file"]).read_bytes()
            body = response.get("body", response.get("json"))
            return body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
    raise AssertionError(f"{slug}: no recorded answer for its first request {url}")


@pytest.mark.parametrize("slug", HTTP_SOURCES)
def test_recorded_run_and_second_run_answered_304(scraper_app, replay_server, slug):
    run = run_source(scraper_app, slug)

    assert run.status == "success" and not run.flagged, run.message
    assert run.seen > 0 and run.added == run.seen and run.errored == 0
    programmes = stored(scraper_app, slug)
    assert len(programmes) == run.seen
    from guichet.programmes.records import programme_record

    for programme in programmes.values():
        record = {key: value for key, value in programme_record(programme).items() if key in RECORD_KEYS}
        assert strict_check(record) == [], programme.id
    before = {key: value.content_hash for key, value in programmes.items()}

    second = run_source(scraper_app, slug)

    assert (second.status, second.added, second.updated, second.closed) == ("success", 0, 0, 0)
    assert second.unchanged == run.seen
    assert {key: value.content_hash for key, value in stored(scraper_app, slug).items()} == before
    assert any("If-None-Match" in request.headers or "If-Modified-Since" in request.headers
               for request in replay_server.requests)


@pytest.mark.parametrize("slug", HTTP_SOURCES)
def test_every_record_passes_the_strict_check_at_the_stages(scraper_app, replay_server, slug):
    source = all_sources()[slug](scraper_app.config)
    client = make_client(scraper_app.config)
    outcomes = list(Harvest(source, client))
    assert outcomes and all(outcome.error is None for outcome in outcomes), [o.error for o in outcomes if o.error]
    for outcome in outcomes:
        assert strict_check(outcome.record) == [], outcome.record["id"]


@pytest.mark.parametrize("slug", HTTP_SOURCES)
def test_a_malformed_item_is_that_record_s_error_and_the_run_goes_on(scraper_app, replay_server, slug):
    source_class = all_sources()[slug]

    class WithAMalformedItem(source_class):
        def parse_list(self, response):
            page = super().parse_list(response)
            page.items = [["malformé"], *page.items]  # neither an object nor a card: unreadable
            return page

    harvest = Harvest(WithAMalformedItem(scraper_app.config), make_client(scraper_app.config))
    outcomes = list(harvest)
    errors = [outcome.error for outcome in outcomes if outcome.error]
    assert len(errors) == harvest.pages  # one per list page read
    assert all(error.stage == "parse" and error.message.startswith("élément illisible") for error in errors)
    assert harvest.gather_complete and harvest.unlisted_errors == harvest.pages  # so the run closes nothing
    assert sum(1 for outcome in outcomes if outcome.record) >= 1


@pytest.mark.parametrize("slug", HTTP_SOURCES)
@pytest.mark.parametrize("answer", ["empty", "500", "changed layout"])
def test_a_broken_first_answer_closes_nothing(scraper_app, replay_server, slug, answer):
    run_source(scraper_app, slug)
    request = first_request(scraper_app, slug)
    recorded = recorded_first_body(slug, request.full_url)
    is_json = recorded.lstrip()[:1] in (b"{", b"[")
    if answer == "empty":
        replay_server.add(request.method, request.full_url, body=b"", headers={"Content-Type": "text/plain"})
    elif answer == "500":
        replay_server.add(request.method, request.full_url, status=500, body="Internal Server Error")
    elif is_json:  # HTML where JSON was expected
        replay_server.add(request.method, request.full_url, headers={"Content-Type": "text/html; charset=utf-8"},
                          body="<html><body><h1>Maintenance</h1><p>Le service revient bientôt.</p></body></html>")
    else:  # a page whose selectors find nothing
        replay_server.add(request.method, request.full_url, headers={"Content-Type": "text/html; charset=utf-8"},
                          body="<html><body><main><h1>Nouveau site</h1><div class='x'>Bientôt</div></main></body></html>")

    run = run_source(scraper_app, slug, report=None)

    assert run.flagged and run.closed == 0 and run.status in ("failed", "flagged")
    assert run.message and re.search(r"[éèàç]|aucun", run.message)  # a French message for people
    assert all(error.message for error in run.errors)
    assert all(programme.closed_at is None for programme in stored(scraper_app, slug).values())


@pytest.mark.parametrize("slug", HTTP_SOURCES)
def test_the_dry_run_reads_the_recorded_first_answer_and_stores_nothing(scraper_app, replay_server, slug, tmp_path):
    request = first_request(scraper_app, slug)
    path = tmp_path / "first-answer"
    path.write_bytes(recorded_first_body(slug, request.full_url))

    result = scraper_app.test_cli_runner().invoke(args=["scrape", slug, "--from-file", str(path), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert records and all(record["source"] == slug for record in records)
    assert stored(scraper_app, slug) == {} and runs(scraper_app, slug) == []


def test_the_curated_source_passes_the_strict_check(app):
    source = all_sources()["curated"](app.config)
    outcomes = list(Harvest(source, None))
    assert len(outcomes) >= 40 and all(outcome.error is None for outcome in outcomes)
    for outcome in outcomes:
        problems = [problem for problem in strict_check(outcome.record) if not problem.startswith("source_url")]
        assert problems == [], outcome.record["id"]
