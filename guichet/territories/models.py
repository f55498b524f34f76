"""What the store knows of each commune's official programmes and zonings.

One row per current commune (``commune_territories``), built from the official lists shipped
under ``guichet/territories/data/`` (or their refreshed copies): wide rather than one row per
label, because every reader (commune page, search eligibility, benchmark) wants all the labels
of a commune at once. ``territory_lists`` records which version of each list is loaded.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.db import Base


class CommuneTerritory(Base):
    __tablename__ = "commune_territories"

    # Current INSEE code (old codes of the lists are mapped to today's commune when loading).
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    acv_id: Mapped[str | None] = mapped_column(String(20))
    acv_name: Mapped[str | None] = mapped_column(Text)  # the convention (« Castres-Mazamet »)
    acv_signed_on: Mapped[date | None] = mapped_column(Date)
    acv_entrance_id: Mapped[str | None] = mapped_column(String(20))  # « entrées de ville »
    pvd_id: Mapped[str | None] = mapped_column(String(30))
    pvd_name: Mapped[str | None] = mapped_column(Text)
    pvd_signed_on: Mapped[date | None] = mapped_column(Date)
    village_avenir_id: Mapped[str | None] = mapped_column(String(20))
    # [{"id": "ti-0101", "name": "Basse-Terre"}]
    industry_territories: Mapped[list] = mapped_column(JSON, default=list)
    # [{"code": "QN05401M", "name": "..."}]
    qpv: Mapped[list] = mapped_column(JSON, default=list)
    frr: Mapped[str | None] = mapped_column(String(40))  # FRR level slug (socle, plus, ...)
    massif: Mapped[str | None] = mapped_column(Text)  # « Massif des Pyrénées »; None outside the zone
    france_services: Mapped[int] = mapped_column(Integer, default=0)
    ort_status: Mapped[str | None] = mapped_column(String(20))  # signee, en-cours, non-signee
    ort_signed_on: Mapped[date | None] = mapped_column(Date)
    density_level: Mapped[int | None] = mapped_column(Integer)  # INSEE grid, 1 (dense) … 7
    centrality: Mapped[str | None] = mapped_column(Text)
    rurality: Mapped[str | None] = mapped_column(Text)
    # The condition slugs (guichet.programmes.conditions) this commune meets, derived once.
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    # Conditions met by part of the commune only (« classée FRR partiellement »): à vérifier.
    partial_conditions: Mapped[list] = mapped_column(JSON, default=list)


class TerritoryList(Base):
    """One official list as loaded: where it came from, its digest and its size."""

    __tablename__ = "territory_lists"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    origin: Mapped[str] = mapped_column(Text)  # "shipped" or the URL it was refreshed from
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)  # codes no current commune has
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
