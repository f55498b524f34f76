"""The town-size condition of French eligibility text (``population_range``)."""

from __future__ import annotations

import re

from scrapers.normalise.html import _SPACES, plain_text

_NUMBER = r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)"
_INHABITANTS = r"\s*(?:habitants?|hab\b\.?)"
_LOWER = r"(?:(?:de|d')\s*)?(?:moins\s+de|inf[ée]rieure?s?\s+(?:ou\s+[ée]gale?s?\s+)?à|<=?|≤)"
# Each rule: a pattern and how to read its numbers.
_POPULATION_RULES = (
    # entre 2 000 et 20 000 habitants / comprise entre ... / de 2 000 à 20 000 habitants
    (re.compile(r"\bentre\s+" + _NUMBER + r"(?:" + _INHABITANTS + r")?\s+et\s+" + _NUMBER + _INHABITANTS),
     lambda low, high: (low, high)),
    (re.compile(r"\bde\s+" + _NUMBER + r"(?:" + _INHABITANTS + r")?\s+(?:à|a)\s+" + _NUMBER + _INHABITANTS),
     lambda low, high: (low, high)),
    # moins de 3 500 habitants, inférieure à 10 000 habitants (strict), inférieure ou égale à (inclusive)
    (re.compile(r"(?:moins\s+de|inf[ée]rieure?s?\s+à|<)\s*" + _NUMBER + _INHABITANTS),
     lambda value: (None, value - 1)),
    (re.compile(r"(?:inf[ée]rieure?s?\s+ou\s+[ée]gale?s?\s+à|<=|≤|jusqu'à|jusqu’à|jusqu'a|au\s+plus|"
                r"au\s+maximum|n'exc[ée]dant\s+pas|n’exc[ée]dant\s+pas|n'exc[èe]de\s+pas|n’exc[èe]de\s+pas|"
                r"ne\s+d[ée]passant\s+pas|ne\s+d[ée]passe\s+pas|maximum\s+de|plafonn[ée]e?\s+à)\s*"
                + _NUMBER + _INHABITANTS),
     lambda value: (None, value)),
    (re.compile(_NUMBER + _INHABITANTS + r"\s+(?:au\s+plus|maximum|au\s+maximum)\b"),
     lambda value: (None, value)),
    # plus de 10 000 habitants, supérieure à (strict), au moins / à partir de / supérieure ou égale à
    (re.compile(r"(?:(?<!au )(?<!le )plus\s+de|sup[ée]rieure?s?\s+à|au-del[àa]\s+de|>)\s*" + _NUMBER + _INHABITANTS),
     lambda value: (value + 1, None)),
    (re.compile(r"(?:au\s+moins|à\s+partir\s+de|a\s+partir\s+de|sup[ée]rieure?s?\s+ou\s+[ée]gale?s?\s+à|>=|≥|"
                r"minimum\s+de)\s*" + _NUMBER + _INHABITANTS),
     lambda value: (value, None)),
    (re.compile(_NUMBER + _INHABITANTS + r"\s+(?:et\s+plus|ou\s+plus|et\s+au-del[àa]|minimum|au\s+moins)\b"),
     lambda value: (value, None)),
)
# Who a condition is about: the last of these nouns before it ("syndicats de communes" are groupings).
_SUBJECTS = re.compile(r"\b(?P<group>(?:syndicats?|groupements?|communaut[ée]s?)\s+(?:de\s+|d')communes|epci|"
                       r"intercommunalit[ée]s?|d[ée]partements?|r[ée]gions?|unit[ée]s?\s+urbaines?|"
                       r"agglom[ée]rations?|m[ée]tropoles?)\b|\b(?P<town>communes?|villes?|bourgs?|villages?|"
                       r"municipalit[ée]s?)\b")


def _about_towns(text: str, position: int) -> bool:
    subjects = list(_SUBJECTS.finditer(text[max(0, position - 100):position]))
    return bool(subjects) and subjects[-1].group("town") is not None


def _population_text(text: str) -> str:
    return _SPACES.sub(" ", plain_text(text).lower().replace("’", "'"))


def _number(text: str) -> int:
    return int(re.sub(r"[ \u00a0\u202f.]", "", text))


def population_conditions(text: str | None) -> list[tuple[int | None, int | None, int]]:
    """Every town-size condition of a text: (min, max, position)."""
    return _conditions(_population_text(text)) if text else []


def _conditions(text: str) -> list[tuple[int | None, int | None, int]]:
    """``population_conditions`` of a text already through ``_population_text``."""
    conditions, taken = [], []
    for pattern, read in _POPULATION_RULES:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # a wider rule already read this stretch ("entre 2 000 et ..." before "2 000 ...")
            values = [_number(group) for group in match.groups()]
            low, high = read(*values)
            if low is not None and high is not None and low > high:
                continue
            taken.append((match.start(), match.end()))
            conditions.append((low, high, match.start()))
    return conditions


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")
# A size that earns priority or a bonus is no eligibility rule.
_PREFERENCE = re.compile(r"prioritaires?|priorit[ée]|bonification|bonifi[ée]|major[ée]e?s?\b|majoration", re.IGNORECASE)
_EXCLUSION = re.compile(r"(ne\s+sont\s+pas\s+[ée]ligibles?|n['’]est\s+pas\s+[ée]ligible|sont\s+exclu|"
                        r"[àa]\s+l['’]exclusion|hors\s+communes?|sauf\s+les)", re.IGNORECASE)


def _sentences(text: str):
    """(offset, sentence) of each sentence of a text."""
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        yield start, text[start:boundary.start()]
        start = boundary.end()
    yield start, text[start:]


def _union(ranges) -> tuple[int | None, int | None]:
    lows = [item[0] for item in ranges]
    highs = [item[1] for item in ranges]
    return (None if None in lows else min(lows)), (None if None in highs else max(highs))


def population_range(text: str | None) -> tuple[int | None, int | None]:
    """The population condition of French eligibility text: ``(population_min, population_max)``.

    "communes de moins de 3 500 habitants" → (None, 3499); "entre 2 000 et 20 000 habitants" →
    (2000, 20000); "d'au moins 5 000 habitants" → (5000, None); "50 000 habitants et plus" →
    (50000, None). Only numbers followed by "habitants" count: euros, jobs, projects and years do
    not. The text is read sentence by sentence: a size that earns priority or a bonus
    ("prioritaires", "bonification") is no rule, and an exclusion ("les villes de 50 000
    habitants et plus ne sont pas éligibles") turns its condition around. Several conditions
    give their union; conditions about towns (communes, villes ...) win over others (EPCI,
    départements) when both appear.
    """
    if not text:
        return None, None
    plain = _population_text(text)
    rules = []  # (min, max, about towns) of each sentence that sets a rule
    for offset, sentence in _sentences(plain):
        conditions = _conditions(sentence)
        if not conditions or _PREFERENCE.search(sentence):
            continue
        about_towns = [item for item in conditions if _about_towns(plain, offset + item[2])]
        low, high = _union(about_towns or conditions)
        if low is None and high is None:
            continue
        if _EXCLUSION.search(sentence):
            if high is None:
                low, high = None, low - 1
            elif low is None:
                low, high = high + 1, None
            else:
                continue  # "except between A and B": no single range says it
        rules.append((low, high, bool(about_towns)))
    if not rules:
        return None, None
    return _union([rule for rule in rules if rule[2]] or rules)
