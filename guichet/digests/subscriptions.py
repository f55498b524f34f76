"""Subscriptions to a saved search: saved searches, subscribing (double opt-in), changing,
stopping, and the operators' commands; what views, CLI and tests call.

A saved search is a query string of the search page (``q=vélo&theme=mobilite``) holding the
parameters ``guichet.search.params`` marks as saved, parsed with the search page's own
parser, so a digest holds exactly what the search page would show among the programmes
published since the last digest.
"""

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from guichet.digests.links import confirm_url, manage_url, search_page_url
from guichet.digests.models import FREQUENCIES, Delivery, DigestLogEntry, Subscription, SubscriptionRequest
from guichet.programmes.models import utcnow
from guichet.programmes.themes import theme_label
from guichet.search import services as search_services
from guichet.search.params import SAVED_PARAMS
from guichet.search.query import InvalidQuery, SearchQuery
from guichet.web.description import describe_lines

CONFIRMATION_MAX_AGE = 7 * 24 * 3600
RATE_WINDOW = timedelta(hours=1)
# Results read per backend call when a saved search is run (digests read every page).
PER_PAGE = 100
_EMAIL = re.compile(r"^[^@\s\"<>(),;:\\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class SubscriptionError(InvalidQuery):
    """Bad input for a subscription (e-mail, frequency or search); ``message`` in French,
    ``parameter`` names the field."""


class RateLimited(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def canonical_search(args) -> str:
    """The saved-search query string of a request's (or form's) parameters: only the search
    filters, values trimmed, de-duplicated and sorted, so that one search has one spelling."""
    if isinstance(args, str):
        args = MultiDict(parse_qsl(args.lstrip("?"), keep_blank_values=False))
    pairs = []
    for param in SAVED_PARAMS:
        name = param.name
        values = args.getlist(name) if hasattr(args, "getlist") else _as_list(args.get(name))
        cleaned = sorted({str(value).strip() for value in values if value is not None and str(value).strip()})
        if param.repeatable and param.default is not None and set(cleaned) == set(param.default):
            cleaned = []  # the default (the statuses), spelt out by a form: the same search as none
        pairs.extend((name, value) for value in cleaned)
    return urlencode(pairs)


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


def search_args(search: str) -> MultiDict:
    return MultiDict(parse_qsl(search, keep_blank_values=False))


def parse_saved(search: str, today: date | None = None) -> SearchQuery:
    """The SearchQuery of a saved search (raises InvalidQuery with a French message)."""
    return search_services.parse(search_args(search), today=today, max_per_page=PER_PAGE)


def validate_search(args) -> str:
    """Canonical saved search of ``args``, checked by the search page's parser."""
    search = canonical_search(args)
    if len(search) > 1800:
        raise SubscriptionError("q", "Cette recherche est trop longue pour être enregistrée.")
    try:
        parse_saved(search)
    except InvalidQuery as error:
        raise SubscriptionError(error.parameter, error.message) from None
    return search


def describe_saved(search: str) -> list[str]:
    return describe_and_title(search)[0]


def describe_and_title(search: str) -> tuple[list[str], str]:
    """The filters (``describe_lines``) and the short name (``search_title``) of a saved
    search, parsed once; a search no longer valid says why."""
    try:
        query = parse_saved(search)
    except InvalidQuery as error:
        return [f"Recherche devenue invalide : {error.message}"], "votre recherche"
    return describe_lines(query), search_title(query)


def search_title(query: SearchQuery) -> str:
    """A short name for a search (email subjects)."""
    if query.text:
        return f"« {query.text} »"
    if query.eligibility:
        return query.eligibility.commune_name
    if query.themes:
        return theme_label(sorted(query.themes)[0])
    return "votre recherche"


def normalise_email(value: str | None) -> str:
    email = (value or "").strip()
    if not email:
        raise SubscriptionError("email", "Saisissez votre adresse électronique.")
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise SubscriptionError("email", "L’adresse électronique n’est pas valide : elle doit ressembler à "
                                         "prenom.nom@mairie-exemple.fr.")
    return email.lower()


INTERNATIONAL_ADDRESS_REFUSED = (
    "Cette adresse contient des caractères accentués ou non latins que notre serveur de messagerie ne sait pas "
    "acheminer. Indiquez une adresse sans accents (par exemple prenom.nom@mairie-exemple.fr).")


def check_deliverable(email: str) -> bool:
    """An internationalised address (é@commune.fr) is accepted only when the relay offers
    SMTPUTF8; otherwise a French refusal, before anything is stored. False when the relay
    cannot be reached (the request is then queued, and the queue finds out)."""
    if email.isascii():
        return True
    from guichet.digests.mailer import Mailer, TemporaryFailure

    try:
        with Mailer() as mailer:
            if not mailer.supports_smtputf8():
                raise SubscriptionError("email", INTERNATIONAL_ADDRESS_REFUSED)
    except TemporaryFailure:
        return False
    return True


def check_frequency(value: str | None) -> str:
    if value not in FREQUENCIES:
        raise SubscriptionError("frequency", "Choisissez la fréquence des courriels : quotidienne ou hebdomadaire.")
    return value


def rate_limit_address(email: str) -> str:
    """The mailbox behind an address, for the per-address limit: sub-addressing
    (« maire+1@… ») and, at Gmail, dots lead to the same mailbox, so they count as one."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _email_key(email: str) -> str:
    return hashlib.sha256(rate_limit_address(email).encode("utf-8")).hexdigest()


def confirmation_filters(search: str) -> list[str]:
    """The filters for the confirmation email, which anyone can have sent to any address:
    nothing the requester typed is quoted (no words, nothing free), only our own labels."""
    from dataclasses import replace

    from guichet.web.description import describe

    try:
        query = parse_saved(search)
    except InvalidQuery:
        return ["Recherche devenue invalide"]
    lines = [item.text for item in describe(replace(query, text=""))] if query.text else describe_lines(query)
    if query.text:
        lines.insert(0, "Mots-clés : ceux de votre recherche (affichés après confirmation)")
    return lines


def check_rate_limit(session: Session, email: str, ip: str, now: datetime) -> None:
    """Refuse (RateLimited) beyond the per-address and per-IP limits, else count this request."""
    config = current_app.config
    since = now - RATE_WINDOW
    session.execute(delete(SubscriptionRequest).where(SubscriptionRequest.created_at < now - timedelta(days=1)))
    key = _email_key(email)
    per_address = session.scalar(select(func.count()).where(SubscriptionRequest.email_key == key,
                                                            SubscriptionRequest.created_at > since))
    per_ip = session.scalar(select(func.count()).where(SubscriptionRequest.ip == ip,
                                                       SubscriptionRequest.created_at > since))
    if per_address >= int(config["SUBSCRIPTION_LIMIT_PER_ADDRESS"]) or per_ip >= int(config["SUBSCRIPTION_LIMIT_PER_IP"]):
        session.commit()
        raise RateLimited("Trop de demandes d’abonnement en peu de temps pour cette adresse ou depuis votre "
                          "connexion. Merci de réessayer dans une heure.")
    session.add(SubscriptionRequest(email_key=key, ip=ip[:64], created_at=now))


def request_subscription(session: Session, email: str, search: str, frequency: str, ip: str,
                         now: datetime | None = None) -> Subscription:
    """A subscription request from the web form: double opt-in.

    Whatever the address's state, the person who asked sees the same answer; the mailbox
    gets a confirmation link (new, pending, stopped or disabled subscription) or, when the
    subscription is already active, a reminder with its management link. Nothing else is
    sent before confirmation. When the relay cannot be reached the email is queued
    (``confirmation_queued_at``) and ``send_queued_confirmations`` sends it later: the
    request never fails on a mail server that is down. Raises SubscriptionError,
    RateLimited, or PermanentFailure (the relay refused the address) after the request is stored.
    """
    now = now or utcnow()
    email = normalise_email(email)
    frequency = check_frequency(frequency)
    search = validate_search(search)
    check_rate_limit(session, email, ip or "inconnue", now)
    relay_reached = check_deliverable(email)
    subscription, _added = _find_or_add(session, email, search, frequency, now)
    if subscription.status != "active":
        subscription.status = "pending"
        subscription.frequency = frequency
    session.commit()
    if not relay_reached:
        queue_confirmation(session, subscription, now)
    else:
        send_or_queue_confirmation(session, subscription, now)
    return subscription


def send_or_queue_confirmation(session: Session, subscription: Subscription, now: datetime | None = None) -> bool:
    """Send the email a request calls for (the confirmation, or the reminder of an active
    subscription); when the relay is unreachable, queue it. True when it went out."""
    from guichet.digests.mailer import TemporaryFailure

    now = now or utcnow()
    try:
        if subscription.status == "active":
            send_already_subscribed(subscription)
        else:
            send_confirmation(subscription)
    except TemporaryFailure:
        current_app.logger.warning("confirmation email queued: relay unreachable", exc_info=True)
        queue_confirmation(session, subscription, now)
        return False
    if subscription.status == "pending":
        subscription.confirmation_sent_at = now
    subscription.confirmation_queued_at = None
    session.commit()
    return True


def queue_confirmation(session: Session, subscription: Subscription, now: datetime) -> None:
    subscription.confirmation_queued_at = subscription.confirmation_queued_at or now
    session.commit()


def send_queued_confirmations(session: Session, now: datetime | None = None) -> dict:
    """Send the confirmations queued while the relay was down (the scheduler's job), oldest
    first. A request older than the confirmation's lifetime is dropped (nobody waits for it any
    more); a refused address (5xx) is dropped with its reason; a relay still unreachable stops
    the run, the rest stay queued. Returns counts: sent, dropped, left."""
    from guichet.digests.mailer import PermanentFailure, TemporaryFailure

    now = now or utcnow()
    counts = {"sent": 0, "dropped": 0, "left": 0}
    queued = session.scalars(select(Subscription).where(Subscription.confirmation_queued_at.is_not(None))
                             .order_by(Subscription.confirmation_queued_at, Subscription.id)).all()
    for position, subscription in enumerate(queued):
        too_old = subscription.confirmation_queued_at < now - timedelta(seconds=CONFIRMATION_MAX_AGE)
        if too_old or subscription.status not in ("pending", "active"):
            subscription.confirmation_queued_at = None
            session.commit()
            counts["dropped"] += 1
            continue
        try:
            if subscription.status == "active":
                send_already_subscribed(subscription)
            else:
                send_confirmation(subscription)
        except PermanentFailure as error:
            subscription.confirmation_queued_at = None
            subscription.last_error = str(error)
            session.commit()
            counts["dropped"] += 1
            continue
        except TemporaryFailure:
            counts["left"] = len(queued) - position
            break
        if subscription.status == "pending":
            subscription.confirmation_sent_at = now
        subscription.confirmation_queued_at = None
        session.commit()
        counts["sent"] += 1
    return counts


def _find_or_add(session: Session, email: str, search: str, frequency: str,
                 now: datetime) -> tuple[Subscription, bool]:
    """The address's subscription to this saved search, or a new pending one (then True)."""
    subscription = session.scalar(select(Subscription).where(Subscription.email == email,
                                                             Subscription.search == search))
    if subscription is not None:
        return subscription, False
    subscription = Subscription(email=email, search=search, frequency=frequency, status="pending",
                                link_key=secrets.token_hex(16), created_at=now, permanent_failures=0)
    session.add(subscription)
    return subscription, True


def send_confirmation(subscription: Subscription) -> None:
    from guichet.digests.mailer import send_email

    send_email("confirmation", subscription.email, subscription=subscription,
               confirm_url=confirm_url(subscription), filters=confirmation_filters(subscription.search),
               search_url=search_page_url(subscription.search), frequency_label=FREQUENCIES[subscription.frequency],
               valid_days=CONFIRMATION_MAX_AGE // 86400)


def send_already_subscribed(subscription: Subscription) -> None:
    from guichet.digests.mailer import send_email

    send_email("already_subscribed", subscription.email, subscription=subscription,
               manage_url=manage_url(subscription), filters=confirmation_filters(subscription.search),
               search_url=search_page_url(subscription.search), frequency_label=FREQUENCIES[subscription.frequency])


def confirm_subscription(session: Session, subscription: Subscription, now: datetime | None = None) -> bool:
    """Activate a pending subscription; False when it was not pending (nothing changes)."""
    if subscription.status != "pending":
        return False
    now = now or utcnow()
    activate(subscription, now)
    session.commit()
    return True


def activate(subscription: Subscription, now: datetime) -> None:
    subscription.status = "active"
    subscription.confirmed_at = now
    # Digests hold what is published from now on, not the back catalogue.
    subscription.digest_since = now
    subscription.unsubscribed_at = None
    subscription.disabled_at = None
    subscription.permanent_failures = 0
    subscription.last_error = None


def update_subscription(session: Session, subscription: Subscription, search_args_, frequency: str) -> None:
    frequency = check_frequency(frequency)
    search = validate_search(search_args_)
    if search != subscription.search:
        other = session.scalar(select(Subscription).where(Subscription.email == subscription.email,
                                                          Subscription.search == search,
                                                          Subscription.id != subscription.id))
        if other is not None:
            raise SubscriptionError("q", "Vous avez déjà un autre abonnement à cette recherche exacte : "
                                         "gérez-le depuis le lien de ses courriels.")
        subscription.search = search
    subscription.frequency = frequency
    session.commit()


def unsubscribe(session: Session, subscription: Subscription, now: datetime | None = None) -> bool:
    """Stop a subscription (idempotent); digests not yet sent are cancelled."""
    now = now or utcnow()
    changed = subscription.status in ("pending", "active")
    if changed:
        subscription.status = "unsubscribed"
        subscription.unsubscribed_at = now
    _cancel_pending(session, subscription)
    session.commit()
    return changed


def resubscribe(session: Session, subscription: Subscription, now: datetime | None = None) -> None:
    """From the management link (which proves the address): active again, from now on."""
    if subscription.status != "active":
        activate(subscription, now or utcnow())
        session.commit()


def _cancel_pending(session: Session, subscription: Subscription) -> None:
    for delivery in session.scalars(select(Delivery).where(Delivery.subscription_id == subscription.id,
                                                           Delivery.status == "pending")):
        cancel_delivery(session, delivery)


def cancel_delivery(session: Session, delivery: Delivery) -> None:
    # Its programmes were never sent: the log only keeps what went out or is about to.
    session.execute(delete(DigestLogEntry).where(DigestLogEntry.delivery_id == delivery.id))
    delivery.status = "cancelled"


# -- operators (CLI) ---------------------------------------------------------------------------
def add_subscription(session: Session, email: str, search: str, frequency: str, confirmed: bool = False,
                     now: datetime | None = None) -> tuple[Subscription, str]:
    """Create or update a subscription for an operator; returns it and what happened
    (``"added"``, ``"updated"``). Without ``confirmed`` the address gets the confirmation email,
    queued like the web form's when the relay cannot be reached (``confirmation_queued_at``)."""
    now = now or utcnow()
    email = normalise_email(email)
    frequency = check_frequency(frequency)
    search = validate_search(search)
    subscription, added = _find_or_add(session, email, search, frequency, now)
    outcome = "added" if added else "updated"
    subscription.frequency = frequency
    if confirmed:
        if subscription.status != "active":
            activate(subscription, now)
    elif subscription.status != "active":
        subscription.status = "pending"
    session.commit()
    if subscription.status == "pending":
        send_or_queue_confirmation(session, subscription, now)
    return subscription, outcome


def remove_subscriptions(session: Session, email: str, search: str | None = None) -> int:
    """Delete an address's subscriptions (or the one of ``search``), with their digests and log."""
    email = (email or "").strip().lower()
    statement = select(Subscription).where(Subscription.email == email)
    if search is not None:
        statement = statement.where(Subscription.search == canonical_search(search))
    subscriptions = session.scalars(statement).all()
    for subscription in subscriptions:
        session.execute(delete(DigestLogEntry).where(DigestLogEntry.subscription_id == subscription.id))
        session.execute(delete(Delivery).where(Delivery.subscription_id == subscription.id))
        session.delete(subscription)
    session.commit()
    return len(subscriptions)


def list_subscriptions(session: Session, status: str | None = None) -> list[Subscription]:
    statement = select(Subscription).order_by(Subscription.email, Subscription.id)
    if status:
        statement = statement.where(Subscription.status == status)
    return list(session.scalars(statement))
