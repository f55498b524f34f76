"""The town-size condition of French eligibility text (``population_range``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


_SENTENCE_END = re.compile(r"(?<=[.;!?])(?<!\bhab\.)\s+|\n+")  # « 5 000 hab. sous condition » goes on
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
                        r"[àa]\s+l['’]exclusion|hors\s+(?:les\s+)?(?:communes?|villes?|agglom[ée]rations?|"
                        r"unit[ée]s?\s+urbaines?|m[ée]tropoles?)\s+de|sauf\s+les)", re.IGNORECASE)
# A size that exempts someone from an obligation is no rule of who may apply (« cette obligation
# ne s'applique pas aux salariés : … domiciliés dans un ressort de moins de 50 000 habitants »).
_DEROGATION = re.compile(r"ne\s+s'applique(?:nt)?\s+pas|\bobligations?\b|d[ée]rogations?|\bdispens[ée]", re.IGNORECASE)


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


# Criteria the programme adds that no shipped list can check (guichet.programmes.conditions.CRITERIA),
# read only where they restrict who may apply: « dont le potentiel financier par habitant ne
# dépasse pas … », « sous condition d'effort fiscal », « éligibles à la DSU »; never where they
# set a rate (« 40 %, 45 % ou 50 % selon le potentiel financier et l'effort fiscal »).
_CRITERION_WORDS = (
    ("potentiel-financier", r"potentiel\s+financier"),
    ("effort-fiscal", r"effort\s+fiscal"),
    ("revenu-par-habitant", r"revenu\s+(?:moyen\s+|fiscal\s+)?par\s+habitant"),
    ("dsu", r"dotation\s+de\s+solidarit[ée]\s+urbaine|\bdsu\b"),
)
_CRITERION = re.compile("|".join(f"(?P<{slug.replace('-', '_')}>{words})" for slug, words in _CRITERION_WORDS))
_CRITERION_BEFORE = re.compile(r"(?:\bdont\s+(?:le|la|l')\s*|sous\s+conditions?\s+(?:de\s+|d')(?:leur\s+|son\s+)?|"
                               r"[ée]ligibles?\s+(?:à|a)\s+(?:la\s+)?|b[ée]n[ée]ficiaires?\s+de\s+la\s+)$")
_CRITERION_AFTER = re.compile(r"^[^.;]{0,80}?(?:inf[ée]rieure?|sup[ée]rieure?|ne\s+d[ée]pass|n'exc[èée]d|d[ée]passant|"
                              r"au\s+moins|au\s+plus|fois\s+(?:la|le)\s+moyen)")
_MODULATION = re.compile(r"(?:selon|en\s+fonction\s+d[eu']|modul[ée]e?s?\s+(?:par|selon)|pond[ée]r[ée]e?s?\s+par|"
                         r"compte\s+tenu\s+d[eu'])\s*(?:le\s+|la\s+|l'|du\s+|de\s+la\s+)?$")
# « sous condition » that names nothing we know: the band is still « sous condition ».
_UNNAMED_CONDITION = re.compile(r"\bsous\s+conditions?\b")
# « (3 500 en outre-mer) » after a bound: the overseas départements' own figure.
_OVERSEAS_FIGURE = re.compile(r"\(\s*" + _NUMBER + r"(?:\s*habitants?|\s*hab\.?)?\s+(?:en|dans\s+les\s+"
                              r"d[ée]partements\s+d')\s*outre-mer\s*\)")


def _criteria_in(text: str) -> list[tuple[str, int]]:
    """(slug, position) of each criterion stated as a restriction in ``text``."""
    found = []
    for match in _CRITERION.finditer(text):
        slug = next(slug for slug, _words in _CRITERION_WORDS if match.group(slug.replace("-", "_")))
        before = text[max(0, match.start() - 40):match.start()]
        if _MODULATION.search(before):
            continue
        if _CRITERION_BEFORE.search(before) or _CRITERION_AFTER.match(text[match.end():]):
            found.append((slug, match.start()))
    return found


def _introduction(fragments, index: int) -> str:
    """The sentence that introduces the list item ``index`` belongs to (« … ne s'applique pas
    aux salariés : »), or ""."""
    for _offset, sentence in reversed(fragments[max(0, index - 4):index]):
        if sentence.rstrip().endswith(":"):
            return sentence
    return ""


def _without_criteria(text: str) -> str:
    """``text`` without each restrictive criterion and its threshold, up to the clause's end."""
    for _slug, position in reversed(_criteria_in(text)):
        end = re.compile(r"[;.]|$").search(text, position).start()
        text = text[:position] + text[end:]
    return text


