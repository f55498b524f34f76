"""The FULL official reference (loaded once per session) and the towns of the Villes de France
colloquium: Beauvais, Nevers, Lunéville, Saint-Amand-Montrond."""

import pytest

from tests.communes.conftest import with_full_reference

COLLOQUIUM = {
    # code: (name, département, région, EPCI, population bounds, band)
    "60057": ("Beauvais", "60", "32", "CA du Beauvaisis", (50_000, 62_000), "20000-100000"),
    "58194": ("Nevers", "58", "27", "CA de Nevers", (30_000, 38_000), "20000-100000"),
    "54329": ("Lunéville", "54", "44", "CC du Territoire de Lunéville à Baccarat", (16_000, 21_000), "2000-20000"),
    "18197": ("Saint-Amand-Montrond", "18", "24", "CC Coeur de France", (8_500, 11_500), "2000-20000"),
}


@pytest.fixture
def app_config(app_config, full_reference_store, tmp_path):
    return with_full_reference(app_config, full_reference_store, tmp_path)


def test_the_whole_reference_is_there(app, db_session):
    from sqlalchemy import func, select

    from guichet.communes.models import Commune, CommuneAlias, Epci

    assert 34_000 < db_session.scalar(select(func.count()).select_from(Commune)) < 36_000
    assert db_session.scalar(select(func.count()).select_from(Epci)) > 1_200
    assert db_session.scalar(select(func.count()).select_from(CommuneAlias)) > 4_000
    # Every commune with an EPCI points at an existing one; most communes have one.
    without = db_session.scalar(select(func.count()).select_from(Commune).where(Commune.epci_code.is_(None)))
    assert without < 200


@pytest.mark.parametrize("code", list(COLLOQUIUM))
def test_colloquium_towns(client, code):
    name, department, region, epci, (low, high), band = COLLOQUIUM[code]
    payload = client.get(f"/api/v1/communes/{code}").get_json()
    assert payload["nom"] == name
    assert low <= payload["population"] <= high
    assert payload["departement"]["code"] == department
    assert payload["region"]["code"] == region
    assert payload["epci"]["nom"] == epci and payload["epci"]["communes"] > 10
    assert payload["tranche"]["valeur"] == band
    # Found by name, as typed by a mayor, first of the list.
    typed = name.lower().replace("saint-", "st ").replace("é", "e")
    assert client.get("/api/v1/communes", query_string={"q": typed}).get_json()[0]["code"] == code
    page = client.get(f"/communes/{code}")
    assert page.status_code == 200 and epci in page.get_data(as_text=True)


def test_colloquium_eligibility(client, make_programme):
    make_programme(id="villes-moyennes", title="Action cœur de ville", population_min=20_000, population_max=100_000)
    make_programme(id="petites-villes", title="Petites villes de demain", population_max=20_000)
    make_programme(id="sans-seuil", title="Fonds vert")
    make_programme(id="grand-est", title="Programme du Grand Est", level="regional", regions=["44"])

    def found(code):
        response = client.get("/api/v1/programmes", query_string={"commune": code})
        assert response.status_code == 200
        return {result["id"] for result in response.get_json()["results"]}

    assert found("60057") == {"villes-moyennes", "sans-seuil"}  # Beauvais
    assert found("58194") == {"villes-moyennes", "sans-seuil"}  # Nevers
    assert found("54329") == {"petites-villes", "sans-seuil", "grand-est"}  # Lunéville
    assert found("18197") == {"petites-villes", "sans-seuil"}  # Saint-Amand-Montrond


def test_common_names_are_ambiguous_on_the_search_page(client):
    response = client.get("/?commune=Saint-Denis")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Quelle commune ?" in html
    assert "/?commune=93066" in html and "/?commune=97411" in html


def test_a_postcode_wins_over_an_old_code(client):
    # 75001 is Paris 1er's postcode, and the pre-1968 INSEE code of Alfortville.
    assert client.get("/?commune=75001").headers["Location"] == "/?commune=75056"
    codes = [item["code"] for item in client.get("/api/v1/communes?q=75001").get_json()]
    assert codes == ["75056", "94002"]
