"""Funding rates and amounts read from French text."""

from __future__ import annotations

import re

from scrapers.normalise.html import _SPACES, plain_text

_PERCENT = r"(\d{1,3}(?:[,.]\d+)?)\s*%"


def rate_range(text: str | None) -> tuple[float | None, float | None]:
    """Funding rates: "de 20 % à 80 %", "entre 15 % et 55 %", "15 % à 55 %", "jusqu'à 80 %"."""
    if not text:
        return None, None
    text = _SPACES.sub(" ", plain_text(text).lower().replace("’", "'"))
    match = re.search(r"(?:entre\s+|de\s+)?" + _PERCENT + r"\s*(?:à|a|et|-)\s*" + _PERCENT, text)
    if match:
        low, high = (float(value.replace(",", ".")) for value in match.groups())
        if 0 <= low <= high <= 100:
            return low, high
    match = re.search(r"(?:jusqu'à|jusqu'a|maximum de|au maximum|plafonnée? à|dans la limite de)\s*" + _PERCENT, text)
    if match:
        value = float(match.group(1).replace(",", "."))
        if 0 < value <= 100:
            return None, value
    return None, None


def parse_amount(value) -> float | None:
    """"5 000 €", "5 000 euros", "2.200.000 €", "3 000" → 5000.0 ...; None when no amount."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = re.search(r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(\d+))?\s*(k|m|millions?)?\s*(?:€|euros?|eur\b)?",
                      str(value).lower())
    if not match:
        return None
    amount = float(re.sub(r"[ \u00a0\u202f.]", "", match.group(1)) + ("." + match.group(2) if match.group(2) else ""))
    multiplier = {"k": 1_000, "m": 1_000_000}.get((match.group(3) or "")[:1], 1)
    return amount * multiplier


_AMOUNT_CAP = re.compile(
    r"(?:plafonn[ée]e?s?\s+[àa]|dans\s+la\s+limite\s+de|jusqu['’][àa]|plafond\s+de|maximum\s+de|"
    r"au\s+plus)\s+(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)\s*(?:€|euros?)", re.IGNORECASE)


def amount_max_from_text(text: str | None) -> float | None:
    """The highest amount cap a French text gives ("plafonnée à 150 000 €")."""
    values = [parse_amount(match.group(1)) for match in _AMOUNT_CAP.finditer(text or "")]
    values = [value for value in values if value]
    return max(values) if values else None
