"""`guichet subscription add|list|remove`, `guichet digest send`, and the scheduler's jobs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from guichet.digests.models import DigestLogEntry, Subscription


def test_subscription_add_confirmed_list_and_remove(app, runner, smtp_server, make_programme):
    result = runner.invoke(args=["subscription", "add", "Maire@Commune.example", "--search", "q=vélo&theme=mobilite",
                                 "--frequency", "weekly", "--confirmed"])
    assert result.exit_code == 0, result.output
    assert "actif" in result.output and "hebdomadaire" in result.output
    assert smtp_server.messages == []  # confirmed by the operator: no confirmation email

    result = runner.invoke(args=["subscription", "list"])
    assert result.exit_code == 0
    assert "maire@commune.example\tactif\tweekly\tq=v%C3%A9lo&theme=mobilite" in result.output

    make_programme(title="Pistes cyclables", summary="vélo", themes=["mobilite"])
    assert runner.invoke(args=["digest", "send", "--frequency", "weekly"]).exit_code == 0
    assert len(smtp_server.messages) == 1

    result = runner.invoke(args=["subscription", "remove", "maire@commune.example"])
    assert result.exit_code == 0 and "1 abonnement(s) supprimé(s)" in result.output
    with app.extensions["guichet.db"].session() as session:
        assert session.scalar(select(func.count()).select_from(Subscription)) == 0
        assert session.scalar(select(func.count()).select_from(DigestLogEntry)) == 0
    result = runner.invoke(args=["subscription", "remove", "maire@commune.example"])
    assert result.exit_code != 0 and "aucun abonnement" in result.output


def test_subscription_add_without_confirmed_sends_the_confirmation(app, runner, smtp_server):
    result = runner.invoke(args=["subscription", "add", "maire@commune.example", "--search", "theme=numerique",
                                 "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert "en attente de confirmation" in result.output
    [confirmation] = smtp_server.messages
    assert confirmation.links("/abonnement/confirmer/")
    assert "Thème : Numérique et ville intelligente" in confirmation.text


def test_subscription_add_queues_the_confirmation_while_the_relay_is_down(app, runner, smtp_server):
    """The operator's command, like the web form, never fails on a mail server that is down: the
    confirmation is queued and the scheduler's job sends it once the (real) SMTP server is back."""
    from guichet.scheduler import jobs

    smtp_server.stop()
    result = runner.invoke(args=["subscription", "add", "maire@commune.example", "--search", "theme=numerique",
                                 "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert "serveur de courriel injoignable : le courriel de confirmation partira dès que possible" in result.output
    with app.extensions["guichet.db"].session() as session:
        [subscription] = session.scalars(select(Subscription)).all()
        assert subscription.status == "pending" and subscription.confirmation_queued_at is not None
        assert subscription.confirmation_sent_at is None
    smtp_server.start()
    with app.app_context():
        assert jobs(app)["digests-confirmations"].func() == {"sent": 1, "dropped": 0, "left": 0}
    [confirmation] = smtp_server.wait_for(1)
    assert confirmation.to == "maire@commune.example" and confirmation.links("/abonnement/confirmer/")


def test_subscription_add_refuses_bad_input_in_french(runner, smtp_server):
    result = runner.invoke(args=["subscription", "add", "maire@commune.example", "--search", "theme=inconnu",
                                 "--frequency", "daily"])
    assert result.exit_code == 2 and "Thème inconnu : « inconnu »." in result.output
    result = runner.invoke(args=["subscription", "add", "pas-une-adresse", "--frequency", "daily"])
    assert result.exit_code == 2 and "n’est pas valide" in result.output
    result = runner.invoke(args=["subscription", "add", "maire@commune.example", "--frequency", "monthly"])
    assert result.exit_code == 2
    assert smtp_server.messages == []


def test_digest_send_reports_what_it_did(runner, smtp_server, subscribe, make_programme):
    subscribe("maire@commune.example", "", "daily")
    make_programme(title="Tiers-lieux")
    result = runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert "1 abonnements examinés (1 recherches distinctes), 1 lettres préparées (1 programmes), 1 envoyées" \
        in result.output


def test_scheduler_runs_daily_at_six_and_weekly_on_monday_at_six_paris_time(app):
    from guichet.scheduler import jobs

    registered = jobs(app)
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 4, 12, 0, tzinfo=paris)  # a Wednesday
    daily = registered["digests-daily"].trigger.get_next_fire_time(None, start)
    weekly = registered["digests-weekly"].trigger.get_next_fire_time(None, start)
    assert (daily.weekday(), daily.hour, daily.minute, daily.day) == (3, 6, 0, 5)
    assert (weekly.weekday(), weekly.hour, weekly.minute, weekly.day) == (0, 6, 0, 9)
    assert str(daily.tzinfo) == "Europe/Paris"
    # Summer time: still 06:00 in Paris.
    summer = registered["digests-weekly"].trigger.get_next_fire_time(None, datetime(2026, 7, 1, tzinfo=paris))
    assert (summer.hour, summer.utcoffset().total_seconds()) == (6, 7200)


def test_the_scheduler_job_sends_the_digests(app, smtp_server, subscribe, make_programme):
    from guichet.scheduler import jobs

    subscribe("hebdo@commune.example", "", "weekly")
    make_programme(title="Patrimoine rural")
    with app.app_context():
        jobs(app)["digests-weekly"].func()
    [received] = smtp_server.messages
    assert received.to == "hebdo@commune.example"


def test_two_runs_never_overlap(app, runner, subscribe, make_programme, smtp_server):
    from guichet.digests.sending import _run_lock

    subscribe("maire@commune.example", "", "daily")
    make_programme(title="Écoles")
    with _run_lock(app):
        result = runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert result.exit_code == 1 and "un envoi des lettres est déjà en cours" in result.output
    assert smtp_server.messages == []
    assert runner.invoke(args=["digest", "send", "--frequency", "daily"]).exit_code == 0
    assert len(smtp_server.messages) == 1
