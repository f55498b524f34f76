"""User input parsed once into a SearchQuery that every backend compiles its own way.

Parsing is where bad input stops: every error is an InvalidQuery carrying a French message
for the person who typed it (a 400 on pages and on the API, never a 500).
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Callable

from rapidfuzz.distance import Levenshtein

from guichet import geo
from guichet.programmes.vocabulary import DEFAULT_STATUSES, POPULATION_BANDS
from guichet.search.analysis import (ENGLISH_STOP_WORDS, STOP_WORDS, analyse, english_term, expand_synonyms, fold,
                                     index_term, thesaurus_phrases, words, written_words)
from guichet.search.params import (AID_PROGRAMME_PARAM, DEFAULT_PER_PAGE, FUNDER_FACET_SIZE, MAX_AMOUNT,
                                   MAX_FUNDER_LENGTH, MAX_PER_PAGE, MAX_POPULATION,
                                   MAX_TEXT_LENGTH, PARAMS_BY_NAME, SORTS, VOCABULARY_FILTERS, SearchParam)

# Words that are query syntax in FTS5: refused rather than silently changing the query.
_OPERATOR_WORDS = {"AND", "OR", "NOT", "NEAR"}
_SYNTAX_CHARACTERS = set('"*^{}[]')
_DEPARTMENT = re.compile(r"^(?:\d{2}|2A|2B|97\d)$", re.IGNORECASE)
_REGION = re.compile(r"^\d{2}$")


class InvalidQuery(ValueError):
    """A parameter a person gave is wrong; ``message`` says why, in French."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Clause:
    """One concept of the text: any of its phrases (each a tuple of analysed terms) matches.

    ``typed`` is the phrase the person typed (a synonym group lists it among the others).
    """

    phrases: tuple[tuple[str, ...], ...]
    typed: tuple[str, ...] = ()
    # The typed words analysed as English, searched in the English fields of English records;
    # empty for a single word of the thesaurus (« LED » is French lighting there, never the
    # « led » of « community-led ») and for English stop words.
    english: tuple[str, ...] = ()


# A programme matches when it covers this many of the query's concepts (at least one). The
# ranking puts more concepts first anyway; this only trims the long tail of one-word matches
# on long queries; nDCG@10 of bench/bench_relevance.py is the same (0.707) with 1, 2, n-1 or n-2.
def minimum_coverage(concepts: int) -> int:
    return 1 if concepts < 4 else concepts - 2


def clauses_of(tokens: list[str], english: list[str] | None = None) -> tuple[Clause, ...]:
    """Concepts of analysed French tokens; ``english``: the English term of each token ("" for
    none), kept for the concepts the thesaurus does not know."""
    clauses = []
    position = 0
    for phrases, size in expand_synonyms(tokens, with_sizes=True):
        english_phrase = ()
        # a single word of the thesaurus may be a false friend (« LED »); several words typed
        # together (« open data », « smart city ») mean the same in an English text
        if english is not None and (len(phrases) == 1 or size > 1):
            english_phrase = tuple(term for term in english[position:position + size] if term)
        position += size
        if any(clause.phrases == phrases and len(phrases) > 1 for clause in clauses):
            continue  # two words of one synonym group (« open data données publiques »): one concept
        clauses.append(Clause(phrases, tuple(tokens[position - size:position]), english_phrase))
    return tuple(clauses)


def analysed_tokens(text: str) -> tuple[list[str], list[str]]:
    """The French index terms of a query and, aligned, each word's English term ("" for an
    English stop word). English stop words stay French terms, as they always were: mayors
    type « click and collect », a term of the thesaurus."""
    tokens, english = [], []
    for word in written_words(text):
        term = index_term(word)
        if term is None:
            continue
        tokens.append(term)
        english.append("" if fold(word) in ENGLISH_STOP_WORDS else (english_term(word) or ""))
    return tokens, english


