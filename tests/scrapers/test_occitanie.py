"""Occitanie: the region's JSON feed (the public importer's field names; no closing date field)."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             programmes, recorded_path, run, runs)

SLUG = "occitanie"
EXPORT = ("https://data.laregion.fr/explore/dataset/aides-et-appels-a-projets-de-la-region-occitanie/download/"
          "?format=json")


def test_a_full_run_reads_the_feed(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("success", 4, 0)
    stored = programmes(scraper_app, SLUG)
    village = stored["occitanie-31114"]  # the SPIP article
    assert village.title == "Appel à projets « Cœur de village »"
    assert village.is_call_for_projects and village.opens_on == date(2026, 9, 7)
    assert village.deadlines == ["2027-02-28"]
    assert (village.population_min, village.population_max) == (None, 3499)
    assert village.application_url == "https://www.laregion.fr/Plateforme-des-aides"
    assert 'href="https://www.laregion.fr/IMG/pdf/reglement-aap-coeur-de-village.pdf"' in village.description_html
    assert village.regions == ["76"] and village.funders == ["Région Occitanie"]
    contracts = stored["occitanie-24482"]
    # "prioritaires" sizes are no eligibility rule; "au fil de l'eau": a standing scheme.
    assert (contracts.population_min, contracts.population_max) == (None, None)
    assert contracts.recurrence == "permanente" and not contracts.is_call_for_projects
    water = stored["occitanie-30087"]
    assert water.source_url == "https://www.laregion.fr/AAP-Eau-et-biodiversite"  # relative link in the export
    assert water.deadlines == ["2026-06-30"]  # read from the text: the feed has no closing date
    assert "eau-assainissement" in water.themes  # « thematiques »: "Environnement, Eau"
    assert village.contact == "Direction de l’Aménagement du territoire – 05 61 33 50 50"
    assert [request.path for request in replay_server.requests_to("www.laregion.fr")] == []  # no page fetched
    culture = stored["occitanie-27519"]
    assert (culture.population_min, culture.population_max) == (2000, 30000)
    assert "culture-patrimoine-sport/culture" in culture.themes


def test_an_export_that_is_no_longer_a_list_is_a_parse_error(scraper_app, replay_server):
    replay_server.add("GET", EXPORT, json_body={"error": "Unknown dataset: aides-et-appels-a-projets-de-la-region-occitanie"})
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Occitanie")


def test_an_aid_without_its_page_is_that_records_error(scraper_app, replay_server):
    import json

    items = json.loads(recorded_path(SLUG, "export.json").read_text(encoding="utf-8"))
    items[3]["url"] = ""
    replay_server.add("GET", EXPORT, json_body=items)
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored) == ("partial", 3, 1)
    [error] = runs(scraper_app, SLUG)[-1].errors
    assert error.stage == "parse" and "27519 : aide sans lien vers sa page" in error.message


def test_dry_run_from_the_saved_export(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "export.json"))
    assert [record["source_id"] for record in records] == ["31114", "24482", "30087", "27519"]
    for record in records:
        check_record_html(record, "https://www.laregion.fr/")
