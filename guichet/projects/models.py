"""Funded projects (what towns obtained) and the imports that brought them.

A project is one grant to one beneficiary as the State published it: Fonds vert laureates,
DETR/DSIL/DSID projects. It is linked to the current commune it is in (INSEE code after old
codes are mapped), or to an EPCI (whose member communes it then concerns), or to a
département; and to the curated programme it came from when Guichet describes it.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.programmes.models import utcnow
from guichet.db import Base

KINDS = {"fonds-vert": "Fonds vert", "dotations": "Dotations d’investissement (DETR, DSIL, DSID)"}
# Who received the grant, as far as the list tells.
LEVELS = {"commune": "Commune", "epci": "Intercommunalité", "departement": "Département", "autre": "Autre porteur"}


class ProjectImport(Base):
    """One import of a list that changed the store (a file imported again changes nothing)."""

    __tablename__ = "project_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FundedProject(Base):
    __tablename__ = "funded_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable across imports of the same list: kind, year and the list's own identifiers.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The facet value: a curated programme's id, or a slug for a measure Guichet does not describe.
    programme_key: Mapped[str] = mapped_column(String(200), index=True)
    programme_label: Mapped[str] = mapped_column(Text)
    programme_id: Mapped[str | None] = mapped_column(String(200))  # curated programme, when there is one
    measure: Mapped[str] = mapped_column(Text)  # the list's own name of the measure or grant
    category: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)  # the project's words
    beneficiary: Mapped[str | None] = mapped_column(Text)
    siren: Mapped[str | None] = mapped_column(String(9))
    level: Mapped[str] = mapped_column(String(20))  # LEVELS
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)  # current commune (COG)
    epci_code: Mapped[str | None] = mapped_column(String(9), index=True)
    department: Mapped[str | None] = mapped_column(String(3), index=True)
    region: Mapped[str | None] = mapped_column(String(3))
    territory_name: Mapped[str | None] = mapped_column(Text)  # as the list spells it
    population: Mapped[int | None] = mapped_column(Integer)  # as the list gives it (DGCL: INSEE 2019)
    amount: Mapped[float] = mapped_column(Float)
    total_cost: Mapped[float | None] = mapped_column(Float)
    source_line: Mapped[int] = mapped_column(Integer)
    source_code: Mapped[str | None] = mapped_column(String(12))  # the code the list gave, before mapping
    import_id: Mapped[int | None] = mapped_column(ForeignKey("project_imports.id"))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def cost_share(self) -> float | None:
        """The grant as a share of the project's total cost (0–1), when the cost is known."""
        if self.total_cost and self.total_cost > 0:
            return self.amount / self.total_cost
        return None
