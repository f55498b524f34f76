"""Pays de la Loire: OpenDataSoft search API v1 records (the public importers' format), paged by ``start``."""

from datetime import date

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (check_layout_change_is_a_clear_error, check_record_html, dry_run_json,
                                             fixture_path, programmes, recorded_path, run)

SLUG = "pays-de-la-loire"
RECORDS = "https://data.paysdelaloire.fr/api/records/1.0/search/"
DATASET = "234400034_referentiel-aides-paysdelaloirefr"


def test_a_full_run_pages_until_nhits(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored, result.seen) == ("success", 5, 0, 5)
    assert [request.query for request in replay_server.requests_to("data.paysdelaloire.fr") if request.path != "/robots.txt"] \
        == [f"dataset={DATASET}&rows=100&start=0", f"dataset={DATASET}&rows=100&start=3"]
    stored = programmes(scraper_app, SLUG)
    rural = stored["pays-de-la-loire-1203"]
    assert rural.title == "Fonds régional de soutien aux petites communes rurales"
    assert (rural.population_min, rural.population_max) == (None, 1999)
    assert rural.opens_on == date(2026, 1, 1) and rural.deadlines == ["2027-12-31"]
    assert rural.amount_max == 100000.0 and rural.regions == ["52"]
    # « Collectivités - Institutions - GIP » (the importers' mapping)
    assert rural.beneficiaries == ["commune", "epci", "departement", "etablissement_public"]
    assert rural.aid_types == ["subvention"] and rural.recurrence == "ponctuelle"
    assert "Direction de l'aménagement des territoires" in rural.contact
    mobility = stored["pays-de-la-loire-0877"]
    assert mobility.source_url == "https://www.paysdelaloire.fr/les-aides/mobilites-durables-covoiturage-et-poles-dechanges"
    assert mobility.recurrence == "permanente" and "mobilite" in mobility.themes
    sport = stored["pays-de-la-loire-0990"]
    assert (sport.population_min, sport.population_max) == (10000, None)
    shops = stored["pays-de-la-loire-1301"]
    assert shops.beneficiaries == ["entreprise"] and shops.population_max == 4999 and shops.amount_max == 7500.0
    assert shops.amount_min == 5000.0
    assert "<h2>Conditions</h2>" in rural.description_html


def test_an_error_answer_instead_of_records_is_a_parse_error(scraper_app, replay_server):
    replay_server.add("GET", RECORDS + f"?dataset={DATASET}&rows=100&start=0",
               body=fixture_path(SLUG, "records-unexpected-layout.json").read_bytes(),
               headers={"Content-Type": "application/json"})
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Pays de la Loire")


def test_dry_run_from_the_saved_first_page(scraper_runner, replay_server):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "records-start-0.json"))
    assert [record["source_id"] for record in records] == ["1203", "0877", "1150"]
    assert records[2]["status"] == "clos" and records[2]["is_call_for_projects"]
    for record in records:
        check_record_html(record, "https://www.paysdelaloire.fr/")
    assert replay_server.requests == []  # a JSON source without detail pages: nothing asked
