"""Subscription pages: subscribe (double opt-in), confirm, manage, one-click unsubscribe."""

import html as html_module
import re
import time
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from guichet.digests.models import Subscription

PARIS = ZoneInfo("Europe/Paris")


def page_text(response) -> str:
    return html_module.unescape(response.get_data(as_text=True))


def path_of(url: str) -> str:
    """A link of an email, opened on the test client (CSRF checks the Referer of HTTPS requests)."""
    return urlsplit(url).path


def csrf_fields(html: str) -> dict:
    """The CSRF token of a page's form, when CSRF protection is on (it is app-wide with the back office)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return {"csrf_token": match.group(1)} if match else {}


def subscribe_via_form(client, email, query_string="q=vélo&theme=mobilite", frequency="daily"):
    """What a browser does: open the form from the search, fill it in, send it."""
    page = client.get(f"/abonnement?{query_string}")
    data = parse_qsl(query_string) + [("email", email), ("frequency", frequency)]
    data += list(csrf_fields(page_text(page)).items())
    return client.post("/abonnement", data=MultiDict(data))


def stored(app, email):
    with app.extensions["guichet.db"].session() as session:
        return session.scalars(select(Subscription).where(Subscription.email == email)).all()


def test_the_search_page_links_to_the_subscription_with_its_filters(client):
    html = page_text(client.get("/?q=vélo&theme=mobilite"))
    assert "Recevoir les nouveaux programmes de cette recherche" in html
    assert 'href="/abonnement?q=v%C3%A9lo&theme=mobilite"' in html


def test_subscribe_form_shows_the_search_filters_in_french(client):
    response = client.get("/abonnement?q=vélo&theme=mobilite&population=2000-20000&status=ouvert")
    html = page_text(response)
    assert response.status_code == 200
    for line in ("Mots : « vélo »", "Thème : Mobilité et transports",
                 "Taille de la commune : 2 000 à 20 000 hab. (petites villes)", "Statut : Ouvert"):
        assert line in html
    assert 'name="theme" value="mobilite" checked' in html
    assert 'value="vélo"' in html
    assert '<label class="fr-label" for="email">Adresse électronique' in html
    assert 'id="frequency-daily"' in html and 'id="frequency-weekly"' in html


def test_subscribe_form_refuses_an_invalid_search_in_french(client):
    response = client.get("/abonnement?theme=inconnu")
    assert response.status_code == 400
    assert "Thème inconnu : « inconnu »" in page_text(response)


def test_double_opt_in_nothing_but_the_confirmation_before_confirming(
        app, client, smtp_server, make_programme, run_digests):
    response = subscribe_via_form(client, "Maire@Commune.example")
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in page_text(response)
    [subscription] = stored(app, "maire@commune.example")
    assert subscription.status == "pending" and subscription.search == "q=v%C3%A9lo&theme=mobilite"

    [confirmation] = smtp_server.messages
    assert confirmation.to == "maire@commune.example"
    assert confirmation.subject == "Confirmez votre abonnement aux nouveaux programmes — Guichet"
    # Anyone can have it sent to any address: it quotes none of the requester's words (issue 12, L3),
    # only our own labels of the search.
    words = "Mots-clés : ceux de votre recherche (affichés après confirmation)"
    assert words in confirmation.text and words in confirmation.html
    assert "vélo" not in confirmation.text and "vélo" not in confirmation.html
    assert "Thème : Mobilité" in confirmation.text
    [link] = confirmation.links("/abonnement/confirmer/")
    assert link in confirmation.html
    link = path_of(link)

    # Not confirmed: no digest, whatever is published.
    make_programme(title="Vélo avant confirmation", summary="vélo", themes=["mobilite"])
    assert run_digests("daily").sent == 0
    assert len(smtp_server.messages) == 1

    # Opening the link (as a mail scanner would) only shows a button.
    page = client.get(link)
    assert page.status_code == 200 and "Confirmer mon abonnement" in page_text(page)
    assert stored(app, "maire@commune.example")[0].status == "pending"
    confirmed = client.post(link, data=csrf_fields(page_text(page)))
    assert confirmed.status_code == 200
    assert "Abonnement confirmé" in page_text(confirmed)
    assert stored(app, "maire@commune.example")[0].status == "active"

    make_programme(title="Vélo après confirmation", summary="vélo", themes=["mobilite"])
    run_digests("daily")
    digest = smtp_server.messages[-1]
    assert "Vélo après confirmation" in digest.text
    assert "Vélo avant confirmation" not in digest.text


def test_the_answer_never_reveals_whether_an_address_is_subscribed(app, client, smtp_server, subscribe):
    subscribe("deja@commune.example", "q=v%C3%A9lo&theme=mobilite", "daily")
    smtp_server.messages.clear()
    known = subscribe_via_form(client, "deja@commune.example")
    unknown = subscribe_via_form(client, "nouveau@commune.example")
    assert known.status_code == unknown.status_code == 200
    assert (page_text(known).replace("deja@", "X@")
            == page_text(unknown).replace("nouveau@", "X@"))
    # The mailbox owner learns it: a reminder with the management link, no new confirmation.
    reminder, confirmation = smtp_server.messages
    assert reminder.to == "deja@commune.example" and reminder.links("/abonnement/gerer/")
    assert not reminder.links("/abonnement/confirmer/")
    assert confirmation.to == "nouveau@commune.example" and confirmation.links("/abonnement/confirmer/")
    assert stored(app, "deja@commune.example")[0].status == "active"


def test_subscription_requests_are_rate_limited_per_address(app, client, smtp_server):
    for _ in range(3):
        assert subscribe_via_form(client, "maire@commune.example").status_code == 200
    response = subscribe_via_form(client, "maire@commune.example")
    assert response.status_code == 429
    assert "Trop de demandes d’abonnement" in page_text(response)
    assert len(smtp_server.messages) == 3


def test_subscription_requests_are_rate_limited_per_ip(app, client, smtp_server):
    app.config["SUBSCRIPTION_LIMIT_PER_IP"] = 2
    assert subscribe_via_form(client, "a@commune.example").status_code == 200
    assert subscribe_via_form(client, "b@commune.example").status_code == 200
    response = subscribe_via_form(client, "c@commune.example")
    assert response.status_code == 429
    assert "Merci de réessayer dans une heure" in page_text(response)
    other_ip = app.test_client()
    page = other_ip.get("/abonnement")
    response = other_ip.post("/abonnement", data={"email": "c@commune.example", "frequency": "daily",
                                                  **csrf_fields(page_text(page))},
                             environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200


def test_bad_input_gives_a_french_message_and_no_email(client, smtp_server):
    response = subscribe_via_form(client, "pas-une-adresse")
    assert response.status_code == 400
    assert "L’adresse électronique n’est pas valide" in page_text(response)
    response = subscribe_via_form(client, "maire@commune.example", frequency="mensuelle")
    assert response.status_code == 400
    assert "Choisissez la fréquence des courriels" in page_text(response)
    response = subscribe_via_form(client, "maire@commune.example", query_string="population=beaucoup")
    assert response.status_code == 400
    assert "La population doit être un nombre" in page_text(response)
    assert smtp_server.messages == []


def test_smtp_down_the_confirmation_is_queued_then_sent_by_the_scheduler(app, client, smtp_server):
    """Issue 17 point 7: no error page when the relay is unreachable; the page keeps the search,
    the scheduler's job sends the confirmation once the (real) SMTP server is back."""
    from guichet.scheduler import jobs

    job = jobs(app)["digests-confirmations"]
    smtp_server.stop()
    response = subscribe_via_form(client, "maire@commune.example")
    html = page_text(response)
    assert response.status_code == 200
    assert "Nous vous enverrons le courriel de confirmation dès que possible" in html
    assert "Erreur" not in html and "réessayez" not in html
    assert "Mots : « vélo »" in html and "Thème : Mobilité et transports" in html
    assert 'href="/?q=v%C3%A9lo&theme=mobilite" id="retour-recherche"' in html
    [subscription] = stored(app, "maire@commune.example")
    assert subscription.status == "pending" and subscription.confirmation_queued_at is not None
    assert subscription.confirmation_sent_at is None
    with app.app_context():
        assert job.func() == {"sent": 0, "dropped": 0, "left": 1}  # still down: stays queued
    assert stored(app, "maire@commune.example")[0].confirmation_queued_at is not None

    smtp_server.start()
    assert job.trigger.get_next_fire_time(None, datetime(2026, 3, 4, 12, 1, tzinfo=PARIS)).minute == 5
    with app.app_context():
        assert job.func() == {"sent": 1, "dropped": 0, "left": 0}
        assert job.func() == {"sent": 0, "dropped": 0, "left": 0}  # sent once, never twice
    [received] = smtp_server.wait_for(1)
    assert received.to == "maire@commune.example"
    [subscription] = stored(app, "maire@commune.example")
    assert subscription.confirmation_queued_at is None and subscription.confirmation_sent_at is not None
    link = path_of(received.links("/abonnement/confirmer/")[0])
    assert client.post(link, data=csrf_fields(page_text(client.get(link)))).status_code == 200
    assert stored(app, "maire@commune.example")[0].status == "active"


