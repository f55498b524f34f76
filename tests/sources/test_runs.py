"""Every source of issue 4 end to end: replay server → HTTP → stages → store, with run records."""

import json
import time

import pytest
from sqlalchemy import select

from guichet.programmes.models import Programme
from guichet.sources.models import HttpCacheEntry, ScrapeRun
from guichet.sources.services import run_source, source_overview
from scrapers.registry import get_source
from tests.fixtures.replay import FIXTURES, replay_server, scraper_app  # noqa: F401

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL

# slug → (programmes in scrapers/recorded, list requests a full run makes)
SOURCES = {
    "eu-funding-tenders": (5, 1),
    "aides-territoires": (6, 2),
    "ademe-agir": (4, 1),
    "culture": (4, 2),
    "ile-de-france": (4, 1),
}


def first_request(slug, app):
    return get_source(slug)(app.config).first_request()


def list_requests(replay, slug, app):
    request = first_request(slug, app)
    from urllib.parse import urlsplit

    parts = urlsplit(request.url)
    return [item for item in replay.requests if item.host == parts.netloc and item.path == parts.path]


def stored(app, slug):
    with app.extensions["guichet.db"].session() as session:
        return {programme.id: programme for programme in
                session.scalars(select(Programme).where(Programme.source == slug))}


def serve_fixture(replay, app, slug, name, **options):
    request = first_request(slug, app)
    replay.add(request.method, request.full_url, headers={"Content-Type": "application/json; charset=utf-8"},
               body=(FIXTURES / slug / name).read_bytes(), **options)


@pytest.mark.parametrize("slug", SOURCES)
def test_a_source_end_to_end_into_the_store(scraper_app, replay_server, slug):
    expected, pages = SOURCES[slug]
    run = run_source(scraper_app, slug)

    assert (run.status, run.added, run.updated, run.unchanged, run.errored, run.closed, run.seen) == (
        "success", expected, 0, 0, 0, 0, expected)
    assert not run.flagged and run.finished_at >= run.started_at
    assert len(list_requests(replay_server, slug, scraper_app)) == pages  # every page, once
    programmes = stored(scraper_app, slug)
    assert len(programmes) == expected
    for programme in programmes.values():
        assert programme.id == f"{slug}-{programme.source_id}"
        assert programme.state == "pending" and programme.recorded_response is True
        assert programme.raw_payload and programme.content_hash and programme.title
        assert programme.source_url.startswith("https://")
        assert "<script" not in programme.description_html


@pytest.mark.parametrize("slug", SOURCES)
def test_second_run_is_answered_304_and_changes_nothing(scraper_app, replay_server, slug):
    expected, pages = SOURCES[slug]
    run_source(scraper_app, slug)
    before = {key: value.content_hash for key, value in stored(scraper_app, slug).items()}

    second = run_source(scraper_app, slug)

    assert (second.status, second.added, second.updated, second.unchanged, second.closed) == (
        "success", 0, 0, expected, 0)
    conditional = list_requests(replay_server, slug, scraper_app)[pages:]
    assert len(conditional) == pages
    assert all("If-None-Match" in request.headers for request in conditional)
    assert {key: value.content_hash for key, value in stored(scraper_app, slug).items()} == before
    with scraper_app.extensions["guichet.db"].session() as session:
        assert session.scalars(select(HttpCacheEntry).where(HttpCacheEntry.source == slug)).first() is not None


@pytest.mark.parametrize("slug", SOURCES)
def test_a_malformed_record_is_an_error_and_the_run_goes_on(scraper_app, replay_server, slug):
    serve_fixture(replay_server, scraper_app, slug, "malformed.json")

    run = run_source(scraper_app, slug)

    assert run.status == "partial" and not run.flagged
    assert run.added >= 1 and run.errored >= 1
    assert {error.stage for error in run.errors} <= {"parse", "normalise"}
    assert all(error.message for error in run.errors)
    assert "erreur" in run.message


