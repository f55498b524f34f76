"""Sending: every pending delivery through the one mailer, and a whole run (plan, then send)
as the CLI and the scheduler start it."""

import fcntl
import logging
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from guichet.digests.mailer import AddressNotSupported, Mailer, PermanentFailure, TemporaryFailure
from guichet.digests.models import Delivery
from guichet.digests.planning import RunReport, plan_digests
from guichet.digests.rendering import DigestRenderer
from guichet.digests.subscriptions import cancel_delivery, check_frequency
from guichet.programmes.models import utcnow

log = logging.getLogger(__name__)


class DigestRunLocked(RuntimeError):
    pass


def send_pending(session: Session, mailer: Mailer, now: datetime | None = None,
                 report: RunReport | None = None, after_each=None, only: list[int] | None = None) -> RunReport:
    """Send every pending delivery, oldest first, each marked sent as soon as the relay took it.

    A permanent rejection (5xx) counts against the subscription, which is disabled after
    DIGEST_PERMANENT_FAILURE_LIMIT consecutive ones; until then the delivery stays pending
    and is tried again at the next run. A lost relay stops the run: the rest stay pending.
    ``only``: these deliveries alone (a retry from the back office).
    """
    now = now or utcnow()
    report = report or RunReport("")
    limit = int(current_app.config["DIGEST_PERMANENT_FAILURE_LIMIT"])
    pending = select(Delivery.id).where(Delivery.status == "pending").order_by(Delivery.id)
    if only is not None:
        pending = pending.where(Delivery.id.in_(only))
    ids = session.scalars(pending).all()
    renderer = DigestRenderer(session)
    for position, delivery_id in enumerate(ids):
        delivery = session.get(Delivery, delivery_id, options=[joinedload(Delivery.subscription)])
        if delivery is None or delivery.status != "pending":
            continue
        subscription = delivery.subscription
        if subscription.status != "active":
            cancel_delivery(session, delivery)
            session.commit()
            report.cancelled += 1
            continue
        message = renderer.message(delivery)
        delivery.attempts += 1
        delivery.last_attempt_at = utcnow()
        delivery.message_id = message["Message-ID"]
        try:
            mailer.send(message)
        except AddressNotSupported as error:
            # No retry can deliver to this address: this delivery ends « failed », the run goes on.
            report.permanent_failures += 1
            delivery.status = "failed"
            delivery.last_error = subscription.last_error = str(error)
            subscription.permanent_failures += 1
            if subscription.permanent_failures >= limit:
                subscription.status = "disabled"
                subscription.disabled_at = now
                report.disabled += 1
            log.warning("digest %s to subscription %s failed for good: %s", delivery.id, subscription.id, error)
            session.commit()
            continue
        except PermanentFailure as error:
            report.permanent_failures += 1
            delivery.last_error = subscription.last_error = str(error)
            subscription.permanent_failures += 1
            if subscription.permanent_failures >= limit:
                subscription.status = "disabled"
                subscription.disabled_at = now
                cancel_delivery(session, delivery)
                report.disabled += 1
                log.warning("subscription %s disabled after %d permanent failures: %s",
                            subscription.id, subscription.permanent_failures, error)
            session.commit()
            continue
        except TemporaryFailure as error:
            report.temporary_failures += 1
            delivery.last_error = str(error)
            session.commit()
            if error.connection_lost:
                report.errors.append(str(error))
                report.pending_left += len(ids) - position
                break
            report.pending_left += 1
            continue
        delivery.status = "sent"
        delivery.sent_at = utcnow()
        delivery.last_error = None
        subscription.permanent_failures = 0
        subscription.last_error = None
        subscription.last_digest_at = delivery.sent_at
        session.commit()
        report.sent += 1
        if after_each is not None:
            after_each(delivery)
    return report


# -- failures, as the back office shows them -------------------------------------------------
# What a gestionnaire reads for each delivery that did not go out.
FAILURE_STATES = {
    "failed": "Échec définitif : l’adresse ne peut pas recevoir ce courriel",
    "pending": "En attente d’un nouvel essai",
    "cancelled": "Annulée : abonnement désactivé après des refus répétés",
}


def failed_deliveries(session: Session, limit: int = 200) -> list[Delivery]:
    """Deliveries the mail server refused or could not take (newest first): failed for good,
    still waiting after an error, or cancelled because the subscription was disabled."""
    return list(session.scalars(
        select(Delivery).options(joinedload(Delivery.subscription))
        .where(Delivery.last_error.is_not(None), Delivery.status != "sent")
        .order_by(Delivery.last_attempt_at.desc().nulls_last(), Delivery.id.desc()).limit(limit)))


def can_retry(delivery: Delivery) -> bool:
    # A cancelled delivery gave its programmes back (they go in the next digest): nothing to resend.
    return delivery.status in ("failed", "pending")


class RetryRefused(ValueError):
    pass


def retry_delivery(session: Session, mailer: Mailer, delivery_id: int) -> RunReport:
    """Send one failed or waiting delivery again, now. A subscription disabled after refusals is
    active again (the gestionnaire says the address works now); the outcome is recorded as in
    any run (a new refusal shows again, with its reason)."""
    delivery = session.get(Delivery, delivery_id, options=[joinedload(Delivery.subscription)])
    if delivery is None or not can_retry(delivery):
        raise RetryRefused("Cet envoi n’existe pas ou ne peut plus être renvoyé.")
    subscription = delivery.subscription
    if subscription.status == "unsubscribed":
        raise RetryRefused("La personne s’est désabonnée : rien n’est renvoyé.")
    if subscription.status == "disabled":
        subscription.status = "active"
        subscription.disabled_at = None
        subscription.permanent_failures = 0
    delivery.status = "pending"
    session.commit()
    log.info("digest %s to subscription %s retried from the back office", delivery.id, subscription.id)
    return send_pending(session, mailer, only=[delivery.id])


def run_digests(frequency: str, now: datetime | None = None, app=None) -> RunReport:
    """A whole run (CLI and scheduler): plan this frequency's digests, then send every pending one.

    A file lock in the instance folder keeps two runs on this machine from overlapping.
    """
    from guichet.search.base import SearchUnavailable

    app = app or current_app._get_current_object()
    check_frequency(frequency)
    report = RunReport(frequency)
    with _run_lock(app):
        with app.extensions["guichet.db"].session() as session:
            try:
                plan_digests(session, frequency, now=now, report=report)
            except SearchUnavailable as error:
                session.rollback()
                report.errors.append(f"recherche indisponible : {error}")
            with Mailer(app.config) as mailer:
                send_pending(session, mailer, now=now, report=report)
    log.info("digest run %s: %s", frequency, report)
    return report


class _run_lock:
    def __init__(self, app):
        self.path = Path(app.instance_path) / "digests.lock"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "w")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.file.close()
            raise DigestRunLocked(f"un envoi des lettres est déjà en cours ({self.path})") from None
        return self

    def __exit__(self, *_exc):
        self.file.close()
        return False