def test_a_queued_confirmation_older_than_its_lifetime_is_dropped(app, client, smtp_server):
    from datetime import timedelta

    from guichet.digests.subscriptions import send_queued_confirmations
    from guichet.programmes.models import utcnow

    smtp_server.stop()
    subscribe_via_form(client, "maire@commune.example")
    smtp_server.start()
    with app.app_context(), app.extensions["guichet.db"].session() as session:
        counts = send_queued_confirmations(session, now=utcnow() + timedelta(days=8))
    assert counts == {"sent": 0, "dropped": 1, "left": 0}
    assert smtp_server.messages == []
    assert stored(app, "maire@commune.example")[0].confirmation_queued_at is None


def test_confirmation_links_are_signed_and_expire(app, client, smtp_server):
    subscribe_via_form(client, "maire@commune.example")
    [link] = smtp_server.messages[0].links("/abonnement/confirmer/")
    response = client.get(path_of(link)[:-3] + "abc")
    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in page_text(response)
    # The same link as the mailer would have made eight days ago.
    [subscription] = stored(app, "maire@commune.example")

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 8 * 86400

    # Links are signed with their own key (LINK_SECRET_KEY), not the session key.
    old = URLSafeTimedSerializer(app.config["LINK_SECRET_KEY"], salt="guichet.digests.confirm",
                                 signer=EightDaysAgo).dumps([subscription.id, subscription.link_key])
    response = client.get(f"/abonnement/confirmer/{old}")
    assert response.status_code == 400
    assert "Ce lien de confirmation a expiré" in page_text(response)
    # A management token is no confirmation token (one salt per purpose).
    manage = URLSafeTimedSerializer(app.config["LINK_SECRET_KEY"], salt="guichet.digests.manage").dumps(
        [subscription.id, subscription.link_key])
    assert client.get(f"/abonnement/confirmer/{manage}").status_code == 404