@pytest.mark.parametrize("slug", SOURCES)
def test_an_empty_answer_closes_nothing_and_flags_the_run(scraper_app, replay_server, slug):
    expected, _pages = SOURCES[slug]
    run_source(scraper_app, slug)
    serve_fixture(replay_server, scraper_app, slug, "empty.json")

    run = run_source(scraper_app, slug, report=None)

    assert (run.flagged, run.status, run.closed, run.seen) == (True, "flagged", 0, 0)
    assert "aucun programme" in run.message
    assert all(programme.closed_at is None for programme in stored(scraper_app, slug).values())
    assert len(stored(scraper_app, slug)) == expected


@pytest.mark.parametrize("slug", SOURCES)
def test_a_500_closes_nothing_and_flags_the_run(scraper_app, replay_server, slug):
    run_source(scraper_app, slug)
    request = first_request(slug, scraper_app)
    replay_server.add(request.method, request.full_url, status=500, body="Internal Server Error")

    run = run_source(scraper_app, slug)

    assert (run.flagged, run.status, run.closed) == (True, "failed", 0)
    assert [error.stage for error in run.errors] == ["gather"]
    assert "500" in run.errors[0].message
    assert all(programme.closed_at is None for programme in stored(scraper_app, slug).values())


@pytest.mark.parametrize("slug", SOURCES)
def test_429_with_retry_after_is_waited_for(scraper_app, replay_server, slug):
    expected, _pages = SOURCES[slug]
    request = first_request(slug, scraper_app)
    replay_server.add(request.method, request.full_url, status=429, headers={"Retry-After": "1"}, times=1)

    started = time.monotonic()
    run = run_source(scraper_app, slug)

    assert time.monotonic() - started >= 0.95
    assert (run.status, run.added) == ("success", expected)


@pytest.mark.parametrize("slug", SOURCES)
def test_a_robots_txt_that_disallows_stops_the_source(scraper_app, replay_server, slug):
    request = first_request(slug, scraper_app)
    host = request.url.split("/")[2]
    replay_server.add("GET", f"https://{host}/robots.txt", body="User-agent: *\nDisallow: /\n")

    run = run_source(scraper_app, slug)

    assert (run.status, run.flagged, run.added) == ("failed", True, 0)
    assert "robots.txt" in run.errors[0].message
    assert list_requests(replay_server, slug, scraper_app) == []


def test_pagination_of_aides_territoires_follows_next(scraper_app, replay_server):
    run_source(scraper_app, "aides-territoires")
    pages = [request.query for request in list_requests(replay_server, "aides-territoires", scraper_app)]
    assert pages == ["page=1&itemsPerPage=100", "page=2&itemsPerPage=100"]


def test_pagination_of_eu_funding_tenders_by_page_number(scraper_app, replay_server):
    base = "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***&pageSize=100"
    for number in (1, 2):
        replay_server.add("POST", f"{base}&pageNumber={number}",
                          body=(FIXTURES / "eu-funding-tenders" / f"search-page-{number}-of-2.json").read_bytes())
    run = run_source(scraper_app, "eu-funding-tenders")
    assert (run.added, run.seen) == (3, 3)
    requests = list_requests(replay_server, "eu-funding-tenders", scraper_app)
    assert [request.query.split("pageNumber=")[1] for request in requests] == ["1", "2"]
    # The query travels as a file part, never in the URL (where SEDIA ignores it).
    assert b'name="query"; filename=' in requests[0].body and b"31094502" in requests[0].body


def test_aides_territoires_gets_a_jwt_and_a_new_one_on_401(scraper_app, replay_server):
    url = "https://aides-territoires.beta.gouv.fr/api/aids/?page=2&itemsPerPage=100"
    replay_server.add("GET", url, status=401, json_body={"message": "Expired JWT Token"}, times=1)

    run = run_source(scraper_app, "aides-territoires")

    assert (run.status, run.added) == ("success", 6)
    logins = replay_server.requests_to("aides-territoires.beta.gouv.fr", "/api/connexion/")
    assert len(logins) == 2 and all(login.headers["X-Auth-Token"] == "jeton-de-test" for login in logins)
    pages = list_requests(replay_server, "aides-territoires", scraper_app)
    assert pages[0].headers["Authorization"].startswith("Bearer eyJ")


