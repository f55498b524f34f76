"""French formatting for pages and emails: dates, days left, amounts, populations.

Numbers go through Babel's ``fr_FR`` locale (« 1 234 » with a narrow no-break space, « 12,5 »,
never « 80.0 »); times read « 2 h 45 » (no leading zero), the same everywhere.
The labels of a programme's values are in ``guichet.programmes.vocabulary``."""

from datetime import date, datetime
from functools import lru_cache

from babel.numbers import format_decimal

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
NARROW_NBSP = "\u202f"


def date_fr(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def datetime_fr(value) -> str:
    if value is None:
        return ""
    return f"{date_fr(value.date())} à {time_fr(value)}"


def time_fr(value) -> str:
    """« 2 h 45 », « 14 h 05 », « 6 h 00 »: the hour without a leading zero."""
    return f"{value.hour} h {value.minute:02d}"


def number_fr(value) -> str:
    """« 1 234 », « 80 » (for 80.0), « 12,5 »; at most two decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _decimal_fr(value)


@lru_cache(maxsize=4096)
def _decimal_fr(value) -> str:
    # Babel's formatting is slow for a page's hundreds of counts and thresholds, which repeat.
    return format_decimal(value, format="#,##0.##", locale="fr_FR").replace("\u00a0", NARROW_NBSP)


def euros(value) -> str:
    return f"{number_fr(value)}{NARROW_NBSP}€" if value is not None else ""


def deadline_phrase(deadline: date | None, today: date) -> str:
    """« clôture dans 12 jours », « clôture aujourd'hui », « clos depuis le 3 mars 2026 »."""
    if deadline is None:
        return "sans date limite"
    days = (deadline - today).days
    if days < 0:
        return f"clos depuis le {date_fr(deadline)}"
    if days == 0:
        return "clôture aujourd’hui"
    if days == 1:
        return "clôture demain"
    return f"clôture dans {days} jours"


def population_rule(minimum, maximum) -> str:
    if minimum is None and maximum is None:
        return "Conditions de population non précisées"
    if minimum is not None and maximum is not None:
        return f"Communes de {number_fr(minimum)} à {number_fr(maximum)} habitants"
    if maximum is not None:
        return f"Communes de {number_fr(maximum)} habitants au plus"
    return f"Communes d’au moins {number_fr(minimum)} habitants"


def rate_range(minimum, maximum) -> str:
    if minimum is None and maximum is None:
        return ""
    if minimum is not None and maximum is not None and minimum != maximum:
        return f"de {number_fr(minimum)} à {number_fr(maximum)}{NARROW_NBSP}%"
    return f"{number_fr(maximum if maximum is not None else minimum)}{NARROW_NBSP}%" + (
        " au plus" if minimum is None else (" au moins" if maximum is None else ""))


def amount_range(minimum, maximum) -> str:
    if minimum is None and maximum is None:
        return ""
    if minimum is not None and maximum is not None and minimum != maximum:
        return f"de {euros(minimum)} à {euros(maximum)}"
    if maximum is not None:
        return f"jusqu’à {euros(maximum)}" if minimum is None else euros(maximum)
    return f"à partir de {euros(minimum)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count in (0, 1) else (plural_form or singular + "s")
    return f"{number_fr(count)} {word}"


FILTERS = {
    "date_fr": date_fr,
    "datetime_fr": datetime_fr,
    "number_fr": number_fr,
    "time_fr": time_fr,
    "euros": euros,
}
