"""Nouvelle-Aquitaine: the RSS feed of the aid sheets, then each sheet's page."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run, runs, serve_instead)

SLUG = "nouvelle-aquitaine"
BASE = "https://les-aides.nouvelle-aquitaine.fr/"


def test_a_full_run_reads_the_feed_then_every_sheet(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("success", 4, 0)
    stored = programmes(scraper_app, SLUG)
    # The id is Drupal's node number from the guid, not the address.
    assert set(stored) == {"nouvelle-aquitaine-4521", "nouvelle-aquitaine-4610", "nouvelle-aquitaine-3987",
                           "nouvelle-aquitaine-3702"}
    centres = stored["nouvelle-aquitaine-4521"]
    assert centres.title == "Revitalisation des centres-bourgs et centres-villes"
    assert centres.summary.startswith("Soutenir les projets globaux")
    assert (centres.population_min, centres.population_max) == (None, 19999)
    assert centres.deadlines == ["2027-03-31"] and not centres.is_call_for_projects
    assert centres.application_url == BASE + "deposer-une-demande?fiche=4521"
    assert "Bordeaux" in centres.contact and centres.regions == ["75"]
    assert "<iframe" not in centres.description_html

    tiers_lieux = stored["nouvelle-aquitaine-4610"]
    # Its feed link is relative; "Appel à projets" tag; dates from the key facts.
    assert tiers_lieux.source_url == BASE + "economie-sociale-et-solidaire/appel-projets-tiers-lieux-solidaires"
    assert tiers_lieux.is_call_for_projects
    assert tiers_lieux.opens_on == date(2026, 10, 1) and tiers_lieux.deadlines == ["2027-02-15"]
    assert tiers_lieux.population_max == 5000  # "5 000 habitants au plus"
    assert {"commune", "epci", "association"} <= set(tiers_lieux.beneficiaries)
    assert 'href="https://les-aides.nouvelle-aquitaine.fr/sites/default/files/2026-10/cahier-des-charges-tiers-lieux.pdf"' \
        in tiers_lieux.description_html
    rivers = stored["nouvelle-aquitaine-3987"]
    assert rivers.recurrence == "permanente" and rivers.deadlines == []
    assert stored["nouvelle-aquitaine-3702"].population_max == 99999


def test_the_feed_answers_304_the_second_time(scraper_app, replay_server):
    run(scraper_app, SLUG)
    again = run(scraper_app, SLUG)
    assert (again.status, again.added, again.updated, again.unchanged) == ("success", 0, 0, 4)
    feed_answers = [request for request in replay_server.requests_to("les-aides.nouvelle-aquitaine.fr", "/fiches-rss.xml")]
    assert len(feed_answers) == 2 and "If-None-Match" in feed_answers[1].headers


def test_a_feed_replaced_by_a_page_is_a_parse_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "fiches-rss.xml", SLUG, "feed-unexpected-layout.html")
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Nouvelle-Aquitaine")


def test_a_sheet_in_another_layout_is_that_records_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "environnement/restauration-des-cours-deau-et-des-zones-humides", SLUG,
                  "detail-unexpected-layout.html")
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 3, 1)
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert (error.stage, error.record_id) == ("parse", "nouvelle-aquitaine-3987")
    assert "h1.headline-aide" in error.message


def test_dry_run_from_the_saved_feed(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "fiches-rss.xml"))
    assert [record["source_id"] for record in records] == ["4521", "4610", "3987", "3702"]
    for record in records:
        check_record_html(record, BASE)
    assert records[3]["status"] == "clos"  # closed ones are printed too
