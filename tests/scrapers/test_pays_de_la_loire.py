"""Pays de la Loire: OpenDataSoft records, paged through their ``next`` link."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run)

SLUG = "pays-de-la-loire"
RECORDS = ("https://data.paysdelaloire.fr/api/explore/v2.0/catalog/datasets/"
           "234400034_referentiel-aides-paysdelaloirefr/records")


def test_a_full_run_follows_the_next_links(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored, result.seen) == ("success", 5, 0, 5)
    assert [request.query for request in replay_server.requests_to("data.paysdelaloire.fr") if request.path != "/robots.txt"] \
        == ["limit=100&offset=0", "limit=100&offset=3"]
    stored = programmes(scraper_app, SLUG)
    rural = stored["pays-de-la-loire-PDL-1203"]
    assert rural.title == "Fonds régional de soutien aux petites communes rurales"
    assert (rural.population_min, rural.population_max) == (None, 1999)
    assert rural.opens_on == date(2026, 1, 1) and rural.deadlines == ["2027-12-31"]
    assert rural.amount_max == 100000.0 and rural.beneficiaries == ["commune"] and rural.regions == ["52"]
    mobility = stored["pays-de-la-loire-PDL-0877"]
    assert mobility.source_url == "https://www.paysdelaloire.fr/les-aides/mobilites-durables-covoiturage-et-poles-dechanges"
    assert mobility.recurrence == "permanente" and "mobilite" in mobility.themes
    sport = stored["pays-de-la-loire-PDL-0990"]
    assert (sport.population_min, sport.population_max) == (10000, None)
    shops = stored["pays-de-la-loire-PDL-1301"]
    assert shops.beneficiaries == ["entreprise"] and shops.population_max == 4999 and shops.amount_max == 7500.0
    assert "<h2>Conditions</h2>" in rural.description_html


def test_an_error_answer_instead_of_records_is_a_parse_error(scraper_app, replay_server):
    replay_server.add("GET", RECORDS + "?limit=100&offset=0",
               body=fixture_path(SLUG, "records-unexpected-layout.json").read_bytes(),
               headers={"Content-Type": "application/json"})
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Pays de la Loire")


def test_dry_run_from_the_saved_first_page(scraper_runner, replay_server):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "records-offset-0.json"))
    assert [record["source_id"] for record in records] == ["PDL-1203", "PDL-0877", "PDL-1150"]
    assert records[2]["status"] == "clos" and records[2]["is_call_for_projects"]
    for record in records:
        check_record_html(record, "https://www.paysdelaloire.fr/")
    assert replay_server.requests == []  # a JSON source without detail pages: nothing asked
