"""French dates and source timestamps: « 1er mars 2027 », « 31/12/2026 », ISO timestamps with a zone,
and the opening date and deadlines a French text announces (``dates_from_text``)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from guichet.text import fold

PARIS = ZoneInfo("Europe/Paris")

MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
          "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
          "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_FRENCH_DATE = re.compile(
    r"\b(?P<day>[0-3]?\d)(?:er)?\s+(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?\s+(?P<year>(?:19|20)\d\d)\b")
_SLASH_DATE = re.compile(r"\b(?P<day>[0-3]?\d)[/.-](?P<month>[01]?\d)[/.-](?P<year>(?:19|20)\d\d)\b")
_ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)"
                       r"(?:[T ](?P<time>\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(?P<zone>Z|[+-]\d\d:?\d\d)?)?")


def _iso_datetime(match: re.Match) -> datetime:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    moment = datetime(year, month, day)
    if match["time"]:
        moment = datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{match['time']}")
    zone = match["zone"]
    if zone:
        if zone == "Z":
            moment = moment.replace(tzinfo=timezone.utc)
        else:
            zone = zone.replace(":", "")
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[3:5])
            moment = moment.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return moment


def parse_datetime(value) -> datetime | None:
    """A source's timestamp as a naive UTC datetime (what the store keeps)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = re.sub(r"(?<=\d):\s+(?=\d)", ":", str(value).strip())  # "11: 40: 47+02: 00" (Culture)
        match = _ISO_DATE.search(text)
        if match is None:
            found = parse_date(text)
            return datetime(found.year, found.month, found.day) if found else None
        moment = _iso_datetime(match)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_date(value) -> date | None:
    """``31 décembre 2026``, ``1er mars 2027``, ``31/12/2026``, ``2026-12-31``,
    ``2027-04-08T00:00:00.000+0000``; a timestamp with a zone gives the date in Paris."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return (value.astimezone(PARIS) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    text = re.sub(r"(?<=\d):\s+(?=\d)", ":", str(value).strip())
    match = _ISO_DATE.search(text)
    if match:
        try:
            moment = _iso_datetime(match)
        except ValueError:
            return None
        return (moment.astimezone(PARIS) if moment.tzinfo else moment).date()
    found = find_dates(text)
    return found[0] if found else None


def find_dates(text: str | None) -> list[date]:
    """Every French or dd/mm/yyyy date in a text, in order of appearance."""
    if not text:
        return []
    folded = fold(text)
    found = []
    for match in sorted([*_FRENCH_DATE.finditer(folded), *_SLASH_DATE.finditer(folded)],
                        key=lambda item: item.start()):
        month = match["month"]
        month = int(month) if month.isdigit() else MONTHS[month]
        try:
            found.append(date(int(match["year"]), month, int(match["day"])))
        except ValueError:
            continue
    return found


# -- dates a French text announces ----------------------------------------------------------

_DEADLINE_WORDS = re.compile(
    r"(date\s+limite|cl[ôo]ture|avant\s+le|jusqu['’]au|au\s+plus\s+tard|d[ée]p[ôo]t\s+des\s+dossiers\s+jusqu|"
    r"date\s+de\s+fin|fin\s+de\s+l['’]appel)", re.IGNORECASE)
_OPENING_WORDS = re.compile(r"(ouverture|ouvert\s+le|[àa]\s+partir\s+du|d[ée]but)", re.IGNORECASE)
_PERIOD = re.compile(r"\bdu\s+(?P<start>.{6,25}?)\s+au\s+(?P<end>.{6,25}?\d{4})", re.IGNORECASE)


def dates_from_text(text: str | None) -> tuple[date | None, list[date]]:
    """(opening date, deadlines) announced by a French text, line by line."""
    opens_on, deadlines = None, []
    for line in (text or "").splitlines():
        period = _PERIOD.search(line)
        if period:
            start, end = find_dates(period["start"] + " " + period["end"][-4:]), find_dates(period["end"])
            if end:
                if start and start[0] <= end[0]:
                    opens_on = opens_on or start[0]
                deadlines.append(end[0])
                continue
        match = _DEADLINE_WORDS.search(line)
        if match:
            found = find_dates(line[match.start():])
            if found:
                deadlines.append(found[0])
                continue
        match = _OPENING_WORDS.search(line)
        if match:
            found = find_dates(line[match.start():])
            if found and opens_on is None:
                opens_on = found[0]
    return opens_on, sorted(set(deadlines))
