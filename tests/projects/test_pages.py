"""The sections the commune and programme pages include, and the « projets comme le mien » link."""

import html
import re

import pytest

from guichet.projects import services


@pytest.fixture
def client(projects):
    return projects.test_client()


def text_of(response) -> str:
    body = html.unescape(response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body))


def section(response, anchor: str) -> str:
    body = html.unescape(response.get_data(as_text=True))
    start = body.index(f'id="{anchor}"')
    end = body.find("</section>", start)
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", body[start:end]))


def test_commune_page_shows_its_own_projects_with_french_elision(client):
    response = client.get("/communes/58194")
    assert response.status_code == 200
    own = section(response, "projets-de-la-commune")
    assert "Projets financés à Nevers" in own
    assert "2 projets financés à Nevers, pour 141\u202f667\u202f€ d’aides" in own
    assert "Rénovation de l’école Lucie Aubrac" in own and "30\u202f% d’un coût de 400\u202f000\u202f€" in own
    # The CA de Nevers' own project is listed as the intercommunality's.
    assert "Animation du PAPI de la Loire nivernaise" in own and "CA de Nevers" in own

    le_mans = section(client.get("/communes/72181"), "projets-de-la-commune")
    assert "tous les projets" not in le_mans  # one project: all of them are listed
    assert "Projets financés au Mans" in le_mans and "1 projet financé au Mans" in le_mans


def test_commune_page_shows_what_towns_like_it_obtained(client):
    response = client.get("/communes/54329")  # Lunéville, 18 262 inhabitants
    similar = section(response, "projets-comparables")
    assert "Ce que des communes comme la vôtre ont obtenu" in similar
    # Towns of 2 000 to 20 000 inhabitants only; none in Meurthe-et-Moselle or the Grand Est: France.
    assert "de 2\u202f000 à 20\u202f000 habitants" in similar and "en France" in similar
    assert "Aménagement d’une piste cyclable le long du canal" in similar  # Saint-Amand-Montrond
    assert "Aire de covoiturage près de la mairie" in similar  # Sargé-lès-le-Mans
    assert "Rénovation thermique de l’école élémentaire" in similar  # Montluel
    assert "Mise aux normes de la salle des fêtes" not in similar  # Lunéville's own
    assert "Rénovation de l’école Lucie Aubrac" not in similar  # Nevers: another size
    body = response.get_data(as_text=True)
    assert 'href="/projets?population=2000-20000"' in body  # « Trouver des projets comme le mien »


def test_similar_towns_prefer_the_departement_then_the_region(projects, monkeypatch):
    from guichet.communes.models import Commune

    with projects.test_request_context():
        from guichet.db import get_session

        allonne = get_session().get(Commune, "60009")
        monkeypatch.setattr(services, "SIMILAR_ENOUGH", 1)
        near = services.similar_towns(allonne)
        assert near.scope == "france"  # the only other small town is in the Ain
        assert {project.commune_code for group in near.groups for project in group.projects} == {"01015"}
        beauvais = get_session().get(Commune, "60057")
        assert services.similar_towns(beauvais).scope == "france"
        monkeypatch.setattr(services, "SIMILAR_ENOUGH", 0)
        assert services.similar_towns(beauvais).scope == "department"


def test_similar_towns_compare_density_when_the_territories_feature_gives_it(projects, monkeypatch):
    """With a density level, only towns of the same level count."""
    from guichet.communes.models import Commune
    from guichet.projects import index

    levels = {"18197": 4, "72328": 3, "01262": 4, "54329": 4}
    monkeypatch.setattr(index, "density_levels", lambda session: levels)
    monkeypatch.setattr(services, "_density_of", lambda code: levels.get(code))
    index.rebuild_index(projects)
    with projects.test_request_context():
        from guichet.db import get_session

        similar = services.similar_towns(get_session().get(Commune, "54329"))
    places = {project.commune_code for group in similar.groups for project in group.projects}
    assert places == {"18197", "01262"}  # Sargé-lès-le-Mans is of another density level
    assert similar.density == "4"
    client = projects.test_client()
    text = section(client.get("/communes/54329"), "projets-comparables")
    assert "et de même niveau de densité (" in text and ", grille de l’Insee)" in text


def test_programme_page_says_who_obtained_it_and_shows_examples_near_the_commune(client):
    response = client.get("/programmes/curated-fonds-vert-eclairage-public?commune=60057")
    assert response.status_code == 200
    obtained = section(response, "projets-obtenus")
    assert ("Obtenu par 3 communes en 2023 ; montant médian 9\u202f800\u202f€ ; 2 communes de moins de "
            "2\u202f000 habitants.") in obtained
    assert "Exemples près de Beauvais, dans le même département (Oise, 60)" in obtained
    assert "Rénovation de l’éclairage public du bourg" in obtained
    body = response.get_data(as_text=True)
    assert 'href="/projets?programme=curated-fonds-vert-eclairage-public&amp;population=55550"' in body

    # French elision before a vowel (guichet.web.french): « près d’Allonne ».
    renaturation = section(client.get("/programmes/curated-fonds-vert-renaturation?commune=60009"), "projets-obtenus")
    assert "Exemples près d’Allonne, dans le même département (Oise, 60)" in renaturation

    dsil = section(client.get("/programmes/curated-dsil"), "projets-obtenus")
    assert "Obtenu par 2 communes en 2019 ; montant médian 200\u202f000\u202f€ ; 0 commune de moins de" in dsil
    assert "(3 projets en tout)" in dsil and "Exemples" not in dsil


def test_the_remembered_commune_chooses_the_examples(client):
    client.set_cookie("guichet_commune", "60057", domain="guichet.test")
    obtained = section(client.get("/programmes/curated-fonds-vert-eclairage-public"), "projets-obtenus")
    assert "Exemples près de Beauvais" in obtained and "Rénovation de l’éclairage public du bourg" in obtained
    assert "Extinction nocturne" not in obtained  # Arboys is in the Ain
    # Nevers: its own project is not an example, and no other is in the Bourgogne-Franche-Comté.
    client.set_cookie("guichet_commune", "58194", domain="guichet.test")
    assert "Exemples" not in section(client.get("/programmes/curated-fonds-vert-eclairage-public"), "projets-obtenus")


def test_pages_without_projects_keep_working(app):
    from guichet.communes.reference import load_reference
    from tests.projects.conftest import COMMUNES

    load_reference(app.extensions["guichet.db"], COMMUNES)
    client = app.test_client()
    response = client.get("/communes/58194")
    assert response.status_code == 200 and "Ce que des communes comme la vôtre" not in text_of(response)
    assert client.get("/api/v1/projects").get_json()["total"] == 0


def test_about_page_credits_the_lists(client):
    about = text_of(client.get("/a-propos"))
    assert "lauréats du Fonds vert 2023" in about and "Licence Ouverte / Etalab 2.0" in about
    assert "dotations d’investissement 2019" in about
