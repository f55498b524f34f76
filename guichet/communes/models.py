"""The official commune reference (COG, from the npm package @etalab/decoupage-administratif).

Only current communes are rows of ``communes``: former communes (delegated, associated, the old
codes of merged communes) and the municipal arrondissements of Paris, Lyon and Marseille are
``commune_aliases`` pointing at the current commune they belong to, so that a mayor who types
any of them lands on the commune that can actually apply.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.db import Base

# Kinds of alias, as the COG names them, plus the old codes that no longer have a row of their own.
ALIAS_KINDS = {
    "commune-deleguee": "commune déléguée",
    "commune-associee": "commune associée",
    "arrondissement-municipal": "arrondissement municipal",
    "ancien-code": "ancien code",
}
EPCI_TYPES = {
    "CC": "communauté de communes",
    "CA": "communauté d’agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "métropole de Lyon",
}


class Region(Base):
    __tablename__ = "cog_regions"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class Department(Base):
    __tablename__ = "cog_departements"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(3))


class Epci(Base):
    """An intercommunal grouping with its own tax (CC, CA, CU, métropole); SIREN as its code."""

    __tablename__ = "epcis"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(10))
    financing: Mapped[str | None] = mapped_column(String(10))
    population_total: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)  # population municipale
    member_count: Mapped[int] = mapped_column(Integer, default=0)

    members: Mapped[list["Commune"]] = relationship(back_populates="epci", order_by="Commune.population.desc()",
                                                    viewonly=True)

    @property
    def type_label(self) -> str:
        return EPCI_TYPES.get(self.type, self.type)


class Commune(Base):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # INSEE (COG) code
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(30), default="commune-actuelle")
    population: Mapped[int | None] = mapped_column(Integer)  # INSEE population municipale
    department: Mapped[str] = mapped_column(String(3), index=True)
    region: Mapped[str] = mapped_column(String(3))
    postcodes: Mapped[list] = mapped_column(JSON, default=list)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("epcis.code"), index=True)
    siren: Mapped[str | None] = mapped_column(String(9))
    zone: Mapped[str | None] = mapped_column(String(10))
    # Name folded for search (lower case, no accents, "St" → "saint" ...): see guichet.communes.names.
    search_name: Mapped[str] = mapped_column(Text, index=True)

    epci: Mapped[Epci | None] = relationship(back_populates="members")
    aliases: Mapped[list["CommuneAlias"]] = relationship(back_populates="commune", order_by="CommuneAlias.name",
                                                         viewonly=True)


class CommuneAlias(Base):
    """A code or name that resolves to a current commune (former commune, arrondissement ...)."""

    __tablename__ = "commune_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(5), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    postcodes: Mapped[list] = mapped_column(JSON, default=list)
    population: Mapped[int | None] = mapped_column(Integer)
    search_name: Mapped[str | None] = mapped_column(Text)

    commune: Mapped[Commune] = relationship(back_populates="aliases")

    @property
    def kind_label(self) -> str:
        return ALIAS_KINDS.get(self.kind, self.kind)


class ReferenceVersion(Base):
    """Which version of the reference data the store holds: `guichet init` skips a loaded one."""

    __tablename__ = "commune_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    communes: Mapped[int] = mapped_column(Integer)
    aliases: Mapped[int] = mapped_column(Integer)
    epcis: Mapped[int] = mapped_column(Integer)