def manage_link(app, email):
    from guichet.digests.links import manage_url

    with app.app_context():
        [subscription] = stored(app, email)
        return path_of(manage_url(subscription))


def test_manage_page_changes_filters_and_frequency(app, client, subscribe, smtp_server):
    subscribe("maire@commune.example", "q=v%C3%A9lo", "daily")
    link = manage_link(app, "maire@commune.example")
    page = client.get(link)
    html = page_text(page)
    assert page.status_code == 200 and "Gérer votre abonnement" in html
    assert "Mots : « vélo »" in html and 'id="frequency-daily" name="frequency" value="daily" checked' in html

    response = client.post(link, data={"action": "update", "frequency": "weekly", "q": "éclairage",
                                       "theme": ["energie-climat"], "population": "moins-2000",
                                       **csrf_fields(html)})
    assert response.status_code == 200
    html = page_text(response)
    assert "Vos préférences sont enregistrées" in html
    assert "Thème : Énergie et climat" in html and "Mots : « éclairage »" in html
    [subscription] = stored(app, "maire@commune.example")
    assert subscription.frequency == "weekly"
    assert subscription.search == "q=%C3%A9clairage&theme=energie-climat&population=moins-2000"

    response = client.post(link, data={"action": "update", "frequency": "weekly", "theme": "pas-un-theme",
                                       **csrf_fields(html)})
    assert response.status_code == 400
    assert "Thème inconnu : « pas-un-theme »" in page_text(response)
    assert stored(app, "maire@commune.example")[0].search.startswith("q=%C3%A9clairage")