@dataclass(frozen=True)
class PopulationRule:
    """What a text says of town size: the programme's widest range (``minimum``, ``maximum``:
    what search filters by), its bands when it states several or one « sous condition »
    (``bands``, the record's ``population_bands``) and the criteria it adds (``criteria``)."""

    minimum: int | None = None
    maximum: int | None = None
    bands: tuple = ()
    criteria: tuple = ()

    @property
    def range(self) -> tuple[int | None, int | None]:
        return self.minimum, self.maximum


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
    2 000 ») and symbols (« communes < 5 000 hab. ») count; of alternatives the widest wins
    (``population_rule`` keeps each alternative as a band).
    """
    return population_rule(text).range


def population_rule(text: str | None) -> PopulationRule:
    """``population_range`` with the bands and criteria of the text (``PopulationRule``).

    « les communes de 2 000 habitants au plus (3 500 en outre-mer) ; les communes de 2 000 à
    20 000 habitants (35 000 en outre-mer) dont le potentiel financier par habitant ne dépasse
    pas … » → widest (None, 20000); bands up to 2 000, 2 000 to 20 000 « sous condition »
    potentiel-financier, and their overseas twins up to 3 500 and 35 000.
    """
    if not text:
        return PopulationRule()
    plain = _population_text(text)
    rules = []  # (min, max, about towns) of each sentence that sets a rule
    bands = []  # (min, max, criterion, overseas figure, about towns) of each alternative
    criteria = []
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
        stated = [] if _PREFERENCE.search(sentence) or _EXAMPLE.search(sentence) else _criteria_in(sentence)
        # The overseas figures are read apart, and blanked so that no rule reads them.
        overseas = [(match.start(), _number(match.group(1))) for match in _OVERSEAS_FIGURE.finditer(sentence)]
        sentence = _OVERSEAS_FIGURE.sub(lambda match: " " * len(match.group(0)), sentence)
        conditions = _ranges(_conditions(sentence, with_ends=True), sentence)
        if conditions and _DEROGATION.search(_introduction(fragments, index) + " " + sentence):
            continue
        if not conditions:
            criteria.extend(slug for slug, _position in stated if _RESTRICTION.search(sentence) or
                            re.search(r"\b(?:communes?|collectivit[ée]s?)\b", sentence))
            continue
        if _PREFERENCE.search(sentence) or _EXAMPLE.search(sentence):
            continue
        # A criterion's own threshold (« 1,3 fois la moyenne de leur strate ») is no amount tier.
        context = _without_criteria(context)
        tier = _TIER.search(context) or len(_AMOUNTS.findall(context)) >= 2
        if tier and not _RESTRICTION.search(sentence) and not stated:
            continue
        about_towns = [item for item in conditions if _about_towns(plain, offset + item[2])]
        chosen = about_towns or conditions
        low, high = _union(chosen)
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
            continue
        rules.append((low, high, bool(about_towns)))
        starts = [item[2] for item in conditions] + [len(sentence)]
        for item in chosen:
            end = min(start for start in starts if start > item[2])
            stretch = sentence[item[2]:end]
            named = [slug for slug, position in stated if item[2] <= position < end]
            criterion = named[0] if named else ("autre" if _UNNAMED_CONDITION.search(stretch) else None)
            figure = next((value for position, value in overseas if item[2] <= position < end), None)
            bands.append((item[0], item[1], criterion, figure, bool(about_towns)))
        criteria.extend(slug for slug, position in stated if position < conditions[0][2])
    if not rules:
        return PopulationRule(criteria=tuple(dict.fromkeys(criteria)))
    towns_only = any(rule[2] for rule in rules)
    low, high = _union([rule for rule in rules if rule[2]] or rules)
    bands = [band for band in bands if band[4] or not towns_only]
    named = [band[2] for band in bands if band[2]]
    criteria = list(dict.fromkeys(criteria + named))
    if not named and not any(band[3] is not None for band in bands):
        return PopulationRule(low, high, (), tuple(criteria))  # one plain rule: no bands needed
    records = _band_records(bands)
    metropolitan = [band for band in records if not band["overseas"]]
    if _union([(band["min"], band["max"]) for band in metropolitan]) != (low, high):
        return PopulationRule(low, high, (), tuple(criteria))  # another sentence changed the rule: no bands
    return PopulationRule(low, high, records, tuple(criteria))


def _band_records(bands) -> tuple:
    """The record's ``population_bands``: each alternative, and its overseas twin when the text
    gives one (« (35 000 en outre-mer) »: the overseas band starts after the overseas band below)."""
    metropolitan, overseas = [], []
    ordered = sorted(bands, key=lambda band: (band[0] or 0, band[1] if band[1] is not None else float("inf")))
    for low, high, criterion, figure, _towns in ordered:
        # « 2 000 habitants au plus » then « de 2 000 à 20 000 »: the second starts above the first.
        if metropolitan and low is not None and metropolitan[-1]["max"] == low:
            low += 1
        metropolitan.append({"min": low, "max": high, "criterion": criterion, "overseas": False})
        if figure is not None:
            # « moins de 2 000 habitants (3 500 en outre-mer) »: the figure is as strict as the bound.
            if high is not None and (high + 1) % 100 == 0:
                figure -= 1
            start = low
            if overseas and low is not None and overseas[-1]["max"] is not None:
                start = overseas[-1]["max"] + 1
            overseas.append({"min": start, "max": figure, "criterion": criterion, "overseas": True})
    if overseas and len(overseas) < len(metropolitan):
        overseas = []  # figures for only some bands: the overseas rule is not fully stated
    return tuple(metropolitan + overseas)
