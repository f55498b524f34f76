"""Commune page, programme page, commune API and look-up, on the FULL reference with every list."""

import re

import pytest
from bs4 import BeautifulSoup

from tests.territories.conftest import with_territories


@pytest.fixture
def app_config(app_config, territories_store, tmp_path):
    return with_territories(app_config, territories_store, tmp_path)


@pytest.fixture
def curated(app):
    from guichet.programmes.services import load_curated

    with app.app_context():
        database = app.extensions["guichet.db"]
        with database.session() as session:
            load_curated(session)
            session.commit()
    return app


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def squash(value: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", value).strip()


def test_commune_page_shows_its_lists_and_groups_programmes_by_state(client, curated):
    response = client.get("/communes/54329")
    assert response.status_code == 200
    page = soup(response)
    labels = [squash(item.get_text()) for item in page.select("#commune-labels li")]
    assert labels[0] == "Action Cœur de ville — convention de Lunéville"
    assert "France Ruralités Revitalisation : FRR socle" in labels
    assert squash(page.select_one("#commune-densite").get_text()) == "Centres urbains intermédiaires (niveau 2 sur 7)"
    eligible = [link.get_text(strip=True) for link in page.select("section.guichet-theme tbody a")]
    assert "Action Cœur de ville" in eligible and "Petites villes de demain" not in eligible
    reasons = {squash(row.select_one("a").get_text()): squash(row.select("td")[-1].get_text())
               for row in page.select("#non-eligibles tbody tr")}
    assert reasons["Petites villes de demain"] == ("Non éligible : réservé aux communes du programme Petites "
                                                   "villes de demain")
    assert reasons["Initiative urbaine européenne (European Urban Initiative) — actions innovatrices"] == (
        "Non éligible : réservé aux communes d’au moins 50\u202f000 habitants")
    # Links keep the commune, so that the programme page answers for it.
    assert page.find("a", href="/programmes/curated-action-coeur-de-ville?commune=54329") is not None


def test_a_village_and_a_town_differ(client, curated):
    village = soup(client.get("/communes/09061"))  # Les Bordes-sur-Arize, Pyrénées, Village d'avenir
    eligible = [link.get_text(strip=True) for link in village.select("section.guichet-theme tbody a")]
    assert {"Villages d’avenir", "Plan Avenir Montagnes"} <= set(eligible)
    assert "Action Cœur de ville" not in eligible and "Dotation politique de la ville (DPV)" not in eligible
    nevers = soup(client.get("/communes/58194"))
    eligible = [link.get_text(strip=True) for link in nevers.select("section.guichet-theme tbody a")]
    assert "Action Cœur de ville" in eligible and "Villages d’avenir" not in eligible
    # Nevers has QPV and 33 000 inhabitants; DSU eligibility is the DPV's own criterion, which no
    # shipped list gives: « à vérifier », the criterion named, never « éligible ».
    to_check = {squash(row.select_one("a").get_text()): squash(row.select("td")[-1].get_text())
                for row in nevers.select("#a-verifier tbody tr")}
    assert to_check["Dotation politique de la ville (DPV)"] == (
        "Éligibilité à vérifier : commune ayant un quartier prioritaire de la politique de la ville, sous "
        "condition d’éligibilité à la dotation de solidarité urbaine (DSU), critère que le Guichet ne peut pas "
        "vérifier")


def detr_reason(client, code):
    page = soup(client.get(f"/communes/{code}"))
    title = "Dotation d’équipement des territoires ruraux (DETR)"
    if title in [squash(link.get_text()) for link in page.select("section.guichet-theme tbody a")]:
        return "eligible", None  # the eligible programmes are listed by theme
    for row in page.select("section.guichet-state tbody tr"):
        if squash(row.select_one("a").get_text()) == title:
            return row["data-state"], squash(row.select("td")[-1].get_text())
    raise AssertionError(f"DETR is not on the page of {code}")


def test_detr_bands_on_commune_pages(client, curated):
    # A village: the open band; Lunéville (18 262): the band « sous condition »; Nevers: none.
    assert detr_reason(client, "09061")[0] == "eligible"
    assert detr_reason(client, "54329") == ("to_check", (
        "Éligibilité à vérifier : programme ouvert aux communes de 2\u202f001 à 20\u202f000 habitants sous condition "
        "de potentiel financier par habitant, critère que le Guichet ne peut pas vérifier"))
    assert detr_reason(client, "58194")[0] == "not_eligible"
    # Le Port (La Réunion, about 32 000 inhabitants): overseas bands go up to 35 000; the search
    # keeps DETR for it, the page says « à vérifier » with the overseas band.
    state, reason = detr_reason(client, "97407")
    assert state == "to_check" and "3\u202f501 à 35\u202f000 habitants" in reason
    response = client.get("/api/v1/programmes", query_string={"commune": "97407", "per_page": 100})
    assert "curated-detr" in {result["id"] for result in response.get_json()["results"]}
    detail = soup(client.get("/programmes/curated-detr?commune=97407"))
    assert "En outre-mer : communes de 3\u202f500 habitants au plus" in squash(detail.select_one("#programme-tranches")
                                                                              .get_text())


def test_programme_page_answers_for_the_commune_of_the_search(client, curated):
    page = soup(client.get("/programmes/curated-action-coeur-de-ville?commune=54329"))
    assert squash(page.select_one("#programme-territoires").get_text()) == (
        "Réservé aux communes du programme Action Cœur de ville")
    assert squash(page.select_one("#programme-eligibilite .guichet-verdict__text").get_text()) == (
        "Lunéville est éligible : commune Action Cœur de ville")
    page = soup(client.get("/programmes/curated-action-coeur-de-ville?commune=18197"))
    assert squash(page.select_one("#programme-eligibilite .guichet-verdict__text").get_text()) == (
        "Non éligible : réservé aux communes du programme Action Cœur de ville")
    without = soup(client.get("/programmes/curated-action-coeur-de-ville"))
    assert without.select_one("#programme-eligibilite") is None
    for wrong in ("99999", "abc"):
        response = client.get(f"/programmes/curated-action-coeur-de-ville?commune={wrong}")
        assert response.status_code == 400 and "Commune inconnue" in response.get_data(as_text=True)


def test_search_results_say_eligible_and_link_with_the_commune(client, curated):
    page = soup(client.get("/", query_string={"commune": "18197", "q": "petites villes de demain"}))
    result = next(card for card in page.select(".guichet-result")
                  if squash(card.select_one("h3 a").get_text(" ")) == "Petites villes de demain")
    assert result.select_one("h3 a")["href"] == "/programmes/curated-petites-villes-de-demain?commune=18197"
    assert squash(result.select_one(".guichet-verdict__text").get_text()) == (
        "Saint-Amand-Montrond est éligible : Petite ville de demain")


def test_commune_api_gives_the_labels(client):
    payload = client.get("/api/v1/communes/58194").get_json()
    assert payload["densite"] == {"niveau": 2, "nom": "Centres urbains intermédiaires"}
    keys = [label["cle"] for label in payload["programmes_et_zonages"]]
    assert {"acv", "acv-entrees", "qpv", "france-services", "ort"} <= set(keys)
    assert {"acv", "qpv"} <= set(payload["conditions_territoriales"])
    assert client.get("/api/v1/communes/99999").status_code == 404
    assert client.get("/api/v1/communes/abc").status_code == 400


def test_a_postcode_comes_before_an_insee_code(client):
    response = client.get("/communes", query_string={"q": "54300"})
    choices = [squash(item.get_text()) for item in soup(response).select(".guichet-commune-choices li")]
    assert choices[0].startswith("Lunéville — Meurthe-et-Moselle (54)")
    assert choices[-1].startswith("code Insee 54300 : Laneuveville-devant-Nancy")
    autocomplete = client.get("/api/v1/communes", query_string={"q": "18200"}).get_json()
    assert autocomplete[0]["nom"] == "Saint-Amand-Montrond"
    assert "Saint-Bouize" not in [commune["nom"] for commune in autocomplete[:5]]
    # The same on the page without JavaScript: Saint-Amand-Montrond first, Saint-Bouize (INSEE
    # code 18200) last and labelled as such.
    choices = [squash(item.get_text()) for item in
               soup(client.get("/communes", query_string={"q": "18200"})).select(".guichet-commune-choices li")]
    assert choices[0].startswith("Saint-Amand-Montrond — Cher (18)")
    assert choices[-1].startswith("code Insee 18200 : Saint-Bouize")
    # The search page's commune is an INSEE code: it says when that number is also a postcode.
    page = soup(client.get("/", query_string={"commune": "54300"}))
    note = squash(page.select_one("#commune-code-postal").get_text())
    assert note.startswith("54300 est le code Insee de Laneuveville-devant-Nancy ; c’est aussi le code postal de Lunéville (54)")


def test_homonyms_offer_longer_names_without_javascript(client):
    page = soup(client.get("/communes", query_string={"q": "Saint-Amand"}))
    choices = [squash(item.get_text()) for item in page.select(".guichet-commune-choices li")]
    assert choices[0].startswith("Saint-Amand — Creuse (23)")
    assert any(choice.startswith("Saint-Amand-Montrond — Cher (18)") for choice in choices)


def test_about_page_credits_the_lists(client):
    text = squash(soup(client.get("/a-propos")).get_text(" "))
    assert "Licence Ouverte" in text and "Petites villes de demain — ANCT" in text


def test_a_number_typed_in_the_search_page_field_is_a_postcode_first(client):
    field = soup(client.get("/")).select_one("#commune-groupe")
    assert field.find("input", attrs={"name": "commune_saisie", "type": "hidden"}) is not None
    response = client.get("/", query_string={"commune": "54300", "commune_saisie": "1", "q": "vélo"})
    assert response.status_code == 200
    choices = soup(response).select(".guichet-commune-choices li")
    assert squash(choices[0].get_text()).startswith("Lunéville — Meurthe-et-Moselle (54)")
    assert choices[0].a["href"] == "/?q=v%C3%A9lo&commune=54329"
    assert squash(choices[-1].get_text()).startswith("code Insee 54300 : Laneuveville-devant-Nancy")
    assert choices[-1].a["href"] == "/?q=v%C3%A9lo&commune=54300"  # an INSEE code, without the marker
    # A typed INSEE code that is no postcode goes straight on, on a URL without the marker.
    assert client.get("/", query_string={"commune": "60057", "commune_saisie": "1"}).headers["Location"] == (
        "/?commune=60057")
    assert client.get("/", query_string={"commune": "600", "commune_saisie": "1"}).headers["Location"] == (
        "/?commune=600")
    assert client.get("/", query_string={"q": "vélo", "commune": "", "commune_saisie": "1"}).headers["Location"] == (
        "/?q=v%C3%A9lo")
