"""One page of a list of the back office (queue, programmes, duplicates, audit log)."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, statement: Select, order_by: tuple, page: int, per_page: int) -> Page:
    """The ``page``-th page of what ``statement`` selects (one entity), and how many there are."""
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = session.scalars(statement.order_by(*order_by).offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(rows), total, page, per_page)
