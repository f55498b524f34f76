"""Normalisation shared by every source: from what a source says to the programme record.

HTML is sanitised (nh3), summaries are plain text, French dates become dates, funders get one
spelling, places become INSEE codes, and audiences, aid types, themes and recurrence are
mapped onto DESIGN.md's values. ``population_range`` reads the town-size condition from
French eligibility text.
"""

from __future__ import annotations

import html as html_module
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import nh3

from guichet.geo import DEPARTMENTS, REGIONS
from guichet.programmes.themes import KEYWORD_RULES, expand, map_aides_territoires_categories
from guichet.text import fold, match_key
from guichet.text import terms as analyse

PARIS = ZoneInfo("Europe/Paris")

# -- HTML and text ---------------------------------------------------------------------------

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a", "h2", "h3", "h4", "h5", "h6",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
_BLOCK_BOUNDARY = re.compile(r"(?i)<\s*(br|/p|/li|/h[1-6]|/div|/tr|/td|/th|/blockquote|p|li|h[1-6]|div|tr)\b[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f]+")


def sanitise_html(value: str | None) -> str:
    """Only harmless markup stays: no scripts, styles, event handlers or foreign attributes;
    links get ``rel="noopener noreferrer"``; headings h1 become h2 (the page has its own h1)."""
    if not value:
        return ""
    value = re.sub(r"(?is)<h1\b[^>]*>(.*?)</h1>", r"<h2>\1</h2>", str(value))
    cleaned = nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                        url_schemes={"http", "https", "mailto", "tel"}, strip_comments=True)
    cleaned = re.sub(r"<p>(\s|&nbsp;|<br>)*</p>", "", cleaned)
    return cleaned.strip()


