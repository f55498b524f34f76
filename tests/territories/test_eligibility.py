"""Territorial conditions: the same programmes for a commune on both search backends, and the
verdict of each programme in three honest states."""

import re
from types import SimpleNamespace

import pytest

from guichet.programmes.records import InvalidRecord, clean_record
from guichet.search.query import Eligibility
from guichet.territories.eligibility import ELIGIBLE, NOT_ELIGIBLE, TO_CHECK, verdict
from guichet.programmes.conditions import CONDITIONS, InvalidCondition, clean_conditions, restriction_text
from tests.communes.helpers import found
from tests.conftest import programme_data
from tests.search.backends import BACKENDS, backend_config, cleanup

LUNEVILLE, NEVERS, SAINT_AMAND, BEAUVAIS, SAINT_DENIS_REUNION = "54329", "58194", "18197", "60057", "97411"


# -- both backends ---------------------------------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def backend_name(request):
    return request.param


@pytest.fixture
def app_config(app_config, backend_name, request, tmp_path):
    return {**app_config, **backend_config(backend_name, request, tmp_path)}


@pytest.fixture
def app(app, backend_name):
    yield app
    cleanup(app)


@pytest.fixture
def programmes(small_territories, make_programme):
    make_programme(id="acv", territories=["acv"])
    make_programme(id="pvd", territories=["pvd"])
    make_programme(id="acv-ou-pvd", territories=["acv", "pvd"])
    make_programme(id="qpv", territories=["qpv"], population_min=5000)
    make_programme(id="frr", territories=["frr"])
    make_programme(id="montagne", territories=["montagne"])
    make_programme(id="rural", territories=["rural"])
    make_programme(id="sans-condition")
    make_programme(id="grandes-villes", population_min=50000)


