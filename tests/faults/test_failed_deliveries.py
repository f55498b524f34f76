"""Issue 12, point 5: failed digest deliveries are shown in the back office, with the mail
server's reason, and can be sent again (real aiosmtpd, real back office)."""

import html

from sqlalchemy import select

from guichet.digests.models import Delivery, Subscription
from tests.admin.conftest import ADMIN, CURATOR, logged_in_client, post_form, staff, staff_hashes  # noqa: F401
from tests.faults.test_digest_addresses import ACCENTED

REFUSED = "refus@commune.example"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def delivery_of(app, email):
    with app.extensions["guichet.db"].session() as session:
        delivery = session.scalars(select(Delivery).join(Delivery.subscription)
                                   .where(Subscription.email == email)).one()
        return delivery.id, delivery.status, delivery.subscription.status


def test_failed_deliveries_are_listed_with_their_reason_and_sent_again(app, staff, smtp_server, subscribe,
                                                                       make_programme, run_digests):
    subscribe(ACCENTED)
    subscribe(REFUSED)
    subscribe("maire@commune.example")
    smtp_server.handler.reject[REFUSED] = "550 5.1.1 Mailbox unavailable"
    make_programme(title="Rénovation énergétique des écoles")
    report = run_digests()
    assert report.sent == 1 and report.permanent_failures == 2

    admin = logged_in_client(app, ADMIN)
    page = admin.get("/admin/envois")
    assert page.status_code == 200
    body = text(page)
    assert "2 envois en échec" in body
    assert ACCENTED in body and "SMTPUTF8" in body and "Échec définitif" in body
    assert REFUSED in body and "550 5.1.1 Mailbox unavailable" in body and "En attente d’un nouvel essai" in body
    assert "maire@commune.example" not in body  # what went out is not a failure
    assert logged_in_client(app, CURATOR).get("/admin/envois").status_code == 403  # addresses: admins only

    # The address works again: « Renvoyer » sends it now.
    smtp_server.handler.reject.clear()
    refused_id, _status, _subscription = delivery_of(app, REFUSED)
    response = post_form(admin, f"/admin/envois/{refused_id}/renvoyer", {}, page="/admin/envois")
    assert response.status_code == 302
    assert "acceptée par le serveur de messagerie" in text(admin.get("/admin/envois"))
    assert delivery_of(app, REFUSED)[1] == "sent"
    assert [message.to for message in smtp_server.wait_for(2)][-1] == REFUSED

    # The accented address still cannot go through this relay: refused again, and still listed.
    accented_id, _status, _subscription = delivery_of(app, ACCENTED)
    post_form(admin, f"/admin/envois/{accented_id}/renvoyer", {}, page="/admin/envois")
    body = text(admin.get("/admin/envois"))
    assert "de nouveau refusée" in body and "1 envoi en échec" in body and REFUSED not in body
    assert delivery_of(app, ACCENTED)[1] == "failed"

    # With the relay down, a retry says so and the letter waits for the next run.
    smtp_server.stop()
    post_form(admin, f"/admin/envois/{accented_id}/renvoyer", {}, page="/admin/envois")
    body = text(admin.get("/admin/envois"))
    assert "n’a pas pu la prendre pour l’instant" in body
    assert delivery_of(app, ACCENTED)[1] == "pending"
    # A delivery that went out, or an unknown one, is not sent again.
    response = post_form(admin, "/admin/envois/999999/renvoyer", {}, page="/admin/envois")
    assert "ne peut plus être renvoyé" in text(admin.get(response.headers["Location"]))
