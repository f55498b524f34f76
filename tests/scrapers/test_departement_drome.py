"""Drôme: the Aides-territoires-shaped JSON of the département's catalogue."""

import pytest

from tests.scrapers.regional_support import *  # noqa: F401,F403 (fixtures)
from tests.scrapers.regional_support import (SHARED_SOURCES, check_layout_change_is_a_clear_error, dry_run_json,
                                             fixture_path, programmes, recorded_path, run)

SLUG = "departement-drome"
AIDS = "https://collectivites.ladrome.fr/wp-json/aides-territoires/v1/aides/"


def test_a_full_run_follows_next(scraper_app, replay_server):
    result = run(scraper_app, SLUG)
    assert (result.status, result.added, result.errored, result.seen) == ("success", 4, 0, 4)
    stored = programmes(scraper_app, SLUG)
    roads = stored["departement-drome-412"]
    assert roads.level == "departmental" and roads.departments == ["26"] and roads.regions == []
    assert roads.funders == ["Département de la Drôme"]  # "Conseil Départemental de la Drôme"
    assert (roads.population_min, roads.population_max) == (None, 1999)
    assert roads.summary.startswith("Soutenir l’entretien")  # the upper-case section label is a heading
    assert "<h3>Objectif</h3>" in roads.description_html
    assert 'href="https://collectivites.ladrome.fr/wp-content/uploads/2026/01/reglement-voirie.pdf"' in roads.description_html
    assert "mobilite/voirie" in roads.themes and roads.recurrence == "permanente"
    water = stored["departement-drome-415"]
    assert water.is_call_for_projects and water.deadlines == ["2027-02-15"] and water.rate_max == 40.0
    assert (water.population_min, water.population_max) == (1000, 10000)
    assert "<script" not in water.description_html
    energy = stored["departement-drome-420"]
    assert energy.aid_types == ["ingenierie"] and "etablissement_public" in energy.beneficiaries
    assert energy.funders == ["Agence de l'énergie de la Drôme"]


def test_an_answer_without_results_is_a_parse_error(scraper_app, replay_server):
    replay_server.add("GET", AIDS + "?page=1", status=200, headers={"Content-Type": "application/json"},
               body=fixture_path(SLUG, "aides-unexpected-layout.json").read_bytes())
    check_layout_change_is_a_clear_error(scraper_app, SLUG, "Drôme")


def test_dry_run_from_the_saved_first_page(scraper_runner):
    records = dry_run_json(scraper_runner, SLUG, recorded_path(SLUG, "aides-page-1.json"))
    assert [record["id"] for record in records] == ["departement-drome-412", "departement-drome-415"]


def test_dry_run_parses_the_real_sample(scraper_runner):
    sample = SHARED_SOURCES / "aides-territoires-fixture-departement_drome_data.json"
    if not sample.exists():
        pytest.skip("the real payloads are not beside the project on this machine")
    records = dry_run_json(scraper_runner, SLUG, sample)
    assert [record["source_id"] for record in records] == ["162", "338", "650"]
    first = records[0]
    assert first["title"] == "Développement d’une alimentation de proximité"
    assert first["funders"] == ["Chambre d’agriculture de la Drôme"]
    assert first["departments"] == ["26"] and first["level"] == "departmental"
    assert first["beneficiaries"] == ["commune", "epci", "association", "particulier"]
    assert first["aid_types"] == ["ingenierie"] and first["recurrence"] == "permanente"
    assert first["themes"] == ["environnement", "environnement/alimentation"]
    assert first["source_url"] == "https://collectivites.ladrome.fr/service/developpement-dune-alimentation-de-proximite/"
    assert all(record["funders"] for record in records)
    assert records[1]["funders"] == ["Département de la Drôme"]
