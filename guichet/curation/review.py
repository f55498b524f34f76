"""The review queue: programmes new from the scrapers (``pending``) and programmes already
reviewed whose source content changed since, with what changed.

A change at the source is noticed by a step of the run (guichet.sources.pipeline, « note
source changes »): the programmes the source rewrote are compared with what the curators last
reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import String, and_, cast, column, func, or_, select, table
from sqlalchemy.orm import Session

from guichet.curation import audit
from guichet.curation.diff import FIELD_LABELS, FieldChange, describe, diff_values, field_change, values_differ
from guichet.curation.models import ProgrammeReview
from guichet.paging import Page
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.records import CONTENT_FIELDS
from guichet.programmes.services import DIRECT_FIELDS, set_state

if TYPE_CHECKING:  # the acting staff member; curation needs only its id and email
    from guichet.admin.models import User

REVIEWED_STATES = ("published", "rejected")
KINDS = {"tous": "Tout", "nouveaux": "Nouveaux", "modifies": "Modifiés à la source"}
ACTIONS = {"publish": "publier", "reject": "rejeter", "acknowledge": "marquer comme vus",
           "apply_source": "appliquer les changements de la source",
           "keep_published": "garder les valeurs publiées"}


class ReviewError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- change detection

def note_source_changes(session: Session, rewritten, now=None) -> None:
    """For each reviewed programme a source just rewrote, open or close its « changed » flag.

    ``rewritten``: (programme, the source values it had before) pairs, as the run's « store »
    step leaves them (guichet.sources.pipeline). Queries nothing unless one of them is
    reviewed, and then loads their reviews in one query.
    """
    reviewed = [(programme, previous) for programme, previous in rewritten
                if programme is not None and programme.state in REVIEWED_STATES]
    if not reviewed:
        return
    now = now or utcnow()
    with session.no_autoflush:
        reviews = {review.programme_id: review for review in session.scalars(
            select(ProgrammeReview).where(ProgrammeReview.programme_id.in_([p.id for p, _ in reviewed])))}
        for programme, previous in reviewed:
            review = reviews.get(programme.id)
            if review is None:
                # Reviewed before the back office kept track (imports, curated data): what the
                # source said until now is what was published.
                review = ProgrammeReview(programme_id=programme.id, reviewed_values=previous)
                session.add(review)
                reviews[programme.id] = review
            if diff_values(review.reviewed_values, programme.source_values):
                review.changed_at = review.changed_at or now
            else:
                review.changed_at = None
            if programme.state == "published":
                _log_source_update(session, programme, previous, now)


def _log_source_update(session: Session, programme: Programme, previous: dict | None, now) -> None:
    """A journal line for what the source changed in a published programme: the dates and
    addresses it applied at once, the other fields it left waiting for a gestionnaire."""
    changes = diff_values(previous, programme.source_values)
    curated = set(programme.curated_fields or [])
    applied = [change for change in changes if change.field in DIRECT_FIELDS and change.field not in curated]
    waiting = [change for change in changes if change.field not in DIRECT_FIELDS and change.field not in curated]
    if not applied and not waiting:
        return
    parts = []
    if applied:
        parts.append(f"appliqué : {describe(applied)}")
    if waiting:
        parts.append(f"en attente d’un gestionnaire : {describe(waiting)}")
    audit.record(session, None, "source_update", f"« {programme.title} » modifié à la source ({' ; '.join(parts)})",
                 programme.id, {"applied": {change.field: [previous.get(change.field) if previous else None,
                                                          programme.source_values.get(change.field)]
                                            for change in applied},
                                "waiting": [change.field for change in waiting]}, now)


def from_stored(name: str, value):
    """A ``source_values`` entry (JSON) back to the attribute's type."""
    if name == "opens_on" and isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    if name in ("funders", "regions", "departments", "beneficiaries", "themes", "aid_types", "deadlines"):
        return list(value or [])
    return value


def held_fields(programme: Programme) -> list[str]:
    """The fields whose source value waits for a gestionnaire: the source changed them in a
    published programme (not dates, not addresses, not fields the team owns)."""
    source_values = programme.source_values or {}
    curated = set(programme.curated_fields or [])
    return [name for name in CONTENT_FIELDS
            if name not in DIRECT_FIELDS and name not in curated and name in source_values
            and values_differ(name, audit.jsonable(getattr(programme, name)), source_values[name])]


def held_changes(programme: Programme) -> list[FieldChange]:
    """What the source proposes and the public page does not show yet, field by field."""
    source_values = programme.source_values or {}
    return [change for name in held_fields(programme)
            if (change := field_change(name, audit.jsonable(getattr(programme, name)), source_values[name]))]


# ---------------------------------------------------------------- the queue

@dataclass
class QueueItem:
    programme: Programme
    review: ProgrammeReview | None

    @property
    def is_changed(self) -> bool:
        return self.review is not None and self.review.changed_at is not None

    def changes(self) -> list[FieldChange]:
        if not self.is_changed:
            return []
        return diff_values(self.review.reviewed_values, self.programme.source_values)

    def held(self) -> list[FieldChange]:
        """The changes among them that wait for a decision (apply or refuse, field by field)."""
        return held_changes(self.programme) if self.is_changed else []


