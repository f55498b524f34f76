"""Nouvelle-Aquitaine: the JSON feed of the aid sheets (the public importer's field names)."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             programmes, recorded_path, run, runs, serve_instead)

SLUG = "nouvelle-aquitaine"
BASE = "https://les-aides.nouvelle-aquitaine.fr/"
SHEETS = {"4521": "revitalisation-des-centres-bourgs-et-centres-villes", "4610": "appel-projets-tiers-lieux-solidaires",
          "3987": "restauration-des-cours-deau-et-des-zones-humides", "3702": "mobilites-du-quotidien-amenagements-cyclables"}


def test_a_full_run_reads_the_feed(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("success", 4, 0)
    stored = programmes(scraper_app, SLUG)
    # The sheet's address is its only id (the importer's « Lien »): its last segment.
    assert set(stored) == {f"nouvelle-aquitaine-{slug}" for slug in SHEETS.values()}
    centres = stored["nouvelle-aquitaine-revitalisation-des-centres-bourgs-et-centres-villes"]
    assert centres.title == "Revitalisation des centres-bourgs et centres-villes"
    assert centres.summary.startswith("Soutenir les projets globaux")
    assert (centres.population_min, centres.population_max) == (None, 19999)
    assert centres.deadlines == ["2027-03-31"] and not centres.is_call_for_projects
    assert centres.application_url == BASE + "deposer-une-demande?fiche=4521"
    assert "Bordeaux" in centres.contact and centres.regions == ["75"]
    assert "<iframe" not in centres.description_html

    tiers_lieux = stored["nouvelle-aquitaine-appel-projets-tiers-lieux-solidaires"]
    # Its « Lien » is relative; dates from « Date de début » / « Date de fin ».
    assert tiers_lieux.source_url == BASE + "economie-sociale-et-solidaire/appel-projets-tiers-lieux-solidaires"
    assert tiers_lieux.is_call_for_projects
    assert tiers_lieux.opens_on == date(2026, 10, 1) and tiers_lieux.deadlines == ["2027-02-15"]
    assert tiers_lieux.population_max == 5000  # "5 000 habitants au plus"
    assert {"commune", "epci", "association"} <= set(tiers_lieux.beneficiaries)
    assert 'href="https://les-aides.nouvelle-aquitaine.fr/sites/default/files/2026-10/cahier-des-charges-tiers-lieux.pdf"' \
        in tiers_lieux.description_html
    rivers = stored["nouvelle-aquitaine-restauration-des-cours-deau-et-des-zones-humides"]
    assert rivers.recurrence == "permanente" and rivers.deadlines == []
    assert stored["nouvelle-aquitaine-mobilites-du-quotidien-amenagements-cyclables"].population_max == 99999
    # « Profils » (the importer's mapping) and « Thématiques »
    assert rivers.beneficiaries == ["commune", "epci", "departement", "region", "association"]
    assert "revitalisation-commerce/tiers-lieux" in tiers_lieux.themes
    assert [request.path for request in replay_server.requests_to("les-aides.nouvelle-aquitaine.fr")
            if request.path != "/robots.txt"] == ["/fiches.json"]  # no sheet page fetched


def test_the_feed_answers_304_the_second_time(scraper_app, replay_server):
    run(scraper_app, SLUG)
    again = run(scraper_app, SLUG)
    assert (again.status, again.added, again.updated, again.unchanged) == ("success", 0, 0, 4)
    feed_answers = [request for request in replay_server.requests_to("les-aides.nouvelle-aquitaine.fr", "/fiches.json")]
    assert len(feed_answers) == 2 and "If-None-Match" in feed_answers[1].headers


def test_a_feed_replaced_by_a_page_is_a_parse_error(scraper_app, replay_server):
    serve_instead(replay_server, BASE + "fiches.json", SLUG, "feed-unexpected-layout.html")
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Nouvelle-Aquitaine")


def test_a_sheet_without_its_link_is_that_records_error(scraper_app, replay_server):
    import json

    sheets = json.loads(recorded_path(SLUG, "fiches.json").read_text(encoding="utf-8"))
    sheets[2]["Lien"] = None
    sheets[3]["Objectifs"] = {"texte": "un objet au lieu de HTML"}
    replay_server.add("GET", BASE + "fiches.json", json_body=sheets)
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 2, 2)
    messages = sorted(error.message for error in runs(scraper_app, SLUG)[-1].errors)
    assert "fiche sans « Lien »" in messages[1] or "fiche sans « Lien »" in messages[0]
    assert any("« Objectifs » : du texte était attendu" in message for message in messages)


def test_dry_run_from_the_saved_feed(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "fiches.json"))
    assert [record["source_id"] for record in records] == list(SHEETS.values())
    for record in records:
        check_record_html(record, BASE)
    assert records[3]["status"] == "clos"  # closed ones are printed too