def test_unsubscribe_page_asks_first_and_the_post_works_without_session(app, client, subscribe, smtp_server):
    from guichet.digests.links import unsubscribe_url

    subscribe("maire@commune.example", "", "weekly")
    with app.app_context():
        link = path_of(unsubscribe_url(stored(app, "maire@commune.example")[0]))
    page = client.get(link)
    assert page.status_code == 200 and "Me désabonner" in page_text(page)
    assert stored(app, "maire@commune.example")[0].status == "active"

    no_cookies = app.test_client(use_cookies=False)
    response = no_cookies.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert stored(app, "maire@commune.example")[0].status == "unsubscribed"
    assert no_cookies.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent

    # The manage link still works: the page says so and offers to subscribe again.
    link = manage_link(app, "maire@commune.example")
    html = page_text(client.get(link))
    assert "Vous êtes désabonné" in html
    response = client.post(link, data={"action": "resubscribe", **csrf_fields(html)})
    assert "de nouveau actif" in page_text(response)
    assert stored(app, "maire@commune.example")[0].status == "active"


def test_with_csrf_protection_forms_carry_the_token_and_one_click_needs_none(csrf_app, smtp_server):
    from guichet.digests.links import unsubscribe_url
    from guichet.digests.subscriptions import add_subscription

    client = csrf_app.test_client()
    html = page_text(client.get("/abonnement"))
    assert 'name="csrf_token"' in html
    assert client.post("/abonnement", data={"email": "maire@commune.example", "frequency": "daily"}).status_code == 400
    response = client.post("/abonnement", data={"email": "maire@commune.example", "frequency": "daily",
                                                **csrf_fields(html)})
    assert response.status_code == 200 and "Vérifiez votre messagerie" in page_text(response)

    with csrf_app.app_context():
        with csrf_app.extensions["guichet.db"].session() as session:
            subscription, _ = add_subscription(session, "autre@commune.example", "", "daily", confirmed=True)
            link = unsubscribe_url(subscription)
    response = csrf_app.test_client(use_cookies=False).post(link, data="List-Unsubscribe=One-Click",
                                                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert stored(csrf_app, "autre@commune.example")[0].status == "unsubscribed"


def test_unknown_management_link_is_a_french_404(client):
    response = client.get("/abonnement/gerer/nimporte-quoi")
    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in page_text(response)


def test_an_old_confirmation_link_does_not_restart_a_stopped_subscription(app, client, smtp_server):
    from guichet.digests.subscriptions import unsubscribe

    subscribe_via_form(client, "maire@commune.example")
    [link] = smtp_server.messages[0].links("/abonnement/confirmer/")
    with app.extensions["guichet.db"].session() as session:
        [subscription] = session.scalars(select(Subscription)).all()
        unsubscribe(session, subscription)
    page = client.get(path_of(link))
    assert "Cet abonnement a été arrêté depuis" in page_text(page)
    client.post(path_of(link), data=csrf_fields(page_text(page)))
    assert stored(app, "maire@commune.example")[0].status == "unsubscribed"