def test_eu_codes_become_labels_and_duplicates_and_stubs_are_skipped(scraper_app, replay_server):
    run_source(scraper_app, "eu-funding-tenders")
    programmes = stored(scraper_app, "eu-funding-tenders")
    assert len(programmes) == 5  # the recorded page holds 7 results: one twice, one empty stub
    mission = programmes["eu-funding-tenders-HORIZON-MISS-2027-CIT-01-02"]
    assert mission.deadlines == ["2027-04-22", "2027-09-30"]  # two-stage: several deadlines
    assert "Horizon Europe" in mission.summary and "deux étapes" in mission.summary
    assert (mission.amount_min, mission.amount_max) == (8000000, 10000000)
    assert mission.level == "europe" and mission.funders == ["Union européenne"]
    assert "LIFE" in programmes["eu-funding-tenders-LIFE-2027-CLIMA-CCA-LOCAL"].summary


def test_a_programme_gone_from_a_healthy_source_is_closed_not_deleted(scraper_app, replay_server):
    run_source(scraper_app, "ile-de-france")
    body = json.loads((replay_server_path("ile-de-france", "aides.json")).read_text(encoding="utf-8"))
    replay_server.add("GET", first_request("ile-de-france", scraper_app).full_url,
                      json_body=body[:3])  # 3 of 4: more than half, a healthy run

    run = run_source(scraper_app, "ile-de-france")

    assert (run.status, run.flagged, run.closed, run.unchanged) == ("success", False, 1, 3)
    programmes = stored(scraper_app, "ile-de-france")
    assert len(programmes) == 4
    gone = programmes[f"ile-de-france-{body[3]['reference']}"]
    assert gone.closed_at is not None
    from datetime import date

    assert gone.status(date.today()) == "clos"


def test_fewer_than_half_of_the_last_good_run_closes_nothing(scraper_app, replay_server):
    run_source(scraper_app, "ile-de-france")
    body = json.loads((replay_server_path("ile-de-france", "aides.json")).read_text(encoding="utf-8"))
    replay_server.add("GET", first_request("ile-de-france", scraper_app).full_url, json_body=body[:1])

    run = run_source(scraper_app, "ile-de-france")

    assert (run.flagged, run.status, run.closed, run.seen) == (True, "flagged", 0, 1)
    assert "1 programmes contre 4" in run.message
    assert all(programme.closed_at is None for programme in stored(scraper_app, "ile-de-france").values())


def test_a_change_at_the_source_is_detected_and_the_raw_payload_kept(scraper_app, replay_server):
    run_source(scraper_app, "ile-de-france")
    body = json.loads((replay_server_path("ile-de-france", "aides.json")).read_text(encoding="utf-8"))
    programme_id = f"ile-de-france-{body[0]['reference']}"
    before = stored(scraper_app, "ile-de-france")[programme_id]
    body[0]["dateFinCampagne"] = "2027-05-30T22:00:00.000Z"
    replay_server.add("GET", first_request("ile-de-france", scraper_app).full_url, json_body=body)

    run = run_source(scraper_app, "ile-de-france")

    assert (run.updated, run.unchanged) == (1, 3)
    after = stored(scraper_app, "ile-de-france")[programme_id]
    assert after.content_hash != before.content_hash
    assert after.deadlines == ["2027-05-31"]
    assert after.raw_payload["dateFinCampagne"] == "2027-05-30T22:00:00.000Z"
    assert after.source_values["deadlines"] == ["2027-05-31"]


