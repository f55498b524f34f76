"""Scheduler jobs: daily digests at 06:00, weekly ones on Monday at 06:00 (Europe/Paris)."""

from guichet.scheduler import register_job


def send_daily_digests():
    from guichet.digests.sending import run_digests

    run_digests("daily")


def send_weekly_digests():
    from guichet.digests.sending import run_digests

    run_digests("weekly")


def register(app):
    register_job(app, "digests-daily", send_daily_digests, {"hour": 6, "minute": 0},
                 "Lettres quotidiennes des nouveaux programmes")
    register_job(app, "digests-weekly", send_weekly_digests, {"day_of_week": "mon", "hour": 6, "minute": 0},
                 "Lettres hebdomadaires des nouveaux programmes")
