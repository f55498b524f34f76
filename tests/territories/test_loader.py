"""The official lists as loaded for every commune (the real files shipped in guichet/territories/data)."""

import pytest
from sqlalchemy import func, select

from guichet.territories import density_level, density_levels
from guichet.territories.lists import LISTS
from guichet.territories.models import CommuneTerritory, TerritoryList
from guichet.territories.services import conditions_for, labels, territory_of
from tests.territories.conftest import with_territories

LUNEVILLE, NEVERS, SAINT_AMAND, SAINT_DENIS_REUNION = "54329", "58194", "18197", "97411"
LES_BORDES_SUR_ARIZE = "09061"  # Ariège, Pyrénées: a village of about 460 inhabitants
CONQUES_EN_ROUERGUE, CONQUES = "12218", "12076"  # Conques merged into Conques-en-Rouergue (2016)


@pytest.fixture
def app_config(app_config, territories_store, tmp_path):
    return with_territories(app_config, territories_store, tmp_path)


def texts(session, code):
    return [label.text for label in labels(territory_of(session, code))]


def test_every_list_is_loaded_with_its_size(db_session):
    loaded = {item.key: item for item in db_session.scalars(select(TerritoryList)) if item.key in LISTS}
    assert loaded["acv"].rows == 246 and loaded["qpv"].rows == 1_684 and loaded["montagne"].rows == 8_594
    assert all(item.origin == "shipped" for item in loaded.values())
    # Every list code finds today's commune (old codes through the reference's aliases) ...
    assert all(item.unmatched == 0 for key, item in loaded.items() if key != "territoires-industrie")
    # ... but the EPT of the Grand Paris, which are no EPCI: the croisement table covers them.
    assert loaded["territoires-industrie"].unmatched < 20
    count = lambda *where: db_session.scalar(select(func.count()).select_from(CommuneTerritory).where(*where))  # noqa: E731
    assert count(CommuneTerritory.acv_id.is_not(None)) == 246
    assert 1_640 <= count(CommuneTerritory.pvd_id.is_not(None)) <= 1_653
    assert count(CommuneTerritory.qpv != "[]") == 824
    assert count(CommuneTerritory.massif.is_not(None)) == 8_594
    assert count(CommuneTerritory.frr == "socle") == 13_313


def test_luneville_acv_frr_socle(db_session):
    labels_of = texts(db_session, LUNEVILLE)
    assert "Action Cœur de ville — convention de Lunéville" in labels_of
    assert "France Ruralités Revitalisation : FRR socle" in labels_of
    assert "2 quartiers prioritaires : Centre Ancien ; Niederbronn - Zola" in labels_of
    assert "ORT signée le 25 juillet 2019" in labels_of
    full, partial = conditions_for(db_session, LUNEVILLE)
    assert {"acv", "frr", "qpv", "ort", "territoires-industrie"} <= full and "pvd" not in full and not partial


def test_nevers_acv_and_qpv(db_session):
    labels_of = texts(db_session, NEVERS)
    assert "Action Cœur de ville — convention de Nevers" in labels_of
    assert "Action Cœur de ville — « entrées de ville »" in labels_of
    assert any(text.startswith("3 quartiers prioritaires : ") and "Le Banlay" in text for text in labels_of)
    assert "2 France services" in labels_of
    full, _partial = conditions_for(db_session, NEVERS)
    assert {"acv", "qpv"} <= full and "frr" not in full and "rural" not in full


def test_saint_amand_montrond_pvd_not_acv(db_session):
    labels_of = texts(db_session, SAINT_AMAND)
    assert "Petite ville de demain (signée le 12 avril 2021)" in labels_of
    assert "ORT signée le 17 décembre 2020" in labels_of and "2 France services" in labels_of
    assert not any(text.startswith("Action Cœur de ville") for text in labels_of)
    full, _partial = conditions_for(db_session, SAINT_AMAND)
    assert "pvd" in full and "acv" not in full


def test_a_village_in_a_massif(db_session):
    labels_of = texts(db_session, LES_BORDES_SUR_ARIZE)
    assert "Commune de montagne — Massif des Pyrénées" in labels_of
    assert "Village d’avenir" in labels_of
    full, _partial = conditions_for(db_session, LES_BORDES_SUR_ARIZE)
    assert {"montagne", "villages-avenir", "rural"} <= full
    assert density_level(db_session, LES_BORDES_SUR_ARIZE) in (6, 7)


def test_an_old_code_counts_for_the_commune_it_merged_into(db_session):
    # Villages d'avenir lists Conques under its pre-2016 code.
    assert territory_of(db_session, CONQUES) is None
    row = territory_of(db_session, CONQUES_EN_ROUERGUE)
    assert row.village_avenir_id == "va-12-18" and "villages-avenir" in row.conditions


def test_an_overseas_commune(db_session):
    # Saint-Denis (La Réunion): 12 QPV, in the Hauts de la Réunion, classified FRR only in part.
    labels_of = texts(db_session, SAINT_DENIS_REUNION)
    assert "Commune de montagne — Massif des Hauts de la Réunion" in labels_of
    assert "France Ruralités Revitalisation : classée FRR partiellement" in labels_of
    assert any(text.startswith("12 quartiers prioritaires") for text in labels_of)
    full, partial = conditions_for(db_session, SAINT_DENIS_REUNION)
    assert {"qpv", "montagne"} <= full and partial == {"frr"}
    assert density_level(db_session, SAINT_DENIS_REUNION) == 1


def test_density_levels_for_other_features(db_session):
    levels = density_levels(db_session)
    assert len(levels) > 34_000 and set(levels.values()) == set(range(1, 8))
    assert levels[NEVERS] == 2 and density_level(db_session, "75056") == 1
    assert density_level(db_session, "99999") is None


def test_paris_arrondissements_count_for_paris(db_session):
    row = territory_of(db_session, "75056")
    assert row.france_services >= 10 and len(row.qpv) == 21


def test_a_second_load_of_the_same_lists_is_skipped(app, tmp_path):
    from guichet.territories.loader import load_territories

    database = app.extensions["guichet.db"]
    assert not load_territories(database, app.instance_path).loaded
    # A new commune reference maps the codes again.
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE commune_reference SET version = 'autre'")
    assert load_territories(database, app.instance_path).loaded
    forced = load_territories(database, app.instance_path, force=True)
    assert forced.loaded and forced.communes > 34_000
