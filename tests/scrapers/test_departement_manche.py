"""Manche: the département's JSON ``{count, aides}``, paged until ``count`` aids are read."""

import pytest

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (SHARED_SOURCES, check_layout_change_is_a_clear_error, dry_run_json,
                                             fixture_path, programmes, run)

SLUG = "departement-manche"
AIDS = "https://www.manche.fr/wp-json/cd50/v1/aides-territoires"


def test_a_full_run_asks_pages_until_count(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored, result.seen) == ("success", 4, 0, 4)
    assert [request.query for request in replay_server.requests_to("www.manche.fr") if request.path != "/robots.txt"] == [
        "page=1", "page=2"]
    stored = programmes(scraper_app, SLUG)
    contract = stored["departement-manche-41210"]
    assert contract.departments == ["50"] and contract.funders == ["Département de la Manche"]
    assert (contract.population_min, contract.population_max) == (None, 3499)
    assert (contract.rate_min, contract.rate_max) == (20.0, 40.0)
    assert contract.aid_types == ["subvention"]  # "Contrat de territoire …" is a grant programme
    assert contract.aid_programmes and all("ontrat de territoire" in name for name in contract.aid_programmes)
    assert "Contrat de territoire" not in contract.description_html  # a field of its own, not the text
    assert "02.33.05.55.50" in contract.contact
    hedges = stored["departement-manche-41233"]
    assert hedges.is_call_for_projects and hedges.deadlines == ["2027-01-31"] and "agriculteur" in hedges.beneficiaries
    heritage = stored["departement-manche-41250"]
    assert heritage.population_max == 1999 and heritage.source_updated_at.year == 2025  # "T16: 08: 40" read
    rescue = stored["departement-manche-41255"]
    assert rescue.title == "Aide départementale à l’équipement des centres de secours"  # &rsquo; decoded
    assert set(rescue.beneficiaries) == {"commune", "etablissement_public"}


def test_an_answer_without_aides_is_a_parse_error(scraper_app, replay_server):
    replay_server.add("GET", AIDS + "?page=1", headers={"Content-Type": "application/json"},
               body=fixture_path(SLUG, "aides-unexpected-layout.json").read_bytes())
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Manche")


def test_dry_run_parses_the_real_sample(scraper_runner):
    sample = SHARED_SOURCES / "aides-territoires-fixture-departement_manche_data.json"
    if not sample.exists():
        pytest.skip("the real payloads are not beside the project on this machine")
    records = dry_run_json(scraper_runner, SLUG, sample)
    assert len(records) == 10  # every record the response holds, its editors' test sheets included
    by_id = {record["source_id"]: record for record in records}
    assert by_id["36021"]["title"] == "Appel à projets pour une mise en place d’un centre parental d’une capacité de 20 places"
    assert by_id["36021"]["is_call_for_projects"] and by_id["36021"]["beneficiaries"] == ["association"]
    assert set(by_id["39620"]["beneficiaries"]) == {"association", "commune", "etablissement_public"}
    assert by_id["30788"]["source_updated_at"] == "2023-08-04T02:30:18"
    assert all(record["departments"] == ["50"] and record["level"] == "departmental" for record in records)
