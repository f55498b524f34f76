"""Bpifrance: calls for projects and competitions, only those open to local authorities or public bodies."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run, runs, serve_instead)

SLUG = "bpifrance"
BASE = "https://www.bpifrance.fr/nos-appels-a-projets-concours"


def test_only_calls_open_to_public_bodies_are_kept(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("success", 3, 0)
    stored = programmes(scraper_app, SLUG)
    assert set(stored) == {
        "bpifrance-appel-a-projets-france-2030-solutions-innovantes-pour-les-territoires",
        "bpifrance-appel-a-projets-tourisme-durable-hebergements-communaux",
        "bpifrance-appel-a-projets-ia-au-service-des-collectivites"}
    # Calls for companies only (i-Nov, Industrie verte) are skipped at the list: their pages are never asked.
    asked = {request.path for request in replay_server.requests_to("www.bpifrance.fr")}
    assert not any("i-nov" in path or "industrie-verte" in path for path in asked)
    territories = stored["bpifrance-appel-a-projets-france-2030-solutions-innovantes-pour-les-territoires"]
    assert territories.funders == ["Bpifrance", "État"]  # France 2030, run for the State
    assert territories.opens_on == date(2026, 9, 15) and territories.deadlines == ["2027-02-16"]
    assert {"subvention", "avance_remboursable"} <= set(territories.aid_types)
    assert territories.application_url == "https://extranet.bpifrance.fr/france2030/"
    tourism = stored["bpifrance-appel-a-projets-tourisme-durable-hebergements-communaux"]
    assert tourism.population_max == 4999 and tourism.rate_max == 80.0 and tourism.amount_max == 200000.0
    assert tourism.deadlines == ["2026-06-30"]
    assert "etablissement_public" in stored["bpifrance-appel-a-projets-ia-au-service-des-collectivites"].beneficiaries


def test_a_challenge_page_instead_of_the_list_is_a_parse_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE, SLUG, "list-unexpected-layout.html")
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Bpifrance")


def test_a_call_page_in_another_layout_is_that_records_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "/appel-a-projets-ia-au-service-des-collectivites", SLUG,
                  "detail-unexpected-layout.html")
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 2, 1)
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert error.stage == "parse" and "Bpifrance" in error.message


def test_dry_run_from_the_saved_list_page(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "list-page-0.html"))
    assert [record["source_id"] for record in records] == [
        "appel-a-projets-france-2030-solutions-innovantes-pour-les-territoires",
        "appel-a-projets-tourisme-durable-hebergements-communaux"]
    for record in records:
        check_record_html(record, BASE)
