"""The parts of a programme page that answer first: one wording per deadline case, the times in
Paris time, the source's name (never its slug) and the breadcrumb back to the search (and
commune) that led there."""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import request, url_for
from sqlalchemy import column, select, table

from guichet.web.formatting import date_fr

PARIS = ZoneInfo("Europe/Paris")

# The sources table belongs to guichet.sources (a higher room): read through a table construct.
_SOURCES = table("sources", column("slug"), column("name"))


def deadline_wording(programme, today: date) -> str:
    """« clôture dans 120 jours (31 mars 2027) », « permanent », « date non communiquée par la
    source », « clos depuis le 30 juin 2026 »: one wording per case."""
    dates = programme.deadline_dates()
    upcoming = [value for value in dates if value >= today]
    if programme.closed_at is not None:  # closed by its source or a gestionnaire, whatever the dates say
        return f"clos depuis le {date_fr(programme.closed_at)}"
    if upcoming:
        deadline = min(upcoming)
        days = (deadline - today).days
        if days == 0:
            return f"clôture aujourd’hui ({date_fr(deadline)})"
        if days == 1:
            return f"clôture demain ({date_fr(deadline)})"
        return f"clôture dans {days} jours ({date_fr(deadline)})"
    if dates:
        return f"clos depuis le {date_fr(max(dates))}"
    if programme.recurrence == "permanente":
        return "permanent"
    return "date non communiquée par la source"


def paris_time(value: datetime | None) -> str:
    """A stored UTC time (naive or aware) as Paris reads it: « 3 mars 2026 à 14 h 05 »."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(PARIS)
    return f"{date_fr(local.date())} à {local.hour} h {local.minute:02d}"


def source_name(session, slug: str) -> str:
    """The source's name as people read it (« Aides-territoires »), never its slug."""
    if slug == "curated":
        return "l’équipe Guichet"
    name = session.execute(select(_SOURCES.c.name).where(_SOURCES.c.slug == slug)).scalar()
    if name:
        return name
    try:
        from scrapers.registry import all_sources

        source = all_sources().get(slug)
    except Exception:  # the scrapers are not installed beside the web app
        source = None
    return getattr(source, "name", None) or "une source externe"


def breadcrumb(eligibility) -> list[tuple[str, str]]:
    """The way back: the search that led here (from the referring page of this site, with its
    parameters), and the commune page when a commune was chosen."""
    crumbs = []
    search_home = url_for("web.search")
    back = search_home
    referrer = request.referrer or ""
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host and parts.path == search_home and parts.query:
            back = f"{parts.path}?{parts.query}"
    if eligibility is not None:
        crumbs.append((f"Commune : {eligibility.commune_name}",
                       url_for("communes.commune", code=eligibility.commune_code)))
    crumbs.insert(0, ("Rechercher un financement" if back == search_home else "Votre recherche", back))
    return crumbs


def page_context(session, programme, eligibility, today: date) -> dict:
    """Everything ``programmes/detail.html`` reads, for the public page and for the back
    office's preview of it (one list, so that a new part of the page reaches both)."""
    from guichet import geo
    from guichet.programmes.themes import theme_label
    from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, STATUSES

    return dict(programme=programme, today=today, eligibility=eligibility, theme_label=theme_label,
                levels=LEVELS, aid_types=AID_TYPES, beneficiaries=BENEFICIARIES, statuses=STATUSES,
                regions=geo.REGIONS, departments=geo.DEPARTMENT_NAMES, deadline_wording=deadline_wording,
                paris_time=paris_time, source_label=source_name(session, programme.source),
                breadcrumb=breadcrumb(eligibility))
