"""GET /api/v1/communes?q= (the autocomplete) and GET /api/v1/communes/<code>."""

import pytest


def find(client, q, **params):
    response = client.get("/api/v1/communes", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def codes(results):
    return [result["code"] for result in results]


@pytest.mark.parametrize("typed", ["Lunéville", "luneville", "LUNEVILLE", "  lunéville "])
def test_accents_and_case_are_ignored(client, communes, typed):
    assert codes(find(client, typed))[0] == "54329"


@pytest.mark.parametrize("typed", ["Saint-Amand-Montrond", "saint amand montrond", "St-Amand-Montrond",
                                   "st amand", "ST AMAND-MONT"])
def test_hyphens_and_saint_abbreviation(client, communes, typed):
    assert codes(find(client, typed))[0] == "18197"


@pytest.mark.parametrize("typed", ["Ste-Geneviève-des-Bois", "sainte genevieve", "Ste Genev"])
def test_sainte_abbreviation_and_larger_town_first(client, communes, typed):
    # Two communes of that name: Essonne (35,000 inhabitants) before Loiret.
    assert codes(find(client, typed)) == ["91549", "45278"]


@pytest.mark.parametrize("typed", ["Le Mans", "le mans", "Mans", "mans"])
def test_with_or_without_the_article(client, communes, typed):
    assert codes(find(client, typed))[0] == "72181"


@pytest.mark.parametrize("typed", ["L'Abergement-Clémenciat", "l’abergement", "Abergement-Clémenciat", "abergement"])
def test_elided_article(client, communes, typed):
    assert codes(find(client, typed)) == ["01001"]


def test_a_trailing_st_finds_strasbourg_and_the_saints(client, communes):
    found = codes(find(client, "st"))
    assert found[:2] == ["67482", "42218"]  # Strasbourg, then Saint-Étienne: larger towns first
    assert "93066" in found


def test_exact_name_first_then_larger_towns(client, communes):
    # « Montrond » (39) is smaller than Saint-Amand-Montrond, but its name is exact.
    assert codes(find(client, "montrond")) == ["39364", "05089", "18197"]
    # Without an exact name, larger towns first.
    assert codes(find(client, "sa"))[:3] == ["42218", "97411", "93066"]


def test_the_same_name_in_several_departements(client, communes):
    results = find(client, "Saint-Denis")
    assert codes(results)[:2] == ["97411", "93066"]
    assert [result["label"] for result in results[:2]] == ["Saint-Denis (974)", "Saint-Denis (93)"]
    assert all(result["exact"] for result in results[:2])
    # The label the autocomplete shows finds that one commune again.
    assert codes(find(client, "Saint-Denis (93)"))[0] == "93066"


def test_postcode_insee_code_and_their_prefixes(client, communes):
    by_postcode = find(client, "60000")
    assert codes(by_postcode) == ["60057", "60009"]  # Beauvais, Allonne: same postcode, larger first
    assert by_postcode[0]["correspondance"] == "60000"
    assert codes(find(client, "60057")) == ["60057"]
    assert codes(find(client, "2A004")) == ["2A004"]
    assert codes(find(client, "2a0")) == ["2A004"]
    assert codes(find(client, "54 300")) == ["54329"]
    assert codes(find(client, "600"))[:2] == ["60057", "60009"]
    assert codes(find(client, "69001")) == ["69123"]  # Lyon has many postcodes


def test_former_communes_and_arrondissements_lead_to_the_current_commune(client, communes):
    arbignieu = find(client, "Arbignieu")
    assert codes(arbignieu) == ["01015"]
    assert arbignieu[0]["nom"] == "Arboys en Bugey"
    assert arbignieu[0]["correspondance"] == "Arbignieu"
    assert codes(find(client, "Cordieux")) == ["01262"]  # associated commune
    assert codes(find(client, "01120")) == ["01262"]  # its old INSEE code
    assert codes(find(client, "13201")) == ["13055"]  # Marseille 1er arrondissement
    assert codes(find(client, "marseille 1er")) == ["13055"]
    assert find(client, "60384")[0]["correspondance"] == "ancien code 60384"  # merged into Beauvais


def test_a_one_letter_name(client, communes):
    assert codes(find(client, "Y")) == ["80829"]
    assert find(client, "b") == []  # one letter: only a commune called exactly that


def test_result_fields(client, communes):
    beauvais = find(client, "Beauvais", limit=1)
    assert beauvais == [{
        "code": "60057", "nom": "Beauvais", "departement": "60", "departement_nom": "Oise", "region": "32",
        "population": 55550, "codes_postaux": ["60000"],
        "epci": {"code": "200067999", "nom": "CA du Beauvaisis"},
        "label": "Beauvais (60)", "correspondance": None, "exact": True,
    }]


def test_limit(client, communes):
    assert len(find(client, "sa", limit=2)) == 2
    assert len(find(client, "sa")) <= 10


@pytest.mark.parametrize("params, parameter, message", [
    ({}, "q", "Saisissez le nom, le code postal ou le code INSEE d’une commune."),
    ({"q": ""}, "q", "Saisissez le nom"),
    ({"q": "   "}, "q", "Saisissez le nom"),
    ({"q": "x" * 101}, "q", "trop longue : 100 caractères au plus"),
    ({"q": "'-()"}, "q", "Saisissez des lettres ou des chiffres"),
    ({"q": ["Nevers", "Beauvais"]}, "q", "ne peut être donné qu’une fois"),
    ({"q": "Nevers", "limit": "0"}, "limit", "entre 1 et 50"),
    ({"q": "Nevers", "limit": "51"}, "limit", "entre 1 et 50"),
    ({"q": "Nevers", "limit": "dix"}, "limit", "entre 1 et 50"),
])
def test_bad_input_is_a_french_400(client, communes, params, parameter, message):
    response = client.get("/api/v1/communes", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["parameter"] == parameter
    assert message in error["message"]


def test_no_commune_matches(client, communes):
    assert find(client, "Zzyzx") == []


def test_before_the_reference_is_loaded(client):
    assert find(client, "Beauvais") == []


def test_one_commune(client, communes):
    payload = client.get("/api/v1/communes/60057").get_json()
    assert payload["nom"] == "Beauvais"
    assert payload["tranche"] == {"valeur": "20000-100000", "nom": "Ville moyenne"}
    assert payload["departement"] == {"code": "60", "nom": "Oise"}
    assert payload["region"] == {"code": "32", "nom": "Hauts-de-France"}
    assert payload["epci"]["nom"] == "CA du Beauvaisis" and payload["epci"]["communes"] == 53
    assert payload["programmes_url"].endswith("/api/v1/programmes?commune=60057")
    former = client.get("/api/v1/communes/01120").get_json()
    assert former["code"] == "01262" and former["ancienne_commune"]["nom"] == "Cordieux"


def test_one_commune_bad_input(client, communes):
    unknown = client.get("/api/v1/communes/99999")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["message"] == "Commune inconnue : aucun code INSEE « 99999 »."
    malformed = client.get("/api/v1/communes/6005")
    assert malformed.status_code == 400
    assert malformed.get_json()["error"]["parameter"] == "code"


def test_openapi_documents_the_commune_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/communes" in paths and "/communes/{code}" in paths
    assert paths["/communes"]["get"]["parameters"][0]["name"] == "q"
    assert "400" in paths["/communes"]["get"]["responses"]
