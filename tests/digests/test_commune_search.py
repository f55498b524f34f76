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
    assert "Mobilités actives partout en France" in received.text and "Vélo dans l’Oise" in received.text
    for absent in ("Drôme", "Vélo des villages", "Vélo pour les entreprises"):
        assert absent not in received.text
    assert "https://guichet.test/?theme=mobilite&commune=60057" in received.text


def _manage_path(app, email, search):
    from urllib.parse import urlsplit

    from sqlalchemy import select

    from guichet.digests.links import manage_url
    from guichet.digests.models import Subscription

    with app.app_context(), app.extensions["guichet.db"].session() as session:
        subscription = session.scalar(select(Subscription).where(Subscription.email == email,
                                                                 Subscription.search == search))
        return urlsplit(manage_url(subscription)).path


def test_the_subscription_forms_take_a_commune_by_name_and_the_manage_page_lists_every_subscription(
        app, client, smtp_server, subscribe):
    """Issue 17 point 7: a name (or a postcode) typed in the commune field becomes the INSEE code,
    as on the search page; a shared name offers the communes; the manage page lists the address's
    other subscriptions, each with its own management link."""
    import html as html_module

    from guichet.communes.reference import load_reference

    from .test_views import csrf_fields, stored

    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    subscribe("mairie@nevers.example", "theme=mobilite", "weekly")
    subscribe("mairie@nevers.example", "q=piscine", "daily", confirmed=False)
    subscribe("autre@ailleurs.example", "q=piscine", "daily")

    # The subscribe form, without JavaScript: the typed name is read as on the search page.
    page = client.get("/abonnement?theme=mobilite")
    text = html_module.unescape(page.get_data(as_text=True))
    assert "Nom, code postal ou code Insee" in text and 'name="commune_saisie" value="1"' in text
    response = client.post("/abonnement", data={"email": "mairie@beauvais.example", "frequency": "weekly",
                                                "theme": "mobilite", "commune": "beauvais", "commune_saisie": "1",
                                                **csrf_fields(text)})
    assert response.status_code == 200, response.get_data(as_text=True)
    [beauvais] = stored(app, "mairie@beauvais.example")
    assert beauvais.search == "theme=mobilite&commune=60057"

    # A name several communes share: the form offers them, nothing is stored.
    response = client.post("/abonnement", data={"email": "mairie@saint-denis.example", "frequency": "weekly",
                                                "commune": "Saint-Denis", "commune_saisie": "1", **csrf_fields(text)})
    text = html_module.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Plusieurs communes correspondent à « Saint-Denis » : choisissez la vôtre dans la liste." in text
    assert text.count('type="radio" id="commune-') >= 2 and "Saint-Denis (93)" in text and 'name="commune_saisie"' not in text
    assert stored(app, "mairie@saint-denis.example") == []
    # An unknown name: the commune search's own French message.
    response = client.post("/abonnement", data={"email": "x@y.example", "frequency": "weekly",
                                                "commune": "Zzyzx", "commune_saisie": "1", **csrf_fields(text)})
    assert response.status_code == 400
    assert "Aucune commune ne correspond à « Zzyzx »" in html_module.unescape(response.get_data(as_text=True))

    # The manage page: the commune shown by name, changed by name, and every subscription listed.
    manage = _manage_path(app, "mairie@nevers.example", "theme=mobilite")
    page = client.get(manage)
    text = html_module.unescape(page.get_data(as_text=True))
    assert "Tous les abonnements de cette adresse" in text
    assert "l’adresse mairie@nevers.example est abonnée à 1 autre recherche" in text
    assert "Mots : « piscine »" in text and "en attente de confirmation" in text
    assert "autre@ailleurs.example" not in text
    other = _manage_path(app, "mairie@nevers.example", "q=piscine")
    assert f'href="{other}"' in text
    response = client.post(manage, data={"action": "update", "frequency": "weekly", "theme": "mobilite",
                                         "commune": "Nevers", "commune_saisie": "1", **csrf_fields(text)})
    text = html_module.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Vos préférences sont enregistrées." in text
    assert 'value="Nevers (58)"' in text
    assert {s.search for s in stored(app, "mairie@nevers.example")} == {"theme=mobilite&commune=58194", "q=piscine"}
