"""Subscriptions to a saved search and their email digests: what views, CLI, scheduler and
tests all call.

A saved search is a query string of the search page (``q=vélo&theme=mobilite``), parsed
with the search page's own parser, so a digest holds exactly what the search page would
show among the programmes published since the last digest.
"""

import fcntl
import hashlib
import logging
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, joinedload
from werkzeug.datastructures import MultiDict

from guichet.digests.mailer import (Mailer, PermanentFailure, TemporaryFailure, build_message, mail_domain,
                                    render_email)
from guichet.digests.models import FREQUENCIES, Delivery, DigestLogEntry, Subscription, SubscriptionRequest
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.themes import theme_label
from guichet.search import get_backend
from guichet.search import services as search_services
from guichet.programmes.vocabulary import DEFAULT_STATUSES
from guichet.search.params import SAVED_PARAMS
from guichet.search.query import InvalidQuery, SearchQuery
from guichet.web.description import describe_lines
from guichet.web.formatting import date_fr

log = logging.getLogger(__name__)

# A programme published a little before the previous digest but indexed after it (index lag)
# still reaches the next digest; the log keeps it from coming twice.
LOOKBACK = timedelta(hours=1)
CONFIRMATION_MAX_AGE = 7 * 24 * 3600
RATE_WINDOW = timedelta(hours=1)
PER_PAGE = 100
_EMAIL = re.compile(r"^[^@\s\"<>(),;:\\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")

SALT_CONFIRM = "guichet.digests.confirm"
SALT_MANAGE = "guichet.digests.manage"
SALT_UNSUBSCRIBE = "guichet.digests.unsubscribe"


class SubscriptionError(InvalidQuery):
    """Bad input for a subscription (e-mail, frequency or search); ``message`` in French,
    ``parameter`` names the field."""


class RateLimited(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidLink(Exception):
    """A signed link that is not (or no longer) valid; ``expired`` when only its age is wrong."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.message = message
        self.expired = expired


class DigestRunLocked(RuntimeError):
    pass


# -- saved searches ---------------------------------------------------------------------------
def canonical_search(args) -> str:
    """The saved-search query string of a request's (or form's) parameters: only the search
    filters, values trimmed, de-duplicated and sorted, so that one search has one spelling."""
    if isinstance(args, str):
        args = MultiDict(parse_qsl(args.lstrip("?"), keep_blank_values=False))
    pairs = []
    for name in SAVED_PARAMS:
        values = args.getlist(name) if hasattr(args, "getlist") else _as_list(args.get(name))
        cleaned = sorted({str(value).strip() for value in values if value is not None and str(value).strip()})
        if name == "status" and set(cleaned) == DEFAULT_STATUSES:
            cleaned = []  # the default, spelt out by a form: the same search as none
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


# -- links -------------------------------------------------------------------------------------
def url_adapter(app):
    """Builds absolute URLs on BASE_URL without a request (CLI, scheduler, emails)."""
    base = urlsplit(app.config["BASE_URL"])
    return app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https")


def external_url(endpoint: str, app=None, **values) -> str:
    """An absolute URL on BASE_URL, built without a request (CLI, scheduler, emails)."""
    return url_adapter(app or current_app).build(endpoint, values, force_external=True)


def with_search(url: str, search: str) -> str:
    """The search page's ``url`` showing a saved search."""
    return f"{url}?{search}" if search else url


def search_page_url(search: str, app=None) -> str:
    return with_search(external_url("web.search", app=app), search)


def _serializer(salt: str, app=None) -> URLSafeTimedSerializer:
    app = app or current_app
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt)


def make_token(subscription: Subscription, salt: str, app=None) -> str:
    return _serializer(salt, app).dumps([subscription.id, subscription.link_key])


def load_token(session: Session, token: str, salt: str, max_age: int | None = None) -> Subscription:
    try:
        subscription_id, link_key = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink("Ce lien a expiré.", expired=True) from None
    except (BadSignature, ValueError, TypeError):
        raise InvalidLink("Ce lien n'est pas valide : il est peut-être incomplet. Copiez-le en entier depuis "
                          "le courriel reçu.") from None
    subscription = session.get(Subscription, subscription_id) if isinstance(subscription_id, int) else None
    if subscription is None or not secrets.compare_digest(str(link_key), subscription.link_key):
        raise InvalidLink("Cet abonnement n'existe plus.")
    return subscription


def confirm_url(subscription, app=None) -> str:
    return external_url("digests.confirm", app=app, token=make_token(subscription, SALT_CONFIRM, app))


