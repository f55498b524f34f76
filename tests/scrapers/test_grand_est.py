"""Grand Est: list filtered on collectivités (odd pagination), then the detail pages."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run, runs, serve_instead)

SLUG = "grand-est"
BASE = "https://www.grandest.fr/aides/"


def test_a_full_run_follows_the_odd_pagination_and_reads_every_page(scraper_app, replay_server):
    result = run(scraper_app, SLUG)

    assert (result.status, result.added, result.errored, result.seen) == ("success", 5, 0, 5)
    list_requests = [request for request in replay_server.requests_to("www.grandest.fr") if "page" in request.path
                     or request.path == "/aides/"]
    # The site only honours the page when pg=N is repeated in the query.
    assert [(request.path, request.query) for request in list_requests] == [
        ("/aides/", "beneficiaire=63"), ("/aides/page/2/", "beneficiaire=63&pg=2")]
    stored = programmes(scraper_app, SLUG)
    rural = stored["grand-est-soutien-a-linvestissement-des-communes-rurales"]
    assert rural.title == "Soutien à l’investissement des communes rurales"  # og:title without the site suffix
    assert rural.source_url == BASE + "soutien-a-linvestissement-des-communes-rurales/"
    assert (rural.population_min, rural.population_max) == (None, 1999)
    assert rural.deadlines == ["2027-03-31"]
    assert (rural.rate_min, rural.rate_max, rural.amount_max) == (20.0, 40.0, 150000.0)
    assert rural.funders == ["Région Grand Est"] and rural.level == "regional" and rural.regions == ["44"]
    assert "commune" in rural.beneficiaries
    assert rural.application_url.startswith("https://aides.grandest.fr/")
    assert "territoires@grandest.fr" in rural.contact and "Contact" not in rural.contact
    assert rural.state == "pending"
    assert 'href="https://www.grandest.fr/wp-content/uploads/2026/01/reglement-communes-rurales.pdf"' in rural.description_html
    assert "<script" not in rural.description_html and "onerror" not in rural.description_html

    centres = stored["grand-est-appel-a-projets-revitalisation-des-bourgs-centres"]
    assert centres.is_call_for_projects
    assert (centres.population_min, centres.population_max) == (2000, 10000)  # "40 projets" is no population
    assert centres.opens_on == date(2026, 9, 15) and centres.deadlines == ["2027-01-15"]
    assert centres.application_url == "https://www.grandest.fr/candidater/bourgs-centres/"  # "../../" resolved

    sport = stored["grand-est-soutien-aux-equipements-sportifs-de-proximite"]
    # "les villes de 50 000 habitants et plus ne sont pas éligibles"
    assert (sport.population_min, sport.population_max) == (None, 49999)
    assert sport.recurrence == "permanente" and sport.deadlines == []
    assert "culture-patrimoine-sport/sport" in sport.themes
    tiers_lieux = stored["grand-est-fonds-de-soutien-aux-tiers-lieux-2025"]
    assert tiers_lieux.population_min == 1000 and tiers_lieux.deadlines == ["2026-06-30"]


def test_a_second_run_finds_nothing_new(scraper_app):
    run(scraper_app, SLUG)
    again = run(scraper_app, SLUG)
    assert (again.status, again.added, again.updated, again.unchanged, again.closed) == ("success", 0, 0, 5, 0)


def test_a_redesigned_list_page_is_a_parse_error_not_an_empty_success(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "?beneficiaire=63", SLUG, "list-unexpected-layout.html")
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Grand Est")
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert "a.card" in error.message


def test_a_detail_page_in_another_layout_is_that_records_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "climaxion-renovation-basse-consommation-des-batiments-publics/", SLUG,
                  "detail-unexpected-layout.html")
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 4, 1)
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert error.stage == "parse" and error.record_id == "grand-est-climaxion-renovation-basse-consommation-des-batiments-publics"
    assert "Grand Est" in error.message and "og:title" in error.message


def test_dry_run_from_the_saved_list_response(scraper_runner, replay_server):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "list-page-1.html"))
    # The file is the first list page: its three cards, their details through the replay_server server.
    assert [record["source_id"] for record in records] == [
        "soutien-a-linvestissement-des-communes-rurales",
        "climaxion-renovation-basse-consommation-des-batiments-publics",
        "appel-a-projets-revitalisation-des-bourgs-centres"]
    for record in records:
        check_record_html(record, BASE)
        assert record["level"] == "regional" and record["regions"] == ["44"]
    assert records[0]["deadlines"] == ["2027-03-31"] and records[0]["next_deadline"] == "2027-03-31"
    assert not any(request.query.endswith("pg=2") for request in replay_server.requests)  # no further list page
