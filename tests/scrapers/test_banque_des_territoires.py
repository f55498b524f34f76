"""Banque des Territoires: the Drupal list of calls (pages from 0), then each call's page."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run, runs, serve_instead)

SLUG = "banque-des-territoires"
BASE = "https://www.banquedesterritoires.fr/"


def test_a_full_run_reads_both_list_pages_and_every_call(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("success", 4, 0)
    assert [request.query for request in replay_server.requests_to("www.banquedesterritoires.fr",
                                                            "/appels-a-projets-et-manifestations-d-interet")] == ["", "page=1"]
    stored = programmes(scraper_app, SLUG)
    industry = stored["banque-des-territoires-28761"]  # Drupal's node id
    assert industry.title == "AMI « Territoires d’industrie en transition »"
    assert industry.opens_on == date(2026, 11, 2) and industry.deadlines == ["2027-01-29"]
    assert (industry.population_min, industry.population_max) == (5000, 50000)
    assert industry.application_url == BASE + "form/candidature-ami-territoires-industrie"
    assert industry.is_call_for_projects and industry.funders == ["Banque des Territoires"]
    assert industry.level == "national" and industry.regions == [] and industry.departments == []
    assert {"pret", "ingenierie"} <= set(industry.aid_types)
    friches = stored["banque-des-territoires-29104"]
    assert (friches.population_min, friches.population_max) == (None, None)
    assert "urbanisme-logement/friches" in friches.themes
    schools = stored["banque-des-territoires-27440"]  # an h2 card title
    assert schools.population_max == 3499 and schools.deadlines == ["2026-05-31"]
    assert stored["banque-des-territoires-29310"].population_max == 19999


def test_a_list_rendered_by_javascript_is_a_parse_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "appels-a-projets-et-manifestations-d-interet", SLUG, "list-unexpected-layout.html")
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Banque des Territoires")


def test_a_call_page_in_another_layout_is_that_records_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "appel-projets-ecoles-numeriques-rurales", SLUG, "detail-unexpected-layout.html")
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 3, 1)
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert (error.stage, error.record_id) == ("parse", "banque-des-territoires-27440")
    assert "Banque des Territoires" in error.message


def test_dry_run_from_the_saved_list_page(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "list-page-0.html"))
    assert [record["source_id"] for record in records] == ["28761", "29104", "27440"]
    for record in records:
        check_record_html(record, BASE)
