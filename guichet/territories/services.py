"""What pages, the API, the search and other features ask of a commune's lists and zonings.

- ``density_level(session, insee)`` / ``density_levels(session)``: the INSEE density grid;
- ``territory_of(session, insee)``: the commune's row (None when no list knows it);
- ``conditions_for(session, insee)``: the condition slugs it meets (in full, in part);
- ``labels(row)``: each list or zoning the commune belongs to, in French.
"""

from dataclasses import dataclass

from sqlalchemy import select

from guichet.territories.models import CommuneTerritory, TerritoryList
from guichet.programmes.conditions import DENSITY_LEVELS, FRR_LEVELS


def density_level(session, insee: str) -> int | None:
    """The commune's level in INSEE's 7-level density grid (1 = grands centres urbains … 7)."""
    return session.scalar(select(CommuneTerritory.density_level).where(CommuneTerritory.code == insee))


def density_levels(session) -> dict[str, int]:
    """Every commune's density level, by INSEE code (communes the grid does not rate are absent)."""
    return dict(session.execute(select(CommuneTerritory.code, CommuneTerritory.density_level)
                                .where(CommuneTerritory.density_level.is_not(None))).all())


def territory_of(session, insee: str) -> CommuneTerritory | None:
    return session.get(CommuneTerritory, insee)


def conditions_for(session, insee: str) -> tuple[frozenset, frozenset]:
    """(conditions met in full, conditions met by part of the commune only)."""
    row = session.execute(select(CommuneTerritory.conditions, CommuneTerritory.partial_conditions)
                          .where(CommuneTerritory.code == insee)).first()
    if row is None:
        return frozenset(), frozenset()
    return frozenset(row[0] or ()), frozenset(row[1] or ())


def loaded_lists(session) -> list[TerritoryList]:
    return list(session.scalars(select(TerritoryList).order_by(TerritoryList.key)))


@dataclass(frozen=True)
class Label:
    key: str  # condition slug, or another key (france-services, centralite, ...)
    text: str  # French, as the commune page shows it
    value: str | None = None  # short machine value for the API (id, level ...)


def _french_date(value) -> str:
    from guichet.web.formatting import date_fr

    return date_fr(value)


def density_label(level: int | None) -> str | None:
    return f"{DENSITY_LEVELS[level]} (niveau {level} sur 7)" if level in DENSITY_LEVELS else None


def labels(row: CommuneTerritory | None) -> list[Label]:
    """Each programme or zoning of the commune, in French (« Petite ville de demain (signée le 12 avril 2021) »)."""
    if row is None:
        return []
    found = []
    if row.acv_id:
        text = "Action Cœur de ville" + (f" — convention de {row.acv_name}" if row.acv_name else "")
        if row.acv_signed_on:
            text += f" (signée le {_french_date(row.acv_signed_on)})"
        found.append(Label("acv", text, row.acv_id))
    if row.acv_entrance_id:
        found.append(Label("acv-entrees", "Action Cœur de ville — « entrées de ville »", row.acv_entrance_id))
    if row.pvd_id:
        text = "Petite ville de demain"
        if row.pvd_signed_on:
            text += f" (signée le {_french_date(row.pvd_signed_on)})"
        found.append(Label("pvd", text, row.pvd_id))
    if row.village_avenir_id:
        found.append(Label("villages-avenir", "Village d’avenir", row.village_avenir_id))
    if row.qpv:
        names = " ; ".join(item["name"] for item in row.qpv)
        count = len(row.qpv)
        text = (f"{count} quartiers prioritaires : {names}" if count > 1 else f"1 quartier prioritaire : {names}")
        found.append(Label("qpv", text, ",".join(item["code"] for item in row.qpv)))
    if row.frr:
        found.append(Label("frr", f"France Ruralités Revitalisation : {FRR_LEVELS.get(row.frr, row.frr)}", row.frr))
    if row.massif:
        found.append(Label("montagne", f"Commune de montagne — {row.massif}", row.massif))
    if row.industry_territories:
        names = ", ".join(item["name"] for item in row.industry_territories)
        found.append(Label("territoires-industrie", f"Territoire d’industrie : {names}",
                           ",".join(item["id"] for item in row.industry_territories)))
    if row.france_services:
        found.append(Label("france-services", f"{row.france_services} France services"
                           if row.france_services > 1 else "1 France services", str(row.france_services)))
    if row.ort_status == "signee":
        text = "ORT signée" + (f" le {_french_date(row.ort_signed_on)}" if row.ort_signed_on else "")
        found.append(Label("ort", text, row.ort_status))
    elif row.ort_status == "en-cours":
        found.append(Label("ort", "ORT en cours d’élaboration", row.ort_status))
    if row.density_level:
        found.append(Label("densite", f"Densité : {density_label(row.density_level)}", str(row.density_level)))
        if row.density_level >= 5:
            found.append(Label("rural", "Commune rurale (grille de densité de l’INSEE)", str(row.density_level)))
    if row.centrality:
        found.append(Label("centralite", f"Centralité : {row.centrality}", row.centrality))
    if row.rurality and not row.rurality.startswith("Hors champ"):
        found.append(Label("ruralite", f"Typologie des ruralités : {row.rurality}", row.rurality))
    return found


def verdict_details(row: CommuneTerritory | None) -> dict[str, str]:
    """What makes an eligibility reason precise, by condition (« Massif des Pyrénées », « FRR socle »)."""
    if row is None:
        return {}
    details = {}
    if row.massif:
        details["montagne"] = row.massif
    if row.frr:
        details["frr"] = FRR_LEVELS.get(row.frr, row.frr)
    if row.industry_territories:
        details["territoires-industrie"] = ", ".join(item["name"] for item in row.industry_territories)
    if row.density_level:
        details["rural"] = DENSITY_LEVELS.get(row.density_level, "")
    return details


def verdict_for(programme, eligibility):
    """The eligibility verdict of a programme for the commune of ``eligibility`` (pages call this);
    the commune's details are read once per request."""
    from flask import g

    from guichet.db import get_session
    from guichet.territories.eligibility import verdict

    cache = g.setdefault("territory_details", {})
    code = eligibility.commune_code
    if code not in cache:
        cache[code] = verdict_details(territory_of(get_session(), code))
    return verdict(programme, eligibility, cache[code])
