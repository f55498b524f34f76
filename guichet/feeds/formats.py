"""A search's programmes as an Atom feed, an iCalendar file of deadlines, or a CSV table.

Each format is written with the library made for it (feedgen for Atom 1.0, icalendar for
RFC 5545, the csv module); the views only choose the programmes and call these.
"""

import csv
import io
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from icalendar import Alarm, Calendar, Event

from guichet.programmes.themes import theme_label
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, RECURRENCES, STATUSES
from guichet.web.french import typographic

PARIS = ZoneInfo("Europe/Paris")
PRODUCT_ID = "-//ANCT//Guichet des financements publics//FR"


def as_utc(value: datetime | None) -> datetime | None:
    """The store keeps naive UTC datetimes; feeds and calendars want aware ones."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def atom_feed(programmes, *, title: str, feed_url: str, page_url: str, detail_url, updated: datetime) -> bytes:
    """Valid Atom 1.0: one entry per programme, newest publication first."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(typographic(title))
    feed.subtitle("Nouveaux programmes de financement publiés sur Guichet, pour cette recherche.")
    feed.language("fr")
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.author({"name": "Agence nationale de la cohésion des territoires (Guichet)"})
    feed.rights("Licence Ouverte / Open Licence 2.0 pour les données publiques ; voir la page « À propos ».")
    feed.updated(as_utc(updated))
    # feedgen writes entries in reverse order of addition: add the oldest first.
    for programme in reversed(list(programmes)):
        url = detail_url(programme)
        entry = feed.add_entry()
        entry.id(url)
        # What people read in a feed reader or a calendar takes the pages' apostrophes (guichet.web.french).
        entry.title(typographic(programme.title))
        entry.link(href=url, rel="alternate", type="text/html")
        stamp = as_utc(programme.published_at or programme.updated_at or programme.first_seen_at)
        entry.updated(stamp)
        entry.published(stamp)
        if programme.summary:
            entry.summary(typographic(programme.summary))
        for funder in programme.funders or []:
            entry.author({"name": typographic(funder)})
        for slug in programme.themes or []:
            entry.category(term=slug, label=theme_label(slug))
    return feed.atom_str(pretty=True)


def deadlines_calendar(programmes, *, name: str, detail_url, today: date) -> bytes:
    """RFC 5545: one all-day event per deadline, in Europe/Paris, with a reminder a week before."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", typographic(name))
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    for programme in programmes:
        url = detail_url(programme)
        for deadline in programme.deadline_dates():
            event = Event()
            event.add("uid", f"{programme.id}-{deadline.isoformat()}@guichet")
            event.add("dtstamp", stamp)
            event.add("dtstart", deadline)
            event.add("dtend", deadline + timedelta(days=1))
            event.add("summary", f"Date limite : {typographic(programme.title)}")
            event.add("description", "\n".join(part for part in (typographic(programme.summary or ""), url) if part))
            event.add("url", url)
            event.add("transp", "TRANSPARENT")
            if deadline >= today:
                reminder = Alarm()
                reminder.add("action", "DISPLAY")
                reminder.add("description", f"Dans une semaine : date limite de « {typographic(programme.title)} »")
                reminder.add("trigger", timedelta(days=-7))
                event.add_component(reminder)
            calendar.add_component(event)
    return calendar.to_ical()


CSV_COLUMNS = (
    "Identifiant", "Titre", "Résumé", "Financeurs", "Programmes d’aides", "Échelon", "Régions", "Départements", "Bénéficiaires",
    "Thèmes", "Types d’aide", "Appel à projets", "Ouverture", "Prochaine date limite", "Dates limites",
    "Statut", "Récurrence", "Taux minimum (%)", "Taux maximum (%)", "Montant minimum (€)", "Montant maximum (€)",
    "Population minimum", "Population maximum", "Page chez la source", "Candidater", "Page sur Guichet",
)
# A cell a spreadsheet would run as a formula is quoted as text (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A value as a French spreadsheet reads it (dates dd/mm/yyyy, decimal comma, oui/non), and
    never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_table(programmes, *, detail_url, today: date, regions: dict, departments: dict) -> bytes:
    """UTF-8 with a BOM and semicolons, as French spreadsheets open it; French column names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for programme in programmes:
        deadlines = programme.deadline_dates()
        writer.writerow([spreadsheet_cell(value) for value in (
            programme.id, programme.title, programme.summary, ", ".join(programme.funders or []),
            ", ".join(programme.aid_programmes or []),
            LEVELS.label(programme.level),
            ", ".join(regions.get(code, code) for code in programme.regions or []),
            ", ".join(departments.get(code, code) for code in programme.departments or []),
            ", ".join(BENEFICIARIES.label(value) for value in programme.beneficiaries or []),
            ", ".join(theme_label(slug) for slug in programme.themes or []),
            ", ".join(AID_TYPES.label(value) for value in programme.aid_types or []),
            bool(programme.is_call_for_projects), programme.opens_on, programme.next_deadline(today),
            ", ".join(deadline.strftime("%d/%m/%Y") for deadline in deadlines),
            STATUSES.get(programme.status(today), ""), RECURRENCES.get(programme.recurrence or "", ""),
            programme.rate_min, programme.rate_max, programme.amount_min, programme.amount_max,
            programme.population_min, programme.population_max, programme.source_url, programme.application_url,
            detail_url(programme),
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
