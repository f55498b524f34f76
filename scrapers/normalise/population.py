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
    # labelled forms: « seuil de population : 10 000 habitants maximum », « population minimale requise : 2 000 »
    (re.compile(r"population\s+(?:minimale|minimum|plancher)(?:\s+requise)?\s*:?\s*(?:de\s+)?" + _NUMBER),
     lambda value: (value, None)),
    (re.compile(r"(?:population\s+(?:maximale|maximum|plafond)(?:\s+autoris[ée]e)?|(?:seuil|plafond)\s+de\s+"
                r"population)\s*:?\s*(?:de\s+)?" + _NUMBER),
     lambda value: (None, value)),
    # symbols after a word about size: « communes < 5 000 », « population ≥ 20 000 »
    (re.compile(r"(?:communes?|villes?|population|pop\.?)\s*(?:de\s+)?(?:<=|≤)\s*" + _NUMBER), lambda value: (None, value)),
    (re.compile(r"(?:communes?|villes?|population|pop\.?)\s*(?:de\s+)?<\s*" + _NUMBER), lambda value: (None, value - 1)),
    (re.compile(r"(?:communes?|villes?|population|pop\.?)\s*(?:de\s+)?(?:>=|≥)\s*" + _NUMBER), lambda value: (value, None)),
    (re.compile(r"(?:communes?|villes?|population|pop\.?)\s*(?:de\s+)?>\s*" + _NUMBER), lambda value: (value + 1, None)),
)
# Bounds without the word « habitants », read only in a sentence that says « habitants » elsewhere
# (« communes de moins de 2 000, ainsi que de 2 000 à 20 000 habitants », « plus de 2 000 et moins de 10 000 habitants »).
_UNITLESS_RULES = (
    (re.compile(r"\bentre\s+" + _NUMBER + r"\s+et\s+" + _NUMBER + r"(?![\d%€])(?!\s*(?:%|€|euros?|ans?\b|m|km))"),
     lambda low, high: (low, high)),
    (re.compile(r"\bde\s+" + _NUMBER + r"\s+(?:à|a)\s+" + _NUMBER + r"(?![\d%€])(?!\s*(?:%|€|euros?|ans?\b|m|km))"),
     lambda low, high: (low, high)),
    (re.compile(r"(?:moins\s+de|inf[ée]rieure?s?\s+à|<)\s*" + _NUMBER + r"(?![\d%€])(?!\s*(?:%|€|euros?|ans?\b|m|km|dossiers?|projets?))"),
     lambda value: (None, value - 1)),
    (re.compile(r"(?:(?<!au )(?<!le )plus\s+de|sup[ée]rieure?s?\s+à|>)\s*" + _NUMBER + r"(?![\d%€])(?!\s*(?:%|€|euros?|ans?\b|m|km|dossiers?|projets?))"),
     lambda value: (value + 1, None)),
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


def _conditions(text: str, with_ends: bool = False) -> list[tuple]:
    """``population_conditions`` of a text already through ``_population_text``."""
    conditions, taken = [], []
    rules = _POPULATION_RULES + (_UNITLESS_RULES if re.search(r"\bhab(?:itants?)?\b", text) else ())
    for pattern, read in rules:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # a wider rule already read this stretch ("entre 2 000 et ..." before "2 000 ...")
            values = [_number(group) for group in match.groups()]
            low, high = read(*values)
            if low is not None and high is not None and low > high:
                continue
            if _in_sub_item(text, match.start()):
                continue
            taken.append((match.start(), match.end()))
            conditions.append((low, high, match.start(), match.end()) if with_ends else (low, high, match.start()))
    conditions.sort(key=lambda item: item[2])
    return conditions


# The applicant nouns: a parenthesis right after one of them states who may apply.
_APPLICANT_END = re.compile(r"(?:communes?|villes?|collectivit[ée]s?|epci|bourgs?|villages?|b[ée]n[ée]ficiaires?|"
                            r"municipalit[ée]s?|territoires?|candidats?|porteurs?)(?:\s+\w+)?\s*$")


def _in_sub_item(text: str, position: int) -> bool:
    """A condition in parentheses after something other than the applicant restricts that one
    item (« les études AMO (uniquement pour les communes de moins de 5 000 habitants) »)."""
    opening, closing = text.rfind("(", 0, position), text.rfind(")", 0, position)
    if opening < 0 or closing > opening:
        return False
    return not _APPLICANT_END.search(text[max(0, opening - 40):opening])


def _ranges(conditions, sentence: str) -> list[tuple]:
    """« plus de 2 000 et moins de 10 000 habitants »: a lower and an upper bound joined by
    « et » make one range."""
    merged, skip = [], False
    for index, item in enumerate(conditions):
        if skip:
            skip = False
            continue
        following = conditions[index + 1] if index + 1 < len(conditions) else None
        if following is not None and re.fullmatch(r"[\s,]*(?:habitants?|hab\.?)?[\s,]*(?:et|mais)\s+(?:de\s+|d')?",
                                                  sentence[item[3]:following[2]]):
            bounds = [value for value in (item[0], following[0]) if value is not None], \
                     [value for value in (item[1], following[1]) if value is not None]
            if len(bounds[0]) == 1 and len(bounds[1]) == 1 and bounds[0][0] <= bounds[1][0]:
                merged.append((bounds[0][0], bounds[1][0], item[2]))
                skip = True
                continue
        merged.append(item[:3])
    return merged


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")
# A size that earns priority or a bonus is no eligibility rule.
_PREFERENCE = re.compile(r"prioritaires?|priorit[ée]|bonification|bonifi[ée]|major[ée]e?s?\b|majoration|bonus|"
                         r"en\s+priorit[ée]|privil[ée]gi[ée]", re.IGNORECASE)
# A size that sets a rate, an amount or a quota is a tier of the aid, not who may apply ...
_TIER = re.compile(r"\bport[ée]e?\s+à|\btaux\s+(?:de\s+)?(?:\d+\s*%\s+)?(?:est\s+)?(?:major|bonifi|port|augment|sup[ée]rieur)|"
                   r"suppl[ée]mentaire|au\s+lieu\s+de|\bpoints?\b|\btranches?\b|\bplafonds?\s+(?:de\s+)?(?:l'aide|d'aide|"
                   r"de\s+subvention|est)|dossiers?\s+par\b|\bpar\s+(?:commune|an|collectivit[ée])\b|"
                   r"\bquotas?\b|\bforfait|\bselon\s+la\s+(?:taille|population|strate)|\bstrates?\b", re.IGNORECASE)
# ... unless the sentence says plainly that it restricts who may apply.
_RESTRICTION = re.compile(r"r[ée]serv[ée]e?s?|\b[ée]ligibles?|peuvent\s+(?:b[ée]n[ée]ficier|candidater|d[ée]poser|"
                          r"pr[ée]tendre|solliciter|r[ée]pondre)|ouverte?s?\s+(?:aux|uniquement|exclusivement)|"
                          r"destin[ée]e?s?\s+aux|s'adresse|uniquement|seule?s|exclusivement|b[ée]n[ée]ficiaires?\s*:",
                          re.IGNORECASE)
# A figure that describes a town that obtained the aid is an example, not a rule.
_EXAMPLE = re.compile(r"\bexemples?\b|\ba\s+(?:obtenu|b[ée]n[ée]fici[ée]|re[çc]u)|t[ée]moignage",
                      re.IGNORECASE)
_AMOUNTS = re.compile(r"\d\s*%|\d\s*(?:€|euros?\b|k€|m€)")
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
    départements) when both appear. Sizes that only set a rate, an amount tier or a quota
    (« taux porté à 60 % pour les communes de moins de 2 000 habitants »), that describe an
    example, or that restrict one sub-item in parentheses are no condition of the programme;
    two bounds joined by « et » make a range; labelled forms (« population minimale requise :
    2 000 ») and symbols (« communes < 5 000 hab. ») count; of alternatives the widest wins.
    """
    if not text:
        return None, None
    plain = _population_text(text)
    rules = []  # (min, max, about towns) of each sentence that sets a rule
    fragments = list(_sentences(plain))
    for index, (offset, sentence) in enumerate(fragments):
        # « Taux de base 30 % ; 50 % pour les communes de moins de … », « Communes de moins de
        # 3 500 habitants : 50 % ; autres communes : 30 % »: clauses joined by a semicolon
        # belong to one comparison.
        context = sentence
        if index and plain[max(0, offset - 3):offset].strip() == ";":
            context = fragments[index - 1][1] + " " + context
        if index + 1 < len(fragments):
            following = fragments[index + 1][0]
            if plain[offset + len(sentence):following].strip() == "" and sentence.rstrip().endswith(";"):
                context = context + " " + fragments[index + 1][1]
        conditions = _ranges(_conditions(sentence, with_ends=True), sentence)
        if not conditions or _PREFERENCE.search(sentence) or _EXAMPLE.search(sentence):
            continue
        tier = _TIER.search(context) or len(_AMOUNTS.findall(context)) >= 2
        if tier and not _RESTRICTION.search(sentence):
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
