"""Digests end to end: what the real SMTP server on loopback received."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from guichet.digests.models import Delivery, DigestLogEntry
from guichet.web.formatting import date_fr

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def test_digest_lists_new_matching_programmes_with_links_and_unsubscribe_headers(
        app, client, smtp_server, subscribe, make_programme, run_digests, subscription_state):
    make_programme(title="Vélo publié avant l'abonnement", summary="vélo", themes=["mobilite"])
    subscription_id = subscribe("maire@commune.example", "q=vélo&theme=mobilite", "daily")
    deadline = date.today() + timedelta(days=40)
    velo = make_programme(title="Aménagements cyclables du quotidien", summary="Pistes cyclables et vélo.",
                          themes=["mobilite"], funders=["ADEME", "Région"], deadlines=[deadline.isoformat()])
    make_programme(title="Stationnement vélo en gare", summary="Des arceaux pour le vélo.", themes=["mobilite"],
                   funders=["État"], deadlines=[])
    make_programme(title="Éclairage public performant", summary="Des LED.", themes=["energie-climat"])
    make_programme(title="Vélo en attente de relecture", summary="vélo", themes=["mobilite"], state="pending")
    make_programme(title="Vélo clos", summary="vélo", themes=["mobilite"],
                   deadlines=[(date.today() - timedelta(days=3)).isoformat()])

    report = run_digests("daily")

    assert report.sent == 1
    [received] = smtp_server.messages
    assert received.to == "maire@commune.example"
    assert received["From"] == "Guichet <ne-pas-repondre@guichet.test>"
    assert received.subject == "2 nouveaux programmes pour « vélo » — Guichet"
    assert received["Content-Language"] == "fr"
    assert received.message.get_content_type() == "multipart/alternative"
    text, html = received.text, received.html
    for body in (text, html):
        assert "Aménagements cyclables du quotidien" in body
        assert "Stationnement vélo en gare" in body
        assert "ADEME, Région" in body
        assert date_fr(deadline) in body
        assert "sans date limite" in body  # the programme without deadline
        assert f"https://guichet.test/programmes/{velo}" in body
        assert "https://guichet.test/?q=v%C3%A9lo&amp;theme=mobilite" in body or \
               "https://guichet.test/?q=v%C3%A9lo&theme=mobilite" in body
        # Not new, not matching, not published, closed (the search page's default statuses):
        for absent in ("avant l’abonnement", "Éclairage public performant", "en attente de relecture", "Vélo clos"):
            assert absent not in body
    assert "Mots : « vélo »" in text and "Thème : Mobilité et transports" in text
    [manage] = received.links("/abonnement/gerer/")
    assert manage in html
    unsubscribe_header = str(received["List-Unsubscribe"]).strip()  # folded when the URL is long
    assert unsubscribe_header.startswith("<https://guichet.test/abonnement/desabonnement/")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058: the mail client POSTs to the header's URL, with no cookie, no CSRF token.
    fresh_client = app.test_client()
    response = fresh_client.post(unsubscribe_header.strip("<>"), data="List-Unsubscribe=One-Click",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Désabonnement enregistré" in response.get_data(as_text=True)
    assert subscription_state(subscription_id).status == "unsubscribed"
    make_programme(title="Vélo après le désabonnement", summary="vélo", themes=["mobilite"])
    assert run_digests("daily").sent == 0
    assert len(smtp_server.messages) == 1


def test_nothing_is_sent_when_nothing_is_new_and_a_second_run_sends_nothing(
        app, smtp_server, subscribe, make_programme, run_digests):
    subscribe("a@commune.example", "theme=mobilite", "daily")
    subscribe("b@commune.example", "theme=energie-climat", "daily")
    make_programme(title="Covoiturage rural", themes=["mobilite"])

    first = run_digests("daily")
    assert (first.planned, first.sent) == (1, 1)
    assert [received.to for received in smtp_server.messages] == ["a@commune.example"]

    second = run_digests("daily")
    assert (second.planned, second.sent) == (0, 0)
    assert len(smtp_server.messages) == 1

    make_programme(title="Chaleur renouvelable", themes=["energie-climat"])
    third = run_digests("daily")
    assert third.sent == 1
    assert smtp_server.messages[-1].to == "b@commune.example"
    assert "Chaleur renouvelable" in smtp_server.messages[-1].text
    assert "Covoiturage rural" not in smtp_server.messages[-1].text


def test_a_run_only_handles_its_frequency(app, smtp_server, subscribe, make_programme, run_digests):
    subscribe("quotidien@commune.example", "", "daily")
    subscribe("hebdo@commune.example", "", "weekly")
    make_programme(title="Maisons de santé")

    run_digests("daily")
    assert [received.to for received in smtp_server.messages] == ["quotidien@commune.example"]
    run_digests("weekly")
    assert [received.to for received in smtp_server.messages] == ["quotidien@commune.example",
                                                                  "hebdo@commune.example"]
    assert "Maisons de santé" in smtp_server.messages[1].text
    assert smtp_server.messages[1].subject == "1 nouveau programme pour votre recherche — Guichet"


def test_one_email_per_subscriber_and_run_with_every_new_programme(
        app, smtp_server, subscribe, make_programme, run_digests):
    subscribe("maire@commune.example", "theme=mobilite", "daily")
    for number in range(130):  # more than a page of the search (100)
        make_programme(title=f"Programme vélo numéro {number}", themes=["mobilite"])
    run_digests("daily")
    [received] = smtp_server.messages
    titles = {line.split(". ", 1)[1] for line in received.text.splitlines() if ". Programme vélo" in line}
    assert titles == {f"Programme vélo numéro {number}" for number in range(130)}
    assert received.subject.startswith("130 nouveaux programmes")


def test_smtp_down_then_up_delivers_the_same_digest_once(
        app, smtp_server, subscribe, make_programme, run_digests, runner):
    subscription_id = subscribe("maire@commune.example", "theme=mobilite", "daily")
    make_programme(title="Voies vertes", themes=["mobilite"])
    make_programme(title="Bus à la demande", themes=["mobilite"])

    smtp_server.stop()
    result = runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert result.exit_code == 1
    assert "1 lettres restent en attente" in result.output
    assert "injoignable" in result.output

    # Published while the relay was down: not part of the pending digest, waits for the next run.
    make_programme(title="Autopartage", themes=["mobilite"])
    smtp_server.start()
    result = runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    [received] = smtp_server.messages
    assert "Voies vertes" in received.text and "Bus à la demande" in received.text
    assert "Autopartage" not in received.text

    with app.extensions["guichet.db"].session() as session:
        [delivery] = session.scalars(select(Delivery).where(Delivery.subscription_id == subscription_id)).all()
        assert delivery.status == "sent" and delivery.attempts == 2
        assert received["Message-ID"] == delivery.message_id

    run_digests("daily")
    assert len(smtp_server.messages) == 2
    assert "Autopartage" in smtp_server.messages[1].text
    assert "Voies vertes" not in smtp_server.messages[1].text
    run_digests("daily")
    assert len(smtp_server.messages) == 2


def test_permanent_rejections_disable_the_subscription_after_repeated_failures(
        app, smtp_server, subscribe, make_programme, run_digests, subscription_state):
    app.config["DIGEST_PERMANENT_FAILURE_LIMIT"] = 3
    rejected = subscribe("inconnu@commune.example", "", "daily")
    subscribe("maire@commune.example", "", "daily")
    smtp_server.handler.reject["inconnu@commune.example"] = "550 5.1.1 Mailbox unavailable"
    make_programme(title="Friches industrielles")

    first = run_digests("daily")
    assert (first.sent, first.permanent_failures, first.disabled) == (1, 1, 0)
    assert [received.to for received in smtp_server.messages] == ["maire@commune.example"]
    state = subscription_state(rejected)
    assert state.status == "active" and state.permanent_failures == 1
    assert "550" in state.last_error

    assert run_digests("daily").permanent_failures == 1
    third = run_digests("daily")
    assert (third.permanent_failures, third.disabled) == (1, 1)
    state = subscription_state(rejected)
    assert state.status == "disabled" and state.disabled_at is not None

    make_programme(title="Encore un programme")
    fourth = run_digests("daily")
    assert fourth.permanent_failures == 0
    assert [received.to for received in smtp_server.messages] == ["maire@commune.example"] * 2
    with app.extensions["guichet.db"].session() as session:
        # The cancelled digest's programmes are not in the log: the log holds what went out.
        assert session.scalar(select(func.count()).select_from(DigestLogEntry)
                              .where(DigestLogEntry.subscription_id == rejected)) == 0


def test_a_temporary_rejection_keeps_the_digest_for_the_next_run(
        app, smtp_server, subscribe, make_programme, run_digests, subscription_state):
    subscription_id = subscribe("plein@commune.example", "", "daily")
    smtp_server.handler.reject["plein@commune.example"] = "452 4.2.2 Mailbox full"
    make_programme(title="Tiers-lieux ruraux")
    report = run_digests("daily")
    assert (report.sent, report.temporary_failures, report.pending_left) == (0, 1, 1)
    assert subscription_state(subscription_id).permanent_failures == 0
    del smtp_server.handler.reject["plein@commune.example"]
    assert run_digests("daily").sent == 1
    assert "Tiers-lieux ruraux" in smtp_server.messages[0].text


def test_a_programme_reaches_a_subscription_at_most_once(app, smtp_server, subscribe, make_programme, run_digests):
    from guichet.programmes.models import Programme
    from guichet.programmes.services import set_state

    subscribe("maire@commune.example", "", "daily")
    programme_id = make_programme(title="Programme republié")
    run_digests("daily")
    # Unpublished, then published again: a new published_at, but already sent to this subscriber.
    with app.extensions["guichet.db"].session() as session:
        programme = session.get(Programme, programme_id)
        set_state(programme, "pending")
        session.commit()
        set_state(programme, "published")
        session.commit()
    run_digests("daily")
    assert len(smtp_server.messages) == 1


def test_a_programme_indexed_late_still_reaches_the_next_digest(app, smtp_server, subscribe, make_programme,
                                                                run_digests):
    from guichet.search import sync_programmes

    subscribe("maire@commune.example", "theme=mobilite", "daily")
    app.config["SEARCH_SYNC_DISABLED"] = True  # published in the store, not yet in the index
    late = make_programme(title="Programme indexé en retard", themes=["mobilite"])
    app.config["SEARCH_SYNC_DISABLED"] = False
    assert run_digests("daily").sent == 0

    with app.app_context():
        sync_programmes(app, [late])
    make_programme(title="Programme du jour", themes=["mobilite"])
    run_digests("daily")
    [received] = smtp_server.messages
    assert "Programme indexé en retard" in received.text and "Programme du jour" in received.text
    run_digests("daily")
    assert len(smtp_server.messages) == 1