@dataclass
class QueuePage(Page):
    counts: dict  # kind → how many programmes of that kind wait


# The sources' table as curation reads it (their publication policy), without depending on
# guichet.sources, which depends on curation for duplicates.
_SOURCES = table("sources", column("slug"), column("publication_policy"))


def _queue_condition():
    """Waiting for a curator: new programmes, programmes changed at the source since their
    review, and programmes an « auto » source published that no curator has read yet."""
    changed = and_(ProgrammeReview.changed_at.is_not(None), Programme.state.in_(REVIEWED_STATES))
    automatic = select(_SOURCES.c.slug).where(_SOURCES.c.publication_policy == "auto").scalar_subquery()
    unread = and_(Programme.state == "published", Programme.source.in_(automatic),
                  ProgrammeReview.reviewed_at.is_(None))
    return or_(Programme.state == "pending", changed, unread)


def _base_statement():
    return (select(Programme, ProgrammeReview)
            .outerjoin(ProgrammeReview, ProgrammeReview.programme_id == Programme.id)
            .where(_queue_condition()))


def json_list_contains(column, value: str):
    """A JSON list column holding ``value`` (portable: SQLite and PostgreSQL keep the JSON text)."""
    return cast(column, String).like(f'%"{value}"%')


def _filtered(statement, source: str | None, theme: str | None, level: str | None):
    if source:
        statement = statement.where(Programme.source == source)
    if theme:
        statement = statement.where(json_list_contains(Programme.themes, theme))
    if level:
        statement = statement.where(Programme.level == level)
    return statement


def queue_ids(session: Session, kind: str = "tous", source: str | None = None, theme: str | None = None,
              level: str | None = None) -> list[str]:
    """Every programme of this filter of the queue (« tout sélectionner »), in the queue's order."""
    statement = _with_kind(_filtered(_base_statement(), source, theme, level), kind)
    statement = statement.with_only_columns(Programme.id).order_by(
        func.coalesce(ProgrammeReview.changed_at, Programme.first_seen_at).desc(), Programme.id)
    return list(session.scalars(statement))


def queue(session: Session, kind: str = "tous", source: str | None = None, theme: str | None = None,
          level: str | None = None, page: int = 1, per_page: int = 100) -> QueuePage:
    statement = _filtered(_base_statement(), source, theme, level)
    # One query counts every kind: « nouveaux » are the pending ones, « modifiés » the others.
    everything, new = session.execute(statement.with_only_columns(
        func.count(), func.count().filter(Programme.state == "pending")).order_by(None)).one()
    counts = {"tous": everything, "nouveaux": new, "modifies": everything - new}
    statement = _with_kind(statement, kind)
    total = counts.get(kind, 0)
    statement = statement.order_by(func.coalesce(ProgrammeReview.changed_at, Programme.first_seen_at).desc(),
                                   Programme.id)
    rows = session.execute(statement.offset((page - 1) * per_page).limit(per_page)).all()
    return QueuePage([QueueItem(programme, review) for programme, review in rows], total, page, per_page, counts)


def _with_kind(statement, kind: str):
    if kind == "nouveaux":
        return statement.where(Programme.state == "pending")
    if kind == "modifies":
        return statement.where(Programme.state != "pending")
    return statement


def queue_sources(session: Session, names: dict[str, str]) -> list[tuple[str, str]]:
    """(slug, name) of the sources that have programmes waiting, for the filter; ``names``:
    the sources' names by slug (the caller's, from guichet.sources)."""
    slugs = session.scalars(select(Programme.source).outerjoin(
        ProgrammeReview, ProgrammeReview.programme_id == Programme.id).where(_queue_condition()).distinct()).all()
    return sorted(((slug, names.get(slug) or slug) for slug in slugs), key=lambda pair: pair[1].lower())


def review_of(session: Session, programme_id: str) -> ProgrammeReview | None:
    return session.get(ProgrammeReview, programme_id)


def pending_changes(session: Session, programme: Programme) -> list[FieldChange]:
    review = review_of(session, programme.id)
    if review is None or review.changed_at is None:
        return []
    return diff_values(review.reviewed_values, programme.source_values)


# ---------------------------------------------------------------- decisions

def mark_reviewed(session: Session, programme: Programme, user: User | None, now=None) -> None:
    """What the source says now is what the curators have seen."""
    now = now or utcnow()
    review = session.get(ProgrammeReview, programme.id)
    if review is None:
        review = ProgrammeReview(programme_id=programme.id)
        session.add(review)
    reviewed = dict(programme.source_values or {})
    # A held change stays to be decided: what the curators saw of that field is what is published.
    for name in held_fields(programme):
        reviewed[name] = audit.jsonable(getattr(programme, name))
    review.reviewed_values = reviewed
    review.reviewed_at = now
    review.reviewed_by = user.email if user is not None else None
    review.changed_at = now if diff_values(reviewed, programme.source_values) else None


