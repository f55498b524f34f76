"""Programmes with every kind of eligibility rule, and what each test commune can apply for."""

BEAUVAIS, NEVERS, LUNEVILLE, SAINT_AMAND, ILE_DE_SEIN = "60057", "58194", "54329", "18197", "29083"


def make_eligibility_programmes(make_programme):
    """Ten programmes, each with one rule of town size, geography or beneficiary."""
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