@lru_cache(maxsize=4096)
def corrected_phrases(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Near misses of the thesaurus's multi-word terms corrected (« eclairage publique »).

    A window of the words typed that is a small edit away from a thesaurus term, and does not
    already analyse to it, becomes that term as the thesaurus writes it. Returns the text to
    search and the (typed, corrected) pairs to tell the person.
    """
    typed = written_words(text)
    folded = [fold(word) for word in typed]
    corrections = []
    known = thesaurus_phrases()
    for phrase_folded, phrase_written in known.items():
        size = len(phrase_folded.split())
        for start in range(0, len(folded) - size + 1):
            window = " ".join(folded[start:start + size])
            if window == phrase_folded or len(window) < 8 or window in known:
                continue  # a term of the thesaurus itself (« feux de forêt ») is never corrected
            if Levenshtein.distance(window, phrase_folded) > max(1, len(phrase_folded) // 5):
                continue
            if analyse(window) == analyse(phrase_folded) or folded[start] in STOP_WORDS:
                continue
            corrections.append((" ".join(typed[start:start + size]), phrase_written))
    for wrong, right in corrections:
        text = re.sub(r"(?<!\w)" + r"\W+".join(re.escape(word) for word in wrong.split()) + r"(?!\w)", right,
                      text, count=1, flags=re.IGNORECASE)
    return text, tuple(corrections)


@dataclass(frozen=True)
class Eligibility:
    """What a commune can apply for: population, geography, beneficiary type, and the official
    lists and zonings it belongs to (territorial condition slugs, in full or in part)."""

    commune_code: str
    commune_name: str
    population: int | None
    department: str
    region: str
    beneficiaries: frozenset = frozenset({"commune", "epci"})
    territories: frozenset = frozenset()
    # Conditions met by part of the commune only: such programmes are shown, « à vérifier ».
    partial_territories: frozenset = frozenset()

    @property
    def any_territories(self) -> frozenset:
        return self.territories | self.partial_territories

    @property
    def overseas(self) -> bool:
        """In an overseas département: judged by a programme's overseas population bands."""
        return self.department in geo.OVERSEAS_DEPARTMENTS


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    clauses: tuple[Clause, ...] = ()
    # The text as searched when words were corrected (« éclairage public »), else None.
    corrected_text: str | None = None
    # Concepts a programme must cover; None: minimum_coverage() of the number of concepts.
    min_coverage: int | None = None
    themes: frozenset = frozenset()
    levels: frozenset = frozenset()
    aid_types: frozenset = frozenset()
    # {"true"}: calls for projects and AMI only (guichet.search.params.CALLS)
    calls: frozenset = frozenset()
    beneficiaries: frozenset = frozenset()
    # Names of aid programmes (guichet.programmes.aid_programmes), any of them.
    aid_programmes: frozenset = frozenset()
    # Funders' names as typed (matched without regard to case or accents: funder_key)
    funders: frozenset = frozenset()
    # The highest known rate (%) or amount (EUR) at least this; programmes without one are left out
    rate_at_least: int | None = None
    amount_at_least: int | None = None
    # Funders the « funders » facet counts, the most frequent first; None: every one (/api/v1/porteurs)
    funder_facet_size: int | None = FUNDER_FACET_SIZE
    regions: frozenset = frozenset()
    departments: frozenset = frozenset()
    statuses: frozenset = DEFAULT_STATUSES
    deadline_before: date | None = None
    # Population filter as an inclusive range that a programme's range must overlap;
    # an exact population is (n, n). None on either end is open.
    population_range: tuple[int | None, int | None] | None = None
    population_label: str | None = None
    eligibility: Eligibility | None = None
    # Only programmes published after this moment (email digests); not a URL parameter.
    published_after: datetime | None = None
    sort: str = "pertinence"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    today: date = field(default_factory=date.today)

    @property
    def aid_programme_keys(self) -> frozenset:
        """The keys the backends match (guichet.programmes.aid_programmes.programme_key)."""
        from guichet.programmes.aid_programmes import programme_key

        return frozenset(programme_key(name) for name in self.aid_programmes)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def has_text(self) -> bool:
        return bool(self.clauses)

    @property
    def required_coverage(self) -> int:
        if self.min_coverage is not None:
            return self.min_coverage
        return minimum_coverage(len(self.clauses))

    def loosened(self) -> "SearchQuery | None":
        """The query to run when this one finds nothing: any one concept, then any one word.

        A programme holding one meaningful word of the query is always found: the concepts
        need only be covered once, then a multi-word concept (« données publiques ») is split
        into its words. None when the query is as loose as it gets.
        """
        if self.min_coverage is not None and self.min_coverage > 1:
            return None  # a count asked for on purpose (suggestions): exactly that
        if self.required_coverage > 1:
            return self.without(min_coverage=1)
        # every meaningful word typed (a synonym group typed twice is one clause)
        words = tuple(analyse(self.corrected_text or self.text)) or tuple(
            term for clause in self.clauses for term in clause.typed)
        if len(words) > len(self.clauses):
            return self.without(clauses=tuple(Clause(((term,),), (term,)) for term in dict.fromkeys(words)),
                                min_coverage=1)
        return None

    def highlight_terms(self) -> set[str]:
        return {term for clause in self.clauses for phrase in clause.phrases for term in phrase}

    def english_terms(self) -> set[str]:
        return {term for clause in self.clauses for term in clause.english}

    def without(self, **changes) -> "SearchQuery":
        return replace(self, **changes)


def parse_text(text: str) -> tuple[Clause, ...]:
    """The concepts of a text (a French 400 for the syntax the search does not take)."""
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidQuery("q", f"La recherche est trop longue : {MAX_TEXT_LENGTH} caractères au plus.")
    return _parsed_text(text)


# Analysis and thesaurus are fixed for the process and clauses are immutable: the same text
# (most searches repeat) is analysed once. A refused text raises each time (never cached).
@lru_cache(maxsize=4096)
def _parsed_text(text: str) -> tuple[Clause, ...]:
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidQuery("q", f"La recherche est trop longue : {MAX_TEXT_LENGTH} caractères au plus.")
    if any(char in _SYNTAX_CHARACTERS for char in text):
        raise InvalidQuery("q", "Les guillemets, astérisques et accolades ne sont pas pris en charge : "
                                "saisissez simplement les mots recherchés.")
    for raw in text.split():
        if raw.rstrip("(") in _OPERATOR_WORDS or raw.upper().startswith("NEAR("):
            raise InvalidQuery("q", f"« {raw} » est un opérateur de recherche qui n’est pas pris en charge : "
                                    "saisissez simplement les mots recherchés.")
        if raw.startswith(("-", "+")) and len(raw) > 1:
            raise InvalidQuery("q", "Les signes « - » et « + » devant un mot ne sont pas pris en charge : "
                                    "saisissez simplement les mots recherchés.")
    return clauses_of(*analysed_tokens(text))


def _multi(args, param: SearchParam) -> frozenset:
    values = [value.strip() for value in _getlist(args, param.name) if value.strip()]
    for value in values:
        if value not in param.vocabulary:
            raise InvalidQuery(param.name, param.vocabulary.unknown(value))
    return frozenset(values)


def _getlist(args, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        return args.getlist(name)
    value = args.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _single(args, name: str) -> str | None:
    values = [value.strip() for value in _getlist(args, name) if value is not None]
    values = [value for value in values if value]
    if len(values) > 1:
        raise InvalidQuery(name, f"Le paramètre « {name} » ne peut être donné qu’une fois.")
    return values[0] if values else None


def _integer(args, name: str, minimum: int, maximum: int, message: str) -> int | None:
    value = _single(args, name)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,9}", value.replace(" ", "").replace("\u202f", "")):
        raise InvalidQuery(name, message)
    number = int(value.replace(" ", "").replace("\u202f", ""))
    if not minimum <= number <= maximum:
        raise InvalidQuery(name, message)
    return number


def parse_population(value: str | None):
    """An exact number of inhabitants or a band slug → (range, label)."""
    if value is None:
        return None, None
    if value in POPULATION_BANDS:
        label, low, high = POPULATION_BANDS[value]
        return (low, high), label
    cleaned = value.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    # A dot is a thousands separator (« 12.500 ») only between groups of three digits:
    # « 0.5 » is no number of inhabitants, not 5.
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"\d{1,9}", cleaned) or int(cleaned) > MAX_POPULATION:
        raise InvalidQuery("population", "La population doit être un nombre d’habitants positif "
                                         f"(au plus {MAX_POPULATION:,}".replace(",", " ")
                           + ") ou une tranche proposée.")
    number = int(cleaned)
    return (number, number), f"{number:,} hab.".replace(",", "\u202f")


