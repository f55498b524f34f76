"""A saved search on a commune (commune=<INSEE>): the digest holds what that town can apply for."""

from pathlib import Path

import pytest

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "communes"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "COMMUNES_DATA_DIR": str(FIXTURE_DATA)}


def test_a_commune_search_digest_has_exactly_the_programmes_the_town_is_eligible_for(
        app, smtp_server, subscribe, make_programme, run_digests):
    from guichet.communes.reference import load_reference

    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    subscribe("mairie@beauvais.example", "commune=60057&theme=mobilite", "weekly")  # Beauvais, Oise (60)
    make_programme(title="Mobilités actives partout en France", themes=["mobilite"])
    make_programme(title="Vélo dans l'Oise", themes=["mobilite"], level="departmental", departments=["60"])
    make_programme(title="Vélo dans la Drôme", themes=["mobilite"], level="departmental", departments=["26"])
    make_programme(title="Vélo des villages", themes=["mobilite"], population_max=3500)
    make_programme(title="Vélo pour les entreprises", themes=["mobilite"], beneficiaries=["entreprise"])

    assert run_digests("weekly").sent == 1
    [received] = smtp_server.messages
    assert received.subject == "2 nouveaux programmes pour Beauvais — Guichet"
    assert "Commune : Beauvais (60057)" in received.text
    assert "Mobilités actives partout en France" in received.text and "Vélo dans l'Oise" in received.text
    for absent in ("Drôme", "Vélo des villages", "Vélo pour les entreprises"):
        assert absent not in received.text
    assert "https://guichet.test/?theme=mobilite&commune=60057" in received.text
