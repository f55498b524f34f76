"""Scheduler jobs: daily digests at 06:00, weekly ones on Monday at 06:00 (Europe/Paris), and
every five minutes the confirmation emails queued while the mail relay was unreachable."""

from guichet.scheduler import register_job


def send_daily_digests():
    from guichet.digests.sending import run_digests

    run_digests("daily")


def send_weekly_digests():
    from guichet.digests.sending import run_digests

    run_digests("weekly")


def send_queued_confirmations():
    from guichet.db import get_database
    from guichet.digests.subscriptions import send_queued_confirmations as send

    with get_database().session() as session:
        return send(session)


def register(app):
    register_job(app, "digests-daily", send_daily_digests, {"hour": 6, "minute": 0},
                 "Lettres quotidiennes des nouveaux programmes")
    register_job(app, "digests-weekly", send_weekly_digests, {"day_of_week": "mon", "hour": 6, "minute": 0},
                 "Lettres hebdomadaires des nouveaux programmes")
    register_job(app, "digests-confirmations", send_queued_confirmations, {"minute": "*/5"},
                 "Courriels de confirmation d’abonnement en attente", at_start=True)