def manage_url(subscription, app=None) -> str:
    return external_url("digests.manage", app=app, token=make_token(subscription, SALT_MANAGE, app))


def unsubscribe_url(subscription, app=None) -> str:
    return external_url("digests.unsubscribe", app=app, token=make_token(subscription, SALT_UNSUBSCRIBE, app))


# -- subscribing -------------------------------------------------------------------------------
def normalise_email(value: str | None) -> str:
    email = (value or "").strip()
    if not email:
        raise SubscriptionError("email", "Saisissez votre adresse électronique.")
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise SubscriptionError("email", "L'adresse électronique n'est pas valide : elle doit ressembler à "
                                         "prenom.nom@mairie-exemple.fr.")
    return email.lower()


def check_frequency(value: str | None) -> str:
    if value not in FREQUENCIES:
        raise SubscriptionError("frequency", "Choisissez la fréquence des courriels : quotidienne ou hebdomadaire.")
    return value


def _email_key(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


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
        raise RateLimited("Trop de demandes d'abonnement en peu de temps pour cette adresse ou depuis votre "
                          "connexion. Merci de réessayer dans une heure.")
    session.add(SubscriptionRequest(email_key=key, ip=ip[:64], created_at=now))


def request_subscription(session: Session, email: str, search: str, frequency: str, ip: str,
                         now: datetime | None = None) -> Subscription:
    """A subscription request from the web form: double opt-in.

    Whatever the address's state, the person who asked sees the same answer; the mailbox
    gets a confirmation link (new, pending, stopped or disabled subscription) or, when the
    subscription is already active, a reminder with its management link. Nothing else is
    sent before confirmation. Raises SubscriptionError, RateLimited, or the mailer's
    failures after the request is stored.
    """
    now = now or utcnow()
    email = normalise_email(email)
    frequency = check_frequency(frequency)
    search = validate_search(search)
    check_rate_limit(session, email, ip or "inconnue", now)
    subscription, _added = _find_or_add(session, email, search, frequency, now)
    if subscription.status != "active":
        subscription.status = "pending"
        subscription.frequency = frequency
    if subscription.status == "pending":
        subscription.confirmation_sent_at = now
    session.commit()
    if subscription.status == "active":
        send_already_subscribed(subscription)
    else:
        send_confirmation(subscription)
    return subscription


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
               confirm_url=confirm_url(subscription), filters=describe_saved(subscription.search),
               search_url=search_page_url(subscription.search), frequency_label=FREQUENCIES[subscription.frequency],
               valid_days=CONFIRMATION_MAX_AGE // 86400)


def send_already_subscribed(subscription: Subscription) -> None:
    from guichet.digests.mailer import send_email

    send_email("already_subscribed", subscription.email, subscription=subscription,
               manage_url=manage_url(subscription), filters=describe_saved(subscription.search),
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
    (``"added"``, ``"updated"``). Without ``confirmed`` the address gets the confirmation email."""
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
        subscription.confirmation_sent_at = now
    session.commit()
    if subscription.status == "pending":
        send_confirmation(subscription)
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


# -- digests: planning -------------------------------------------------------------------------
@dataclass
class RunReport:
    frequency: str
    subscriptions: int = 0
    searches: int = 0
    planned: int = 0
    programmes: int = 0
    invalid_searches: list[str] = field(default_factory=list)
    sent: int = 0
    cancelled: int = 0
    permanent_failures: int = 0
    disabled: int = 0
    temporary_failures: int = 0
    pending_left: int = 0
    errors: list[str] = field(default_factory=list)


def _floor(digest_since, confirmed_at, created_at) -> datetime:
    """Programmes published after this moment are candidates for a subscription's next digest."""
    since = digest_since or confirmed_at or created_at
    start = confirmed_at or since
    return max(since - LOOKBACK, start)


def matching_ids(query: SearchQuery, after: datetime) -> list[str]:
    """Ids of the published programmes that the search page would show for ``query`` among
    those published after ``after`` (every page), newest first.

    This is the search backend's own answer, as ``guichet.search.services.search`` gets it;
    loading the programmes and labelling facets is left out because a run needs neither
    (it reads each new programme once for all searches).
    """
    # The index compares whole seconds: ask a second early; callers compare exactly.
    paged = query.without(published_after=after - timedelta(seconds=1), page=1, per_page=PER_PAGE, sort="nouveaute")
    backend = get_backend()
    ids: dict[str, None] = {}
    while True:
        result = backend.search(paged)
        ids.update((hit.id, None) for hit in result.hits)
        if not result.hits or paged.page * paged.per_page >= result.total:
            break
        paged = paged.without(page=paged.page + 1)
    return list(ids)


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


# Subscriptions whose digests are written in one transaction (whole saved-search groups).
PLAN_BATCH = 500


def plan_digests(session: Session, frequency: str, now: datetime | None = None,
                 report: RunReport | None = None) -> RunReport:
    """Decide every digest of this run and record them as pending deliveries.

    Subscriptions sharing one saved search are searched once; the programmes published
    since the oldest watermark are read once for the whole run. Whole groups are written in
    one transaction (pending deliveries, their log rows, the subscriptions' new watermark),
    so a run killed here resumes where it stopped, without duplicates. A subscription with
    a digest still pending (relay down last time) gets no new one: that one goes out first,
    and the programmes since wait for the next run.
    """
    check_frequency(frequency)
    now = now or utcnow()
    report = report or RunReport(frequency)
    waiting = select(Delivery.subscription_id).where(Delivery.status == "pending")
    rows = session.execute(
        select(Subscription.id, Subscription.search, Subscription.digest_since, Subscription.confirmed_at,
               Subscription.created_at)
        .where(Subscription.status == "active", Subscription.frequency == frequency, Subscription.id.not_in(waiting))
        .order_by(Subscription.id)).all()
    groups: dict[str, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for subscription_id, search, digest_since, confirmed_at, created_at in rows:
        groups[search].append((subscription_id, digest_since or _floor(None, confirmed_at, created_at),
                                _floor(digest_since, confirmed_at, created_at)))
    report.subscriptions += len(rows)
    report.searches += len(groups)
    if not rows:
        return report

    # Every programme that can be new for someone in this run: id → published_at.
    oldest = min(floor for members in groups.values() for _id, _since, floor in members)
    published = dict(session.execute(
        select(Programme.id, Programme.published_at).where(
            Programme.state == "published", Programme.published_at > oldest, Programme.published_at <= now)).all())
    # What the log already holds of them (programmes unpublished then published again).
    logged: set[tuple[int, str]] = set()
    for chunk in _chunks(published, 400):
        logged.update((subscription_id, programme_id) for subscription_id, programme_id in session.execute(
            select(DigestLogEntry.subscription_id, DigestLogEntry.programme_id)
            .where(DigestLogEntry.programme_id.in_(chunk))).all())

    today = date.today()
    batch: list[tuple[int, datetime, list[str]]] = []  # (subscription, window start, programme ids)
    done: list[int] = []
    for search, members in groups.items():
        try:
            query = parse_saved(search, today=today)
        except InvalidQuery as error:
            # e.g. a commune code that left the reference: say so, keep the watermark.
            log.warning("saved search %r is invalid: %s", search, error.message)
            report.invalid_searches.append(f"{search} : {error.message}")
            continue
        candidates = []
        if published:
            # One moment for every search of the run (the backend caches its date filter);
            # each subscription's own window is applied exactly below.
            candidates = [programme_id for programme_id in matching_ids(query, oldest) if programme_id in published]
        for subscription_id, since, floor in members:
            chosen = [programme_id for programme_id in candidates
                      if published[programme_id] > floor and (subscription_id, programme_id) not in logged]
            if chosen:
                batch.append((subscription_id, since, chosen))
            done.append(subscription_id)
        if len(done) >= PLAN_BATCH:
            _write_plan(session, frequency, now, batch, done, report)
            batch, done = [], []
    _write_plan(session, frequency, now, batch, done, report)
    return report


def _write_plan(session: Session, frequency: str, now: datetime, batch, done, report: RunReport) -> None:
    if batch:
        deliveries = session.execute(
            insert(Delivery).returning(Delivery.id, Delivery.subscription_id, sort_by_parameter_order=True),
            [{"subscription_id": subscription_id, "frequency": frequency, "status": "pending",
              "window_start": since, "window_end": now, "created_at": now, "attempts": 0}
             for subscription_id, since, _chosen in batch]).all()
        delivery_of = {subscription_id: delivery_id for delivery_id, subscription_id in deliveries}
        entries = [{"subscription_id": subscription_id, "programme_id": programme_id,
                    "delivery_id": delivery_of[subscription_id], "position": position, "logged_at": now}
                   for subscription_id, _since, chosen in batch for position, programme_id in enumerate(chosen)]
        session.execute(insert(DigestLogEntry), entries)
        report.planned += len(batch)
        report.programmes += len(entries)
    for chunk in _chunks(done, 400):
        session.execute(update(Subscription).where(Subscription.id.in_(chunk)).values(digest_since=now)
                        .execution_options(synchronize_session=False))
    session.commit()


# -- digests: rendering ------------------------------------------------------------------------
class DigestRenderer:
    """Renders the digests of one run. A programme appears in many digests of a run: it is
    read and prepared once; so is each saved search's description."""

    def __init__(self, session: Session, app=None):
        self.session = session
        self.app = app or current_app._get_current_object()
        self.urls = url_adapter(self.app)
        self.domain = mail_domain(self.app)
        self._items: dict[tuple[str, date], dict] = {}
        self._searches: dict[str, tuple[list[str], str, str]] = {}

    def url(self, endpoint: str, **values) -> str:
        return self.urls.build(endpoint, values, force_external=True)

    def search(self, search: str) -> tuple[list[str], str, str]:
        if search not in self._searches:
            self._searches[search] = (*describe_and_title(search), with_search(self.url("web.search"), search))
        return self._searches[search]

    def items(self, delivery: Delivery) -> list[dict]:
        day = delivery.window_end.date()
        ids = self.session.scalars(select(DigestLogEntry.programme_id).where(DigestLogEntry.delivery_id == delivery.id)
                                   .order_by(DigestLogEntry.position)).all()
        missing = [programme_id for programme_id in ids if (programme_id, day) not in self._items]
        for chunk in _chunks(missing, 400):
            for programme in self.session.scalars(select(Programme).where(Programme.id.in_(chunk))):
                self._items[(programme.id, day)] = self.item(programme, day)
        return [self._items[(programme_id, day)] for programme_id in ids if (programme_id, day) in self._items]

    def item(self, programme: Programme, day: date) -> dict:
        deadline = programme.next_deadline(day)
        return {
            "title": programme.title,
            "funders": ", ".join(programme.funders or []) or "Financeur non précisé",
            "next_deadline": date_fr(deadline) if deadline else None,
            "summary": _shorten(programme.summary or "", 280),
            "url": self.url("web.programme_detail", programme_id=programme.id),
        }

    def context(self, delivery: Delivery) -> dict:
        subscription = delivery.subscription
        filters, title, search_url = self.search(subscription.search)
        items = self.items(delivery)
        return {
            "subscription": subscription,
            "programmes": items,
            "count": len(items),
            "filters": filters,
            "title": title,
            "frequency_label": FREQUENCIES.get(delivery.frequency, delivery.frequency),
            "since": date_fr(delivery.window_start),
            "search_url": search_url,
            "manage_url": self.url("digests.manage", token=make_token(subscription, SALT_MANAGE, self.app)),
            "unsubscribe_url": self.url("digests.unsubscribe",
                                        token=make_token(subscription, SALT_UNSUBSCRIBE, self.app)),
        }

    def message(self, delivery: Delivery):
        """The email of a delivery: the same programmes on every attempt, a stable Message-ID."""
        context = self.context(delivery)
        subject, text, html = render_email("digest", app=self.app, **context)
        subscription = delivery.subscription
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Nouveaux programmes Guichet <digests.{self.domain}>",
        }
        message_id = f"<digest.{delivery.id}.{subscription.link_key[:12]}@{self.domain}>"
        return build_message(subscription.email, subject, text, html, headers=headers, message_id=message_id,
                             app=self.app)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def digest_message(session: Session, delivery: Delivery, app=None):
    return DigestRenderer(session, app).message(delivery)


# -- digests: sending --------------------------------------------------------------------------
def send_pending(session: Session, mailer: Mailer, now: datetime | None = None,
                 report: RunReport | None = None, after_each=None) -> RunReport:
    """Send every pending delivery, oldest first, each marked sent as soon as the relay took it.

    A permanent rejection (5xx) counts against the subscription, which is disabled after
    DIGEST_PERMANENT_FAILURE_LIMIT consecutive ones; until then the delivery stays pending
    and is tried again at the next run. A lost relay stops the run: the rest stay pending.
    """
    now = now or utcnow()
    report = report or RunReport("")
    limit = int(current_app.config["DIGEST_PERMANENT_FAILURE_LIMIT"])
    ids = session.scalars(select(Delivery.id).where(Delivery.status == "pending").order_by(Delivery.id)).all()
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
