"""Planning a digest run: which programmes each active subscription gets, recorded as pending
deliveries (and their log) before anything is sent."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from guichet.digests.models import Delivery, DigestLogEntry, Subscription
from guichet.digests.subscriptions import PER_PAGE, check_frequency, parse_saved
from guichet.programmes.models import Programme, utcnow
from guichet.search import get_backend
from guichet.search.query import InvalidQuery, SearchQuery

log = logging.getLogger(__name__)

# A programme published a little before the previous digest but indexed after it (index lag)
# still reaches the next digest; the log keeps it from coming twice.
LOOKBACK = timedelta(hours=1)


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


def chunks(items, size=500):
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
    for chunk in chunks(published, 400):
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
    for chunk in chunks(done, 400):
        session.execute(update(Subscription).where(Subscription.id.in_(chunk)).values(digest_since=now)
                        .execution_options(synchronize_session=False))
    session.commit()