def parse_date(value: str | None, parameter: str) -> date | None:
    """ISO (what date fields send) or JJ/MM/AAAA (what people type where there is no date picker)."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidQuery(parameter, "La date limite doit être une date valide, au format JJ/MM/AAAA "
                                      "ou AAAA-MM-JJ.") from None


CommuneResolver = Callable[[str], Eligibility | None]


def check_known_parameters(args, extra: tuple[str, ...] = ()) -> None:
    """Refuse a parameter that is not a search parameter (guichet.search.params): the API,
    feeds, calendars and exports answer a French 400 rather than silently ignoring it
    (« funder=ADEME » would otherwise return everything). Pages do not call this: they
    ignore what they do not know (tracking parameters such as ``utm_source``)."""
    for name in (args.keys() if hasattr(args, "keys") else args):
        if name not in PARAMS_BY_NAME and name not in extra:
            known = ", ".join([*PARAMS_BY_NAME, *extra])
            raise InvalidQuery(str(name)[:60], f"Paramètre inconnu : « {str(name)[:60]} ». "
                                               f"Paramètres possibles : {known}.")


def funder_key(name: str) -> str:
    """What two spellings of one funder share (« ademe », « ADEME »; « Région Île-de-France »,
    « region ile-de-france »): folded, single spaces. Elasticsearch's ``folded`` normalizer
    (lowercase, asciifolding) gives the same for the names sources write."""
    return " ".join(fold(name).split())


def parse_funders(args) -> frozenset:
    values = frozenset(" ".join(value.split()) for value in _getlist(args, "funder") if value.strip())
    for value in values:
        if len(value) > MAX_FUNDER_LENGTH:
            raise InvalidQuery("funder", f"Le nom du porteur d’aide est trop long : {MAX_FUNDER_LENGTH} "
                                         "caractères au plus.")
    return values


def parse_rate_and_amount(args) -> tuple[int | None, int | None]:
    """« 50 », « 50 % » for the rate; « 10000 », « 10 000 € » for the amount."""
    def cleaned(name, unit):
        return {name: [value.replace(unit, "").replace("\xa0", " ") for value in _getlist(args, name)]}

    rate = _integer(cleaned("rate_at_least", "%"), "rate_at_least", 1, 100,
                    "Le taux d’aide minimum doit être un nombre entier de 1 à 100 (un pourcentage).")
    amount = _integer(cleaned("amount_at_least", "€"), "amount_at_least", 1, MAX_AMOUNT,
                      "Le montant d’aide minimum doit être un nombre entier d’euros, de 1 à "
                      + f"{MAX_AMOUNT:,}".replace(",", "\u202f") + "\u202f€.")
    return rate, amount


def parse_places(args) -> tuple[frozenset, frozenset]:
    """The ``region`` and ``department`` codes of a search (programmes' or funded projects'),
    each checked: a French 400 names the first unknown one."""
    regions = frozenset(value.strip() for value in _getlist(args, "region") if value.strip())
    for value in regions:
        if not _REGION.fullmatch(value):
            raise InvalidQuery("region", f"Code de région inconnu : « {value[:20]} » (code INSEE à deux chiffres).")
    departments = frozenset(value.strip().upper() for value in _getlist(args, "department") if value.strip())
    for value in departments:
        if not _DEPARTMENT.fullmatch(value):
            raise InvalidQuery("department", f"Code de département inconnu : « {value[:20]} ».")
    return regions, departments


def parse_aid_programmes(args) -> frozenset:
    """The ``aid_programme`` names of a search, written as the record check writes them; a French
    400 for a value that cannot be a name (any name can: an unknown one finds nothing)."""
    from guichet.programmes.aid_programmes import MAX_AID_PROGRAMMES, InvalidAidProgramme, clean_name

    values = [value for value in _getlist(args, AID_PROGRAMME_PARAM) if value is not None and str(value).strip()]
    if len(values) > MAX_AID_PROGRAMMES:
        raise InvalidQuery(AID_PROGRAMME_PARAM, f"Programme d’aides : {MAX_AID_PROGRAMMES} programmes au plus.")
    names = set()
    for value in values:
        try:
            names.add(clean_name(value))
        except InvalidAidProgramme as error:
            raise InvalidQuery(AID_PROGRAMME_PARAM, error.message) from None
    return frozenset(names)


def parse_search(args, today: date | None = None, commune_resolver: CommuneResolver | None = None,
                 max_per_page: int = MAX_PER_PAGE, strict: bool = False) -> SearchQuery:
    """Every search parameter of DESIGN.md, validated, into one SearchQuery.

    ``strict``: an unknown parameter is an InvalidQuery (API, feeds, exports); otherwise
    it is ignored (pages: tracking parameters, old links)."""
    if strict:
        check_known_parameters(args)
    text = _single(args, "q") or ""
    clauses = parse_text(text)
    corrected_text = None
    if clauses:
        searched, corrections = corrected_phrases(text)
        if corrections:
            corrected_text, clauses = searched, parse_text(searched)

    # theme, level, aid_type, beneficiary, status ...: checked against their vocabularies.
    filters = {param.field: _multi(args, param) for param in VOCABULARY_FILTERS}
    filters["statuses"] = filters["statuses"] or DEFAULT_STATUSES

    regions, departments = parse_places(args)
    filters["aid_programmes"] = parse_aid_programmes(args)
    funders = parse_funders(args)
    rate_at_least, amount_at_least = parse_rate_and_amount(args)

    deadline_before = parse_date(_single(args, "deadline_before"), "deadline_before")

    population_range, population_label = parse_population(_single(args, "population"))

    eligibility = None
    commune = _single(args, "commune")
    if commune:
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", commune.upper()):
            raise InvalidQuery("commune", f"Code INSEE de commune invalide : « {commune[:20]} » (cinq caractères).")
        eligibility = commune_resolver(commune.upper()) if commune_resolver else None
        if eligibility is None:
            raise InvalidQuery("commune", f"Commune inconnue : aucun code INSEE « {commune[:20]} ».")

    sort = _single(args, "sort") or "pertinence"
    if sort not in SORTS:
        raise InvalidQuery("sort", f"Tri inconnu : « {sort[:40]} ». Tris possibles : {', '.join(SORTS)}.")

    page = _integer(args, "page", 1, 100_000, "Le numéro de page doit être un entier à partir de 1.") or 1
    per_page = _integer(args, "per_page", 1, max_per_page,
                        f"Le nombre de résultats par page doit être compris entre 1 et {max_per_page}.")

    return SearchQuery(
        text=text,
        clauses=clauses,
        corrected_text=corrected_text,
        regions=regions,
        departments=departments,
        funders=funders,
        rate_at_least=rate_at_least,
        amount_at_least=amount_at_least,
        **filters,
        deadline_before=deadline_before,
        population_range=population_range,
        population_label=population_label,
        eligibility=eligibility,
        sort=sort,
        page=page,
        per_page=per_page or DEFAULT_PER_PAGE,
        today=today or date.today(),
    )
