"""Every programme of the store as curators browse it (/admin/programmes), and two programmes
side by side (/admin/doublons/comparer)."""

from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from guichet.curation.audit import jsonable
from guichet.curation.diff import FIELD_LABELS, diff_values, display_value
from guichet.paging import Page, paginate
from guichet.programmes.models import Programme
from guichet.programmes.records import CONTENT_FIELDS

MAX_TEXT_LENGTH = 200


def programmes_page(session: Session, text: str = "", state: str | None = None, source: str | None = None,
                    page: int = 1, per_page: int = 25) -> Page:
    """Programmes whose title or id holds ``text``, of that state and source, last changed first."""
    statement = select(Programme)
    text = (text or "").strip()[:MAX_TEXT_LENGTH]
    if text:
        pattern = f"%{text.lower()}%"
        statement = statement.where(or_(func.lower(Programme.title).like(pattern),
                                        func.lower(Programme.id).like(pattern)))
    if state:
        statement = statement.where(Programme.state == state)
    if source:
        statement = statement.where(Programme.source == source)
    return paginate(session, statement, (Programme.updated_at.desc(), Programme.id), page, per_page)


def programme_sources(session: Session) -> list[str]:
    """The slugs of the sources that have programmes in the store, in order."""
    return list(session.scalars(select(Programme.source).distinct().order_by(Programme.source)))


def find_one(session: Session, text: str, limit: int = 10) -> tuple[Programme | None, list[Programme]]:
    """A programme by its id, else by words of its title: (the one found, or None; the
    candidates when several titles match)."""
    text = (text or "").strip()[:MAX_TEXT_LENGTH]
    if not text:
        return None, []
    found = session.get(Programme, text)
    if found is not None:
        return found, []
    statement = select(Programme).where(Programme.state != "merged")
    for word in text.lower().split():
        statement = statement.where(func.lower(Programme.title).like(f"%{word}%"))
    matches = list(session.scalars(statement.order_by(Programme.title).limit(limit)))
    if len(matches) == 1:
        return matches[0], []
    return None, matches


class ComparedField(NamedTuple):
    name: str
    label: str
    first: str
    second: str
    differs: bool


def compare(first: Programme, second: Programme) -> list[ComparedField]:
    """Each content field of two programmes, readable, and whether they differ."""
    first_values = {name: jsonable(getattr(first, name)) for name in CONTENT_FIELDS}
    second_values = {name: jsonable(getattr(second, name)) for name in CONTENT_FIELDS}
    different = {change.field for change in diff_values(first_values, second_values)}
    return [ComparedField(name, FIELD_LABELS[name], display_value(name, first_values[name]),
                          display_value(name, second_values[name]), name in different)
            for name in CONTENT_FIELDS]
