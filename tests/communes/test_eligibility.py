"""Town size: ``commune=<INSEE>`` gives the same programmes on every search backend.

A programme matches a commune when its population fits [population_min, population_max], its
geography covers the commune's département/région, and communes (or their groupings, when the
commune belongs to one) are among its beneficiaries (DESIGN.md « Town size »).
"""

import pytest

from tests.search.backends import BACKENDS, backend_config, cleanup

BEAUVAIS, NEVERS, LUNEVILLE, SAINT_AMAND, ILE_DE_SEIN = "60057", "58194", "54329", "18197", "29083"


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
def programmes(communes, make_programme):
    make_programme(id="villes-moyennes", population_min=20000, population_max=100000)
    make_programme(id="moins-de-20000", population_max=20000)
    make_programme(id="plus-de-50000", population_min=50000)
    make_programme(id="sans-condition")
    make_programme(id="hauts-de-france", level="regional", regions=["32"])
    make_programme(id="nievre", level="departmental", departments=["58"])
    make_programme(id="epci-seulement", beneficiaries=["epci"])
    make_programme(id="associations", beneficiaries=["association"])
    make_programme(id="tous-publics", beneficiaries=[])
    make_programme(id="cher-petites-villes", level="departmental", departments=["18"], population_min=2000,
                   population_max=20000)


EVERYWHERE = {"sans-condition", "epci-seulement", "tous-publics"}
EXPECTED = {
    BEAUVAIS: EVERYWHERE | {"villes-moyennes", "plus-de-50000", "hauts-de-france"},  # 55,550, Oise
    NEVERS: EVERYWHERE | {"villes-moyennes", "nievre"},  # 33,085, Nièvre
    LUNEVILLE: EVERYWHERE | {"moins-de-20000"},  # 18,262, Meurthe-et-Moselle
    SAINT_AMAND: EVERYWHERE | {"moins-de-20000", "cher-petites-villes"},  # 9,899, Cher
    # No EPCI: what only groupings can apply for is out.
    ILE_DE_SEIN: {"sans-condition", "tous-publics", "moins-de-20000"},
}


def found(client, **params):
    response = client.get("/api/v1/programmes", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.get_json()
    return {result["id"] for result in response.get_json()["results"]}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_commune_applies_population_geography_and_beneficiaries(client, programmes, code):
    assert found(client, commune=code) == EXPECTED[code]


def test_without_commune_everything_is_found(client, programmes):
    assert len(found(client)) == 10


def test_commune_combines_with_other_filters(client, programmes):
    assert found(client, commune=BEAUVAIS, beneficiary="epci") == {"epci-seulement"}
    assert found(client, commune=BEAUVAIS, level="regional") == {"hauts-de-france"}
    assert found(client, commune=NEVERS, population="moins-2000") == {"sans-condition", "epci-seulement",
                                                                       "tous-publics", "nievre"}


def test_a_former_commune_code_applies_its_current_commune(client, programmes):
    # 60384 is an old code merged into Beauvais.
    assert found(client, commune="60384") == EXPECTED[BEAUVAIS]


def test_search_page_marks_programmes_without_population_rule(client, programmes):
    page = client.get("/", query_string={"commune": BEAUVAIS})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "programmes trouvés" in html and "pour Beauvais" in html
    assert "Conditions de population non précisées" in html
    assert "Communes de 20\u202f000 à 100\u202f000 habitants" in html


@pytest.mark.parametrize("params, parameter, message", [
    ({"commune": "99999"}, "commune", "Commune inconnue : aucun code INSEE « 99999 »."),
    ({"commune": "6005"}, "commune", "Code INSEE de commune invalide"),
    ({"population": "-5"}, "population", "La population doit être un nombre d'habitants positif"),
    ({"population": "99999999"}, "population", "au plus 3 000 000"),
    ({"population": "beaucoup"}, "population", "La population doit être un nombre d'habitants positif"),
])
def test_bad_commune_or_population_is_a_french_400(client, programmes, params, parameter, message):
    response = client.get("/api/v1/programmes", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and message in error["message"]
    page = client.get("/", query_string=params)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True).replace("&#39;", "'")
