"""scrapers/sources/aides_territoires.py on both API vintages (records written here in the real
formats: the older « Nom (Échelle) » perimeters and « Thème|Catégorie », the current
``perimeter_scale`` and « Thème / Catégorie »)."""

import json

from scrapers.base import Harvest
from scrapers.http import Fetched
from scrapers.normalise import read_perimeter
from scrapers.sources.aides_territoires import AidesTerritoires


def older(**fields):
    record = {"id": 9001, "url": "/aides/renover-les-ecoles/", "name": "Rénover les écoles",
              "financers": ["Conseil départemental de la Vendée"], "perimeter": "Vendée (Département)",
              "categories": ["Urbanisme / logement / aménagement|Bâtiments et construction"],
              "targeted_audiences": ["Communes", "EPCI à fiscalité propre"], "aid_types": ["Subvention"],
              "programs": ["Petites villes de demain"], "instructors": ["DDT de la Vendée"],
              "mobilization_steps": ["Mise en œuvre / réalisation"], "destinations": ["Dépenses d'investissement"],
              "description": "<p>Travaux dans les écoles.</p>", "eligibility": "", "recurrence": "Permanente",
              "start_date": "2026-01-01", "submission_deadline": "2027-03-31", "is_call_for_project": False}
    record.update(fields)
    return record


def current(**fields):
    record = older(id=9002, financers=["Châteaux (Syndicat mixte)"], perimeter="PAYS DES CHÂTEAUX",
                   perimeter_scale="Ad-hoc", targeted_audiences=["Commune", "Intercommunalité / Pays",
                                                                 "Entreprise publique locale (Sem, Spl, SemOp)"],
                   categories=["Mobilité / transports / Mobilité partagée"], is_live=True, is_charged=False,
                   european_aid=None, programs=["🇪🇺 LEADER - Liaison entre Actions de Développement de l’Économie Rurale"])
    record.update(fields)
    return record


def harvest(*records):
    body = json.dumps({"count": len(records), "next": None, "previous": None, "results": list(records)}).encode()
    response = Fetched("https://aides-territoires.beta.gouv.fr/api/aids/", 200, {"Content-Type": "application/json"},
                       body)
    return list(Harvest(AidesTerritoires({}), None, first_response=response))


def test_the_older_api_format():
    (outcome,) = harvest(older())
    record = outcome.record
    assert (record["level"], record["regions"], record["departments"]) == ("departmental", [], ["85"])
    assert record["funders"] == ["Département de la Vendée"]
    assert record["beneficiaries"] == ["commune", "epci"]
    assert record["themes"] == ["energie-climat", "energie-climat/renovation-energetique"]
    assert record["source_url"] == "https://aides-territoires.beta.gouv.fr/aides/renover-les-ecoles/"
    for shown in ("Instruction : DDT de la Vendée", "Dépenses couvertes : Dépenses d'investissement"):
        assert shown in record["description_html"]
    # the programme is a field of its own (a filter of the search), no longer in the description
    assert record["aid_programmes"] == ["Petites villes de demain"]
    assert "Petites villes de demain" not in record["description_html"]


def test_the_current_api_format():
    (outcome,) = harvest(current())
    record = outcome.record
    assert (record["level"], record["regions"], record["departments"]) == ("local", [], [])
    assert "Territoire : PAYS DES CHÂTEAUX (territoire spécifique" in record["description_html"]
    assert record["aid_programmes"] == ["LEADER - Liaison entre Actions de Développement de l’Économie Rurale"]
    assert "LEADER" not in record["description_html"]
    assert record["beneficiaries"] == ["commune", "epci", "etablissement_public"]
    assert record["themes"] == ["mobilite", "mobilite/mobilite-partagee"]


def test_an_aid_that_is_not_live_is_skipped():
    outcomes = harvest(current(is_live=False), older())
    assert [outcome.entry.source_id for outcome in outcomes] == ["9001"]


def test_perimeters_of_both_vintages():
    cases = {
        ("Nouvelle-Aquitaine (Région)", None): ("regional", ["75"], [], None),
        ("CC des Coëvrons (EPCI)", None): ("local", [], ["53"], "CC des Coëvrons"),
        ("Seine-Normandie (Bassin hydrographique)", None): ("regional", [], [],
                                                            "bassin hydrographique Seine-Normandie"),
        ("France", None): ("national", [], [], None),
        ("Europe", None): ("europe", [], [], None),
        ("Outre-mer", None): ("national", ["01", "02", "03", "04", "06"], [], None),
        ("Guyane (Région)", None): ("regional", ["03"], [], None),
        ("Communes littorales", None): ("national", [], [], "Communes littorales"),
        ("Aveyron, Hérault, Lot", None): ("departmental", [], ["12", "34", "46"], None),
        ("PETR du Pays Lauragais", "Ad-hoc"): ("local", [], [], "PETR du Pays Lauragais"),
        ("Occitanie", "Région"): ("regional", ["76"], [], None),
    }
    for (name, scale), expected in cases.items():
        perimeter = read_perimeter(name, scale)
        got = (perimeter.level, sorted(perimeter.regions), sorted(perimeter.departments), perimeter.specific)
        assert got == expected, name
    assert len(read_perimeter("France métropolitaine").regions) == 13


def test_a_field_of_the_wrong_type_is_that_record_s_error_in_french():
    outcomes = harvest(older(targeted_audiences={"commune": True}), older(id=9003, name=None))
    errors = [outcome.error for outcome in outcomes]
    assert [error.stage for error in errors] == ["normalise", "normalise"]
    assert "une liste était attendue" in errors[0].message
    assert "aide sans nom" in errors[1].message


def test_an_unexpected_value_is_said_in_french_not_crashed_on():
    wrong_label, wrong_number = harvest(older(recurrence=["Permanente"]),  # a list where a label was expected
                                        older(id=9004, subvention_rate_lower_bound={"min": 20}))
    assert wrong_label.error.stage == "normalise"
    assert wrong_label.error.message == "récurrence illisible : du texte était attendu, pas list"
    assert wrong_number.error.stage == "normalise"
    assert wrong_number.error.message.startswith("donnée inattendue (TypeError : ")


def test_aid_programmes_of_both_vintages_name_one_programme_alike():
    (with_flag, without_flag) = harvest(current(programs=["🇪🇺 FEDER - Fonds européen de développement régional",
                                                          "  France   Relance "]),
                                        older(programs=["FEDER - Fonds européen de développement régional"]))
    assert with_flag.record["aid_programmes"] == ["FEDER - Fonds européen de développement régional", "France Relance"]
    assert without_flag.record["aid_programmes"] == ["FEDER - Fonds européen de développement régional"]
    (nothing,) = harvest(current(programs=[]))
    assert nothing.record["aid_programmes"] == []


def test_a_programs_field_of_the_wrong_type_is_an_error_of_that_record():
    (outcome,) = harvest(current(programs={"name": "Fonds vert"}))
    assert outcome.record is None and "programs" in str(outcome.error)
