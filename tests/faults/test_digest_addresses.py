"""H3 + issue point 5: one subscriber whose address the relay cannot take never stops the
digests; internationalised addresses go out with SMTPUTF8 when the relay offers it, and are
refused with a French message at subscription time when it does not. Real aiosmtpd."""

import pytest
from sqlalchemy import select

from guichet.digests.models import Delivery, Subscription
from tests.digests.test_views import csrf_fields, page_text

ACCENTED = "élodie.hérault@commune.example"


def deliveries(app):
    with app.extensions["guichet.db"].session() as session:
        rows = session.execute(select(Subscription.email, Delivery.status, Delivery.last_error)
                               .join(Delivery.subscription).order_by(Delivery.id)).all()
        return [tuple(row) for row in rows]


def test_an_accented_address_fails_alone_and_the_run_goes_on(app, smtp_server, subscribe, make_programme,
                                                             run_digests):
    # Stored before the form refused such addresses (or by an operator's command).
    subscribe(ACCENTED)
    subscribe("maire@commune.example")
    make_programme(title="Rénovation énergétique des écoles")
    report = run_digests()
    assert report.sent == 1 and report.permanent_failures == 1
    assert [message.to for message in smtp_server.wait_for(1)] == ["maire@commune.example"]
    rows = deliveries(app)
    assert ("maire@commune.example", "sent", None) in rows
    [(_email, status, error)] = [row for row in rows if row[0] == ACCENTED]
    assert status == "failed" and "SMTPUTF8" in error

    # The next run does not stumble on the same delivery first: new programmes still go out.
    make_programme(title="Voirie communale")
    report = run_digests()
    assert report.sent == 1 and report.errors == []
    assert len(smtp_server.wait_for(2)) == 2


@pytest.mark.parametrize("smtputf8", [True])
def test_an_accented_address_is_delivered_with_smtputf8(app, smtp_server, subscribe, make_programme, run_digests):
    subscribe(ACCENTED)
    make_programme(title="Rénovation énergétique des écoles")
    report = run_digests()
    assert report.sent == 1 and report.permanent_failures == 0
    [message] = smtp_server.wait_for(1)
    assert message.to == ACCENTED
    assert message["To"] == ACCENTED
    assert "Rénovation énergétique des écoles" in message.text


def _subscribe_form(client, email):
    page = client.get("/abonnement")
    return client.post("/abonnement", data={"email": email, "frequency": "daily", **csrf_fields(page_text(page))})


def test_the_form_refuses_an_accented_address_in_french_when_the_relay_cannot_take_it(app, client, smtp_server):
    response = _subscribe_form(client, ACCENTED)
    assert response.status_code == 400
    assert "caractères accentués ou non latins" in page_text(response)
    assert smtp_server.messages == []
    with app.extensions["guichet.db"].session() as session:
        assert session.scalars(select(Subscription)).all() == []


@pytest.mark.parametrize("smtputf8", [True])
def test_the_form_accepts_an_accented_address_when_the_relay_offers_smtputf8(app, client, smtp_server):
    response = _subscribe_form(client, ACCENTED)
    assert response.status_code == 200, page_text(response)[:500]
    [message] = smtp_server.wait_for(1)
    assert message.to == ACCENTED and "Confirmez" in message.subject


def test_the_form_never_answers_500_for_a_strange_address(client, smtp_server):
    for email in ("é@b.fr", "a\u202e@b.fr", "😀@commune.example", "x" * 70 + "@b.fr", "a@é.fr"):
        response = _subscribe_form(client, email)
        assert response.status_code in (200, 400), (email, response.status_code)
        assert response.status_code != 500