EXPECTED = {
    LUNEVILLE: {"acv", "acv-ou-pvd", "qpv", "frr", "sans-condition"},
    NEVERS: {"acv", "acv-ou-pvd", "qpv", "sans-condition"},
    SAINT_AMAND: {"pvd", "acv-ou-pvd", "qpv", "frr", "sans-condition"},
    BEAUVAIS: {"acv", "acv-ou-pvd", "qpv", "sans-condition", "grandes-villes"},
    # Classified FRR only in part: kept by the search, « à vérifier » on the page.
    SAINT_DENIS_REUNION: {"qpv", "frr", "montagne", "sans-condition", "grandes-villes"},
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_a_commune_gets_the_programmes_of_its_lists(client, programmes, code):
    assert found(client, commune=code) == EXPECTED[code]


def test_without_a_commune_conditions_filter_nothing(client, programmes):
    assert len(found(client)) == 9


def test_api_results_carry_the_verdict(client, programmes):
    response = client.get("/api/v1/programmes", query_string={"commune": SAINT_DENIS_REUNION, "per_page": 50})
    states = {result["id"]: result["eligibilite"] for result in response.get_json()["results"]}
    assert states["montagne"]["etat"] == ELIGIBLE
    assert states["montagne"]["phrase"] == "Saint-Denis est éligible : commune de montagne (Massif des Hauts de la Réunion)"
    assert states["frr"]["etat"] == TO_CHECK
    assert states["sans-condition"]["phrase"] == "Saint-Denis est éligible : programme ouvert aux communes"
    # Every programme the backend keeps for the commune is never « non éligible ».
    assert all(state["etat"] != NOT_ELIGIBLE for state in states.values())


# -- verdicts ----------------------------------------------------------------------------------------
def programme(**fields):
    data = {"regions": [], "departments": [], "beneficiaries": ["commune"], "population_min": None,
            "population_max": None, "territories": [], "population_bands": [], "criteria": []}
    data.update(fields)
    return SimpleNamespace(**data)


LUNEVILLE_ELIGIBILITY = Eligibility("54329", "Lunéville", 18262, "54", "44", frozenset({"commune", "epci"}),
                                    frozenset({"acv", "qpv", "frr", "ort", "territoires-industrie"}))


@pytest.mark.parametrize("fields, state, sentence", [
    ({"territories": ["acv"]}, ELIGIBLE, "Lunéville est éligible : commune Action Cœur de ville"),
    ({"territories": ["pvd"]}, NOT_ELIGIBLE,
     "Non éligible : réservé aux communes du programme Petites villes de demain"),
    ({"population_max": 3499}, NOT_ELIGIBLE, "Non éligible : réservé aux communes de moins de 3\u202f500 habitants"),
    ({"population_min": 50000}, NOT_ELIGIBLE,
     "Non éligible : réservé aux communes d’au moins 50\u202f000 habitants"),
    ({"population_max": 20000}, ELIGIBLE,
     "Lunéville est éligible : programme ouvert aux communes de 20\u202f000 habitants au plus"),
    ({"beneficiaries": []}, TO_CHECK, "Éligibilité à vérifier : conditions non précisées par la source"),
    ({"beneficiaries": ["association"]}, NOT_ELIGIBLE, "Non éligible : réservé aux associations"),
    ({"beneficiaries": ["petr", "region"]}, NOT_ELIGIBLE, "Non éligible : réservé aux PETR et pays, régions"),
    ({"beneficiaries": ["epci"]}, ELIGIBLE,
     "Lunéville est éligible : par son intercommunalité, à laquelle le programme est ouvert"),
    ({"regions": ["53"]}, NOT_ELIGIBLE, "Non éligible : programme réservé à un autre territoire (Bretagne)"),
    ({"departments": ["58", "18"]}, NOT_ELIGIBLE,
     "Non éligible : programme réservé à un autre territoire (Nièvre (58), Cher (18))"),
    ({"departments": ["54"], "beneficiaries": []}, TO_CHECK,
     "Éligibilité à vérifier : conditions non précisées par la source"),
    ({"territories": ["montagne", "rural"]}, NOT_ELIGIBLE, "Non éligible : réservé aux communes de l’un de ces "
                                                          "programmes ou zonages : Communes de montagne, "
                                                          "Communes rurales (grille de densité)"),
])
def test_three_honest_states(fields, state, sentence):
    result = verdict(programme(**fields), LUNEVILLE_ELIGIBILITY)
    assert (result.state, result.sentence) == (state, sentence)


def test_a_partial_membership_is_to_check():
    saint_denis = Eligibility("97411", "Saint-Denis", 153_000, "974", "04", frozenset({"commune", "epci"}),
                              frozenset({"qpv", "montagne"}), frozenset({"frr"}))
    result = verdict(programme(territories=["frr"]), saint_denis, {"frr": "classée FRR partiellement"})
    assert result.state == TO_CHECK
    assert result.sentence == ("Éligibilité à vérifier : commune classée en partie seulement (classée FRR "
                               "partiellement), vérifiez que le projet se situe dans la partie classée")


def _curated(source_id):
    import json
    from guichet.config import ROOT
    with open(ROOT / "guichet" / "programmes" / "data" / "curated.jsonl", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["source_id"] == source_id:
                return SimpleNamespace(**record)
    raise AssertionError(source_id)


NBSP = "\u202f"


@pytest.mark.parametrize("commune, state, sentence", [
    # Under 2 000 inhabitants: the open band, named.
    (Eligibility("54001", "Abaucourt", 400, "54", "44"), ELIGIBLE,
     f"Abaucourt est éligible : programme ouvert aux communes de 2{NBSP}000 habitants au plus"),
    # 2 000 to 20 000: the band « sous condition », the criterion named.
    (LUNEVILLE_ELIGIBILITY, TO_CHECK,
     f"Éligibilité à vérifier : programme ouvert aux communes de 2{NBSP}001 à 20{NBSP}000 habitants sous condition "
     "de potentiel financier par habitant, critère que le Guichet ne peut pas vérifier"),
    (Eligibility("58194", "Nevers", 33_000, "58", "27"), NOT_ELIGIBLE,
     f"Non éligible : réservé aux communes de 20{NBSP}000 habitants au plus"),
    # Overseas: the overseas bands (3 500 and 35 000).
    (Eligibility("97407", "Le Port", 32_000, "974", "04"), TO_CHECK,
     f"Éligibilité à vérifier : programme ouvert aux communes de 3{NBSP}501 à 35{NBSP}000 habitants sous condition "
     "de potentiel financier par habitant, critère que le Guichet ne peut pas vérifier"),
    (Eligibility("97403", "Entre-Deux", 3_000, "974", "04"), ELIGIBLE,
     f"Entre-Deux est éligible : programme ouvert aux communes de 3{NBSP}500 habitants au plus"),
    (Eligibility("97411", "Saint-Denis", 153_000, "974", "04"), NOT_ELIGIBLE,
     f"Non éligible : réservé aux communes de 35{NBSP}000 habitants au plus en outre-mer"),
])
def test_detr_bands_say_which_applies(commune, state, sentence):
    result = verdict(_curated("detr"), commune)
    assert (result.state, result.sentence) == (state, sentence)


def test_detr_record_keeps_the_widest_band_for_search():
    record = clean_record(vars(_curated("detr")))
    assert (record["population_min"], record["population_max"]) == (None, 20000)
    assert record["criteria"] == ["potentiel-financier"]
    assert [band["overseas"] for band in record["population_bands"]] == [False, False, True, True]


def test_the_verdict_reads_the_stored_criteria_not_the_text():
    # A text that names the potentiel financier without restricting by it (a rate modulated
    # by it, as real Grand Est records say) is no criterion: nothing stored, nothing to check.
    text = programme(population_max=20000, description_html="<p>Taux de 40 % à 50 % selon le potentiel "
                                                            "financier de la commune.</p>", summary="")
    assert verdict(text, LUNEVILLE_ELIGIBILITY).state == ELIGIBLE
    # A criterion stored without a band concerns every commune.
    stored = programme(criteria=["effort-fiscal"])
    assert verdict(stored, LUNEVILLE_ELIGIBILITY).sentence == (
        "Éligibilité à vérifier : programme ouvert sous condition d’effort fiscal, critère que le Guichet ne "
        "peut pas vérifier")
    # With a list met, the criterion still keeps it « à vérifier » (DPV: a QPV commune, DSU to check).
    dpv = _curated("dotation-politique-de-la-ville")
    assert verdict(dpv, LUNEVILLE_ELIGIBILITY).sentence == (
        "Éligibilité à vérifier : commune ayant un quartier prioritaire de la politique de la ville, sous "
        "condition d’éligibilité à la dotation de solidarité urbaine (DSU), critère que le Guichet ne peut pas "
        "vérifier")
    # A programme without criteria keeps its plain verdict.
    assert verdict(_curated("dsil"), LUNEVILLE_ELIGIBILITY).state == ELIGIBLE


# -- the record and its vocabulary -----------------------------------------------------------------
def test_conditions_are_checked_and_ordered():
    assert clean_conditions(["qpv", "acv", "qpv"]) == ["acv", "qpv"]
    assert clean_conditions(None) == []
    for wrong in (["lune"], [3], "acv;pvd", {"acv": 1}):
        with pytest.raises(InvalidCondition) as error:
            clean_conditions(wrong)
        assert error.value.message.startswith("Condition territoriale inconnue : « ")
    assert restriction_text(["acv"]) == "Réservé aux communes du programme Action Cœur de ville"
    assert set(CONDITIONS) >= {"acv", "pvd", "villages-avenir", "qpv", "frr", "montagne", "territoires-industrie",
                               "ort", "rural"}
    # One declaration of the slugs and labels (the record's vocabulary); every one has its rule here.
    from guichet.programmes.vocabulary import TERRITORIAL_CONDITIONS

    assert list(CONDITIONS) == list(TERRITORIAL_CONDITIONS)
    assert CONDITIONS["acv"].label == TERRITORIAL_CONDITIONS["acv"] == "Action Cœur de ville"


def test_a_record_with_an_unknown_condition_is_refused_in_french():
    assert clean_record(programme_data(territories=["pvd", "acv"]))["territories"] == ["acv", "pvd"]
    with pytest.raises(InvalidRecord, match="Condition territoriale inconnue : « petites-villes »"):
        clean_record(programme_data(territories=["petites-villes"]))
    with pytest.raises(InvalidRecord, match="Condition territoriale inconnue"):
        clean_record(programme_data(territories="pas une liste"))


def test_an_empty_condition_leaves_the_content_hash_as_it_was():
    from guichet.programmes.records import content_hash

    record = clean_record(programme_data(id="x", source_id="x"))
    without = {key: value for key, value in record.items() if key != "territories"}
    assert content_hash(record) == content_hash(without)
    assert content_hash({**record, "territories": ["acv"]}) != content_hash(record)


def test_curated_programmes_carry_their_official_conditions():
    import json

    from guichet.programmes.services import CURATED_DATA

    records = {record["id"]: clean_record(record) for record in map(json.loads, CURATED_DATA.read_text(encoding="utf-8").splitlines())}
    assert records["curated-action-coeur-de-ville"]["territories"] == ["acv"]
    assert records["curated-action-coeur-de-ville"]["population_min"] is None
    assert records["curated-petites-villes-de-demain"]["territories"] == ["pvd"]
    assert records["curated-petites-villes-de-demain"]["population_max"] is None
    assert records["curated-villages-d-avenir"]["territories"] == ["villages-avenir"]
    assert records["curated-dotation-politique-de-la-ville"]["territories"] == ["qpv"]
    assert "19 %" in records["curated-dotation-politique-de-la-ville"]["description_html"]
    assert records["curated-avenir-montagnes"]["territories"] == ["montagne"]
    assert records["curated-territoires-d-industrie"]["territories"] == ["territoires-industrie"]
    assert records["curated-european-urban-initiative"]["population_min"] == 50000
    # Criteria no shipped list can check: stated, so that the verdict says « à vérifier ».
    assert records["curated-detr"]["criteria"] == ["potentiel-financier"]
    assert records["curated-dotation-politique-de-la-ville"]["criteria"] == ["dsu"]
    assert records["curated-france-mobilites-tenmod"]["criteria"] == ["unite-urbaine"]
    assert records["curated-dotation-biodiversite"]["criteria"] == ["autre"]
    tenmod = SimpleNamespace(**records["curated-france-mobilites-tenmod"])
    assert verdict(tenmod, LUNEVILLE_ELIGIBILITY).sentence == (
        "Éligibilité à vérifier : programme ouvert aux communes de 100\u202f000 habitants au plus sous condition de "
        "taille de l’unité urbaine (INSEE) où se trouve la commune, critère que le Guichet ne peut pas vérifier")


def test_population_bands_and_criteria_in_the_record():
    from guichet.programmes.records import content_hash

    record = clean_record(programme_data(population_max=99, population_bands=[
        {"min": 2001, "max": 20000, "criterion": "potentiel-financier"}, {"max": 2000},
        {"max": 3500, "overseas": True}]))
    # Ordered (metropolitan first, by lower bound), complete, and the widest metropolitan band wins.
    assert record["population_bands"] == [
        {"min": None, "max": 2000, "criterion": None, "overseas": False},
        {"min": 2001, "max": 20000, "criterion": "potentiel-financier", "overseas": False},
        {"min": None, "max": 3500, "criterion": None, "overseas": True}]
    assert (record["population_min"], record["population_max"]) == (None, 20000)
    assert record["criteria"] == ["potentiel-financier"]
    plain = clean_record(programme_data(id="y", source_id="y"))
    assert plain["population_bands"] == [] and plain["criteria"] == []
    # Empty, they leave the content hash of older records as it was.
    assert content_hash(plain) == content_hash({key: value for key, value in plain.items()
                                                if key not in ("population_bands", "criteria")})
    for bands, message in (
            ([{"min": 5000, "max": 100}], "le minimum (5\u202f000) dépasse le maximum (100)"),
            ([{"max": 100, "criterion": "fortune"}], "Critère inconnu : « fortune »"),
            ([{"max": "beaucoup"}], "« beaucoup » n’est pas un nombre d’habitants"),
            ([{"maximum": 100}], "a les clés min, max, criterion et overseas"),
            ([{}], "sans borne ni critère"),
            ("jusqu'à 2 000", "sont une liste")):
        with pytest.raises(InvalidRecord, match=re.escape(message)):
            clean_record(programme_data(population_bands=bands))
    with pytest.raises(InvalidRecord, match="Critère inconnu : « revenu »"):
        clean_record(programme_data(criteria=["revenu"]))


def test_band_lines_read_back_what_they_write():
    from guichet.programmes.conditions import band_line, parse_band_lines

    record = clean_record(vars(_curated("detr")))
    lines = "\n".join(band_line(band) for band in record["population_bands"])
    assert lines.splitlines()[1] == "2\u202f001 à 20\u202f000 sous condition potentiel-financier"
    assert parse_band_lines(lines) == record["population_bands"]
    assert parse_band_lines("à partir de 50 000 habitants\ntoutes tailles sous condition effort fiscal") == [
        {"min": None, "max": None, "criterion": "effort-fiscal", "overseas": False},
        {"min": 50000, "max": None, "criterion": None, "overseas": False}]