def decide_source_change(session: Session, programme: Programme, name: str, apply: bool, user: User | None,
                         now=None) -> str:
    """One held change decided: ``apply`` puts the source's value live (the field stays the
    source's); otherwise the published value stays and the field becomes the team's (later
    scrapes propose, never overwrite). Returns a French summary; ReviewError when the field has
    no change waiting."""
    if name not in held_fields(programme):
        raise ReviewError(f"« {FIELD_LABELS.get(name, name)} » n’a pas (ou plus) de changement de la source en attente.")
    now = now or utcnow()
    label = FIELD_LABELS.get(name, name)
    before, after = audit.jsonable(getattr(programme, name)), programme.source_values[name]
    if apply:
        setattr(programme, name, from_stored(name, after))
        action, summary = "accept_source", f"« {programme.title} » : valeur de la source appliquée pour « {label} »"
    else:
        programme.curated_fields = [*(programme.curated_fields or []), name]
        action, summary = "refuse_source", f"« {programme.title} » : valeur publiée gardée pour « {label} »"
    review = session.get(ProgrammeReview, programme.id)
    if review is None:
        review = ProgrammeReview(programme_id=programme.id, reviewed_values={})
        session.add(review)
    review.reviewed_values = {**(review.reviewed_values or {}), name: after}
    review.changed_at = (review.changed_at or now) if diff_values(review.reviewed_values, programme.source_values) \
        else None
    audit.record(session, user, action, summary, programme.id, {"changes": {name: [before, after]}}, now)
    return summary


def decide(session: Session, programme: Programme, action: str, user: User | None, now=None,
           reason: str | None = None) -> str:
    """Publish, reject or acknowledge one programme; returns a French summary of what was done.
    A rejection says why (``reason``), in the journal and in the summary."""
    if action not in ACTIONS:
        raise ReviewError("Action inconnue.")
    if programme.state == "merged":
        raise ReviewError(f"« {programme.title} » a été fusionné avec un autre programme : "
                          "modifiez plutôt le programme conservé.")
    now = now or utcnow()
    changes = pending_changes(session, programme)
    details = {"state": [programme.state, None]}
    if changes:
        details["source_changes"] = [change.field for change in changes]
    if action in ("apply_source", "keep_published"):
        fields = held_fields(programme)
        if not fields:
            raise ReviewError(f"« {programme.title} » n’a pas de changement de la source en attente.")
        for name in fields:
            decide_source_change(session, programme, name, action == "apply_source", user, now)
        # Deciding every held change is a review: the dates and addresses applied meanwhile are seen too.
        mark_reviewed(session, programme, user, now)
        verb = "appliqués" if action == "apply_source" else "refusés (valeurs publiées gardées)"
        return (f"Changements de la source de « {programme.title} » {verb} : "
                + ", ".join(FIELD_LABELS.get(name, name) for name in fields))
    if action == "publish":
        set_state(programme, "published", now)
        summary = f"« {programme.title} » publié"
    elif action == "reject":
        set_state(programme, "rejected", now)
        summary = f"« {programme.title} » rejeté"
        if reason:
            summary += f" (motif : {reason})"
            details["reason"] = reason
    else:
        if programme.state == "pending":
            raise ReviewError(f"« {programme.title} » est nouveau : publiez-le ou rejetez-le.")
        summary = f"Changements à la source de « {programme.title} » pris en compte"
    if changes:
        summary += f" (modifié à la source : {describe(changes)})"
    details["state"][1] = programme.state
    mark_reviewed(session, programme, user, now)
    audit.record(session, user, action, summary, programme.id, details, now)
    return summary


def next_in_queue(session: Session, after_id: str) -> str | None:
    """The programme a curator reviews next: the first one of the queue other than this one."""
    for item in queue(session, per_page=2).items:
        if item.programme.id != after_id:
            return item.programme.id
    return None


def decide_many(session: Session, programme_ids: list[str], action: str, user: User | None,
                include_closed: bool = False, today=None, reason: str | None = None) -> tuple[int, list[str]]:
    """The same decision on several programmes: (how many done, French errors). Publishing in
    bulk leaves closed programmes aside unless the curator confirmed them (``include_closed``):
    a call already closed should not go live by a tick among hundreds."""
    from datetime import date

    today = today or date.today()
    done, errors, closed = 0, [], 0
    for programme_id in dict.fromkeys(programme_ids):
        programme = session.get(Programme, programme_id)
        if programme is None:
            errors.append(f"Programme introuvable : {programme_id}.")
            continue
        if action == "publish" and not include_closed and programme.status(today) == "clos":
            closed += 1
            continue
        try:
            decide(session, programme, action, user, reason=reason)
        except ReviewError as error:
            errors.append(error.message)
            continue
        done += 1
    if closed:
        errors.append(f"{closed} programme{'s' if closed > 1 else ''} clos laissé{'s' if closed > 1 else ''} de côté : "
                      "cochez « publier aussi les programmes clos » pour les publier.")
    return done, errors