def plain_text(value: str | None) -> str:
    """Text of an HTML fragment (or of text with entities): tags dropped, entities decoded,
    blocks separated by line breaks, spaces collapsed."""
    if not value:
        return ""
    value = _BLOCK_BOUNDARY.sub("\n", str(value))
    value = nh3.clean(value, tags=set(), strip_comments=True)
    value = html_module.unescape(value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return "\n".join(line for line in lines if line)


def summary(value: str | None, limit: int = 320) -> str:
    """A plain-text summary of at most ``limit`` characters, cut after a sentence or a word."""
    text = " ".join(plain_text(value).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind(" ; "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end >= limit // 2:
        return cut[:sentence_end + 1].strip()
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def clean_url(value: str | None) -> str | None:
    """URLs as sources type them: ``https: //host`` (a space after the scheme, seen at ADEME
    and the Ministry of Culture), surrounding spaces."""
    if not value:
        return None
    value = re.sub(r"^(https?):\s*//", r"\1://", str(value).strip())
    return value if re.match(r"^https?://\S+$", value) else None


# -- dates -----------------------------------------------------------------------------------

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
            from datetime import timedelta

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


# -- population ------------------------------------------------------------------------------

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


# -- rates -----------------------------------------------------------------------------------

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


# -- funders and places ----------------------------------------------------------------------

# One spelling per funder: folded variants (see ``_key``) → the spelling shown to people.
FUNDERS = {
    "etat": "État", "l'etat": "État", "etat francais": "État", "gouvernement": "État", "prefecture": "État",
    "ademe": "ADEME", "agence de la transition ecologique": "ADEME",
    "agence de l'environnement et de la maitrise de l'energie": "ADEME", "ademe agence de la transition ecologique": "ADEME",
    "anct": "ANCT", "agence nationale de la cohesion des territoires": "ANCT",
    "banque des territoires": "Banque des Territoires", "caisse des depots": "Banque des Territoires",
    "caisse des depots et consignations": "Banque des Territoires", "bpifrance": "Bpifrance", "bpi france": "Bpifrance",
    "ministere de la culture": "Ministère de la Culture", "ministere de la culture et de la communication": "Ministère de la Culture",
    "union europeenne": "Union européenne", "commission europeenne": "Union européenne",
    "european commission": "Union européenne", "ue": "Union européenne", "european union": "Union européenne",
    "anah": "Anah", "agence nationale de l'habitat": "Anah", "cerema": "Cerema",
    "agence nationale du sport": "Agence nationale du Sport", "ans": "Agence nationale du Sport",
    "action logement": "Action Logement", "ofb": "Office français de la biodiversité",
    "office francais de la biodiversite": "Office français de la biodiversité",
}
_REGION_BY_KEY = {}
_DEPARTMENT_BY_KEY = {}


def _key(value: str) -> str:
    return match_key(value, apostrophes=True)


def _place_tables():
    if not _REGION_BY_KEY:
        for code, name in REGIONS.items():
            _REGION_BY_KEY[_key(name)] = code
        for code, (name, _region) in DEPARTMENTS.items():
            _DEPARTMENT_BY_KEY[_key(name)] = code
        _REGION_BY_KEY.update({"ile de france": "11", "idf": "11", "paca": "93", "sud": "93",
                               "region sud": "93", "reunion": "04"})


_ARTICLE = r"(?:de la |de l'|du |des |de |d')?"


def normalise_funder(name: str | None) -> str | None:
    """One spelling per funder: "ADEME - Agence de la transition écologique" → "ADEME",
    "Conseil régional d'Île-de-France" → "Région Île-de-France", "Conseil Départemental de la
    Drôme" → "Département de la Drôme"."""
    if not name or not str(name).strip():
        return None
    name = " ".join(str(html_module.unescape(name)).split())
    key = _key(name)
    if key in FUNDERS:
        return FUNDERS[key]
    for variant, spelling in FUNDERS.items():
        if key.startswith(variant + " ") and len(variant) > 3:
            return spelling
    _place_tables()
    match = re.match(r"^(?:conseil regional|region|collectivite)\s+" + _ARTICLE + r"(.+)$", key)
    if match and match.group(1) in _REGION_BY_KEY:
        return f"Région {REGIONS[_REGION_BY_KEY[match.group(1)]]}"
    match = re.match(r"^(?:conseil departemental|conseil general|departement)\s+(" + _ARTICLE + r")(.+)$", key)
    if match and match.group(2) in _DEPARTMENT_BY_KEY:
        # The source's own article is kept ("de la Drôme", "du Nord", "de l'Ain"): names decide it.
        article = match.group(1).strip()
        article = f"{article}" if article.endswith("'") else (f"{article} " if article else "")
        return f"Département {article}{DEPARTMENTS[_DEPARTMENT_BY_KEY[match.group(2)]][0]}"
    return name


def places(names) -> tuple[list[str], list[str]]:
    """Region and département names (or INSEE codes) → (region codes, department codes).
    "France entière", "National", "Europe" restrict nothing."""
    _place_tables()
    regions, departments = [], []
    for raw in names or []:
        if raw is None:
            continue
        value = str(raw).strip()
        key = _key(value).removeprefix("region ").removeprefix("departement ")
        key = re.sub(r"^(?:de la|de l'|du|des|de) ", "", key)
        if value.upper() in DEPARTMENTS and not value.isalpha():
            departments.append(value.upper())
            continue
        if key in _DEPARTMENT_BY_KEY:
            code = _DEPARTMENT_BY_KEY[key]
            departments.append(code)
            if key in _REGION_BY_KEY:  # single-département overseas regions (Mayotte, Guyane ...)
                regions.append(_REGION_BY_KEY[key])
        elif key in _REGION_BY_KEY:
            regions.append(_REGION_BY_KEY[key])
    return list(dict.fromkeys(regions)), list(dict.fromkeys(departments))


# -- audiences, aid types, recurrence, themes ------------------------------------------------

# Folded labels and codes seen at the sources → values of guichet.programmes.vocabulary
# (BENEFICIARIES, AID_TYPES, RECURRENCES, LEVELS; the record check refuses any other).
_BENEFICIARY_WORDS = (
    (("commune", "communes", "mairie", "municipalite", "collectivites territoriales et leurs groupements",
      "collectivites", "collectivite", "collectivites locales"), "commune"),
    (("epci", "intercommunalite", "intercommunalites", "intercommunalites pays", "epci a fiscalite propre",
      "groupements de collectivites", "syndicat", "syndicats", "petr", "pays", "metropole"), "epci"),
    (("department", "departement", "departements", "conseil departemental"), "departement"),
    (("region", "regions", "conseil regional"), "region"),
    (("association", "associations", "fondation", "fondations", "association fondation"), "association"),
    (("private_sector", "entreprise", "entreprises", "entreprises privees", "pme", "tpe", "eti",
      "start up", "startup", "industriel"), "entreprise"),
    (("public_org", "public_cies", "etablissements publics", "etablissement public", "special",
      "etablissements publics ecoles bibliotheques services de l'etat", "services de l'etat",
      "etablissements publics ecoles bibliotheques", "entreprises publiques locales", "sem", "spl",
      "etablissements d'enseignement superieur", "ecoles d'enseignement superieur culture",
      "collectivites d'outre mer a statuts particuliers"), "etablissement_public"),
    (("private_person", "particulier", "particuliers"), "particulier"),
    (("farmer", "agriculteur", "agriculteurs"), "agriculteur"),
    (("researcher", "recherche", "chercheur", "chercheurs", "laboratoires", "organismes de recherche"), "recherche"),
    (("bailleurs sociaux", "bailleur social"), "bailleur_social"),
)
_BENEFICIARY_BY_KEY = {_key(word): value for words, value in _BENEFICIARY_WORDS for word in words}


def beneficiaries(values) -> list[str]:
    """Audiences as the sources name them (codes or labels) → DESIGN.md beneficiaries."""
    found = []
    for raw in values or []:
        if isinstance(raw, dict):
            raw = raw.get("title") or raw.get("name") or raw.get("label") or ""
        key = _key(str(raw))
        value = _BENEFICIARY_BY_KEY.get(key)
        if value is None:
            for word, candidate in _BENEFICIARY_BY_KEY.items():
                if len(word) > 4 and (key.startswith(word + " ") or key.startswith(word)):
                    value = candidate
                    break
        if value and value not in found:
            found.append(value)
    return found


_AID_TYPE_BY_KEY = {
    "grant": "subvention", "subvention": "subvention", "subventions": "subvention", "aide financiere": "subvention",
    "gag": "subvention", "aap": "subvention", "cee": "autre", "certificat d'economie d'energie": "autre",
    "certificat d'economie d'energie cee": "autre",
    "loan": "pret", "pret": "pret", "prets": "pret", "pret a taux zero": "pret",
    "recoverable_advance": "avance_remboursable", "avance recuperable": "avance_remboursable",
    "avance remboursable": "avance_remboursable",
    "technical_engineering": "ingenierie", "financial_engineering": "ingenierie",
    "legal_engineering": "ingenierie", "ingenierie technique": "ingenierie", "ingenierie financiere": "ingenierie",
    "ingenierie juridique administrative": "ingenierie", "ingenierie": "ingenierie", "accompagnement": "ingenierie",
    "garantie": "garantie", "guarantee": "garantie", "other": "autre", "autre aide financiere": "autre",
    "autre": "autre", "autre aide": "autre",
}


_AID_TYPE_BY_KEY = {_key(word): value for word, value in _AID_TYPE_BY_KEY.items()}


def aid_types(values) -> list[str]:
    found = []
    for raw in values or []:
        if isinstance(raw, dict):
            raw = raw.get("name") or raw.get("title") or ""
        value = _AID_TYPE_BY_KEY.get(_key(str(raw)))
        if value is None and str(raw).strip():
            value = "autre"
        if value and value not in found:
            found.append(value)
    return found


_RECURRENCE_BY_KEY = {
    "oneoff": "ponctuelle", "ponctuelle": "ponctuelle", "ponctuel": "ponctuelle",
    "ongoing": "permanente", "permanente": "permanente", "permanent": "permanente", "au fil de l'eau": "permanente",
    "recurring": "recurrente", "recurrente": "recurrente", "recurrent": "recurrente", "annuelle": "recurrente",
}


_RECURRENCE_BY_KEY = {_key(word): value for word, value in _RECURRENCE_BY_KEY.items()}


def recurrence(value) -> str | None:
    if not value:
        return None
    return _RECURRENCE_BY_KEY.get(_key(str(value)))


def themes_from_categories(categories) -> list[str]:
    """Aides-territoires-style categories onto our taxonomy (sub-themes imply their theme)."""
    return expand(map_aides_territoires_categories(categories))


@lru_cache(maxsize=1)
def _keyword_phrases() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    return tuple((slug, tuple(tuple(analyse(word)) for word in words if analyse(word)))
                 for slug, words in KEYWORD_RULES.items())


def themes_from_text(*texts, rules: dict | None = None) -> list[str]:
    """Keyword rules (``KEYWORD_RULES`` unless ``rules`` is given) matched on analysed words,
    for sources without categories."""
    tokens = analyse(" ".join(text for text in texts if text))
    if not tokens:
        return []
    joined = " " + " ".join(tokens) + " "
    phrases_by_theme = _keyword_phrases() if rules is None else tuple(
        (slug, tuple(tuple(analyse(word)) for word in words if analyse(word))) for slug, words in rules.items())
    found = [slug for slug, phrases in phrases_by_theme
             if any(" " + " ".join(phrase) + " " in joined for phrase in phrases)]
    return expand(found)


# -- level and status ------------------------------------------------------------------------

_LEVEL_BY_SCALE = {
    "continent": "europe", "europe": "europe", "union europeenne": "europe",
    "pays": "national", "france": "national", "national": "national", "nationale": "national",
    "region": "regional", "regional": "regional", "departement": "departmental", "departemental": "departmental",
    "commune": "local", "epci": "local", "intercommunalite": "local", "adhoc": "local", "bassin hydrographique": "regional",
}


_LEVEL_BY_SCALE = {_key(word): value for word, value in _LEVEL_BY_SCALE.items()}


def level_from_scale(value, default: str) -> str:
    return _LEVEL_BY_SCALE.get(_key(str(value or "")), default)


def dedupe(values) -> list:
    return [value for value in dict.fromkeys(value for value in values if value)]