def test_a_curator_edit_survives_a_rescrape(scraper_app, replay_server):
    run_source(scraper_app, "culture")
    programme_id = "culture-402377"
    with scraper_app.extensions["guichet.db"].session() as session:
        programme = session.get(Programme, programme_id)
        programme.title = "FIP : monuments historiques des petites communes (titre revu)"
        programme.curated_fields = ["title"]
        session.commit()
    body = json.loads((replay_server_path("culture", "online-procedures-page-1.json")).read_text(encoding="utf-8"))
    body[1]["title"] = "Fonds incitatif et partenarial (FIP) — nouvelle édition"
    replay_server.add("GET", first_request("culture", scraper_app).full_url, json_body=body)

    run = run_source(scraper_app, "culture")

    assert run.updated == 1
    programme = stored(scraper_app, "culture")[programme_id]
    assert programme.title == "FIP : monuments historiques des petites communes (titre revu)"
    assert programme.source_values["title"] == "Fonds incitatif et partenarial (FIP) — nouvelle édition"


def test_run_records_and_the_overview(scraper_app, replay_server):
    serve_fixture(replay_server, scraper_app, "aides-territoires", "malformed.json")
    run = run_source(scraper_app, "aides-territoires")
    stages = sorted((error.stage, error.record_id) for error in run.errors)
    assert stages == [("normalise", "aides-territoires-161447"), ("parse", None)]

    with scraper_app.app_context():
        from guichet.db import get_session

        overview = {item["slug"]: item for item in source_overview(get_session())}
    at = overview["aides-territoires"]
    assert at["level"] == "national" and at["schedule"] == "chaque nuit à 2 h 00"
    assert at["last_run"]["status"] == "partial" and at["last_run"]["errored"] == 2
    assert at["last_run"]["added"] == 1 and at["programmes"] == 1
    assert at["next_run"] is not None and not at["flagged"]
    assert overview["curated"]["schedule"] == "à chaque « guichet init »"
    assert {"eu-funding-tenders", "aides-territoires", "ademe-agir", "culture", "ile-de-france", "curated"} <= set(overview)
    with scraper_app.extensions["guichet.db"].session() as session:
        assert session.scalar(select(ScrapeRun.errored).where(ScrapeRun.id == run.id)) == 2


def test_dry_run_stores_nothing(scraper_app, replay_server):
    records = run_source(scraper_app, "culture", dry_run=True)
    assert [record["id"] for record in records] == ["culture-402118", "culture-402377", "culture-402590",
                                                    "culture-402611"]
    assert stored(scraper_app, "culture") == {}


def replay_server_path(slug, name):
    from tests.fixtures.replay import RECORDED

    return RECORDED / slug / name


def test_the_curated_source_never_closes_programmes_written_in_the_back_office(app, make_programme):
    from guichet.programmes.models import Programme
    from guichet.sources.services import run_source

    written_by_hand = make_programme(id="curated-plan-local-velo", source="curated", source_id="plan-local-velo")
    run = run_source(app, "curated")
    assert run.status == "success" and run.seen >= 40 and run.closed == 0
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            assert session.get(Programme, written_by_hand).closed_at is None


def test_a_listing_with_unreadable_entries_closes_nothing(scraper_app, replay_server):
    run_source(scraper_app, "ile-de-france")
    body = json.loads((replay_server_path("ile-de-france", "aides.json")).read_text(encoding="utf-8"))
    broken = [dict(item) for item in body]
    del broken[3]["reference"]  # its id cannot be read: the record is unseen, not gone
    replay_server.add("GET", first_request("ile-de-france", scraper_app).full_url, json_body=broken)

    run = run_source(scraper_app, "ile-de-france")

    assert (run.status, run.closed, run.errored, run.seen) == ("partial", 0, 1, 3)
    assert "1 élément(s) de la liste illisibles : aucun programme n’a été clos" in run.message
    assert all(programme.closed_at is None for programme in stored(scraper_app, "ile-de-france").values())
