"""Communes: what the search, the pages, the API, the CLI and the tests call.

- ``eligibility_for(code)``: the commune's population, département, région and the kinds of
  beneficiary it counts as, for ``commune=<INSEE>`` on every search backend;
- ``find(text)``: the autocomplete (name, postcode or INSEE code);
- ``resolve_typed(text)``: what the search page does with a name typed without JavaScript;
- ``commune_programmes`` / ``epci_programmes``: the commune page.
"""

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import load_only, object_session

from guichet.communes.index import INNER_WORD, OLD_CODE, AliasRow, CommuneIndex, Entry, Match
from guichet.communes.models import Commune, CommuneAlias, Department, Epci, ReferenceVersion, Region
from guichet.db import get_session
from guichet.programmes.themes import THEMES
from guichet.programmes.vocabulary import POPULATION_BANDS
from guichet.search.query import Eligibility, SearchQuery
from guichet.text import match_key

MAX_QUERY_LENGTH = 100
MAX_LIMIT = 50
# How often a web worker checks whether `guichet communes refresh` loaded a new version.
VERSION_CHECK_SECONDS = 2.0
# The commune page lists at most this many programmes, then links to the full search.
PAGE_PROGRAMMES_LIMIT = 300
BAND_NAMES = {
    "moins-2000": ("Petite commune", "moins de 2\u202f000 habitants"),
    "2000-20000": ("Petite ville", "de 2\u202f000 à 20\u202f000 habitants"),
    "20000-100000": ("Ville moyenne", "de 20\u202f000 à 100\u202f000 habitants"),
    "plus-100000": ("Grande ville", "plus de 100\u202f000 habitants"),
}

_index_lock = threading.Lock()
_last_built: dict = {}
_PARTIAL_CODE = re.compile(r"^[0-9][0-9AB]?[0-9]{0,3}$", re.IGNORECASE)
_FIVE_DIGITS = re.compile(r"^[0-9]{5}$")


class InvalidCommuneQuery(ValueError):
    """What was typed cannot be searched; ``message`` says why, in French."""

    def __init__(self, message: str, parameter: str = "q"):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


# -- the in-memory finder ----------------------------------------------------------------------
def build_index(session) -> CommuneIndex:
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    epcis = dict(session.execute(select(Epci.code, Epci.name)).all())
    connection = session.connection()
    # Plain SQL: 40,000 rows through the ORM's JSON type cost more than the whole index.
    rows = connection.exec_driver_sql("SELECT code, name, population, department, region, postcodes, epci_code, "
                                      "search_name FROM communes")
    communes = [Entry(code, name, population, department, departments.get(department, department), region,
                      tuple(_json_list(postcodes)), epci_code, epcis.get(epci_code), search_name)
                for code, name, population, department, region, postcodes, epci_code, search_name in rows]
    aliases = [AliasRow(code, name, kind, commune_code, tuple(_json_list(postcodes)), search_name)
               for code, name, kind, commune_code, postcodes, search_name in connection.exec_driver_sql(
                   "SELECT code, name, kind, commune_code, postcodes, search_name FROM commune_aliases ORDER BY id")]
    return CommuneIndex(communes, aliases)


def _json_list(value) -> list:
    """A JSON list of postcodes as the driver returns it (text on SQLite, a list on PostgreSQL)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        if isinstance(value, bytes):
            value = value.decode()
        # Postcodes are digits: splitting is exact, and much cheaper than 40,000 json.loads.
        if "\\" not in value:
            return [item.strip().strip('"') for item in value.strip("[] ").split(",") if item.strip()]
        return json.loads(value)
    return list(value)


def loaded_version(session) -> str | None:
    return session.scalar(select(ReferenceVersion.version).order_by(ReferenceVersion.id.desc()).limit(1))


def get_index(app=None) -> CommuneIndex:
    """The app's finder, rebuilt when another process loaded a new version of the reference."""
    app = app or current_app._get_current_object()
    cached = app.extensions.get("guichet.communes.index")
    now = time.monotonic()
    if cached and now - cached["checked_at"] < VERSION_CHECK_SECONDS:
        return cached["index"]
    with _index_lock:
        cached = app.extensions.get("guichet.communes.index")
        with app.extensions["guichet.db"].session() as session:
            version = loaded_version(session)
            if cached is None or cached["version"] != version:
                # The version is a digest of the data: apps of one process (tests, benchmarks)
                # holding the same version share one index.
                shared = _last_built.get("entry")
                if shared is None or shared["version"] != version or version is None:
                    shared = {"version": version, "index": build_index(session)}
                    _last_built["entry"] = shared
                cached = dict(shared)
        cached["checked_at"] = time.monotonic()
        app.extensions["guichet.communes.index"] = cached
    return cached["index"]


def forget_index(app) -> None:
    app.extensions.pop("guichet.communes.index", None)


def find(text: str, limit: int = 10) -> list[Match]:
    """The autocomplete: communes for a name (or its beginning), a postcode or an INSEE code."""
    text = (text or "").strip()
    if not text:
        raise InvalidCommuneQuery("Saisissez le nom, le code postal ou le code INSEE d’une commune.")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidCommuneQuery(f"La recherche de commune est trop longue : {MAX_QUERY_LENGTH} caractères au plus.")
    if not match_key(text):
        raise InvalidCommuneQuery("Saisissez des lettres ou des chiffres : le nom, le code postal ou le code INSEE "
                                  "d’une commune.")
    return get_index().search(text, limit=limit)


# -- one commune ---------------------------------------------------------------------------------
def get_commune(session, code: str) -> tuple[Commune | None, CommuneAlias | None]:
    """The current commune of an INSEE code (its own, or a former commune's), and that alias.

    Within a request the answer is kept (``g``): the search page's commune field, the search
    parser and the page's commune summary resolve a commune once between them."""
    code = (code or "").strip().upper()
    if has_request_context():
        resolved = g.setdefault("communes_resolved", {})
        key = (id(session), code)
        if key not in resolved:
            resolved[key] = _get_commune(session, code)
        return resolved[key]
    return _get_commune(session, code)


def _get_commune(session, code: str) -> tuple[Commune | None, CommuneAlias | None]:
    commune = session.get(Commune, code)
    if commune is not None:
        return commune, None
    alias = session.scalar(select(CommuneAlias).where(CommuneAlias.code == code).order_by(CommuneAlias.id).limit(1))
    if alias is not None:
        return alias.commune, alias
    return None, None


def eligibility_of(commune: Commune) -> Eligibility:
    from guichet.territories.services import conditions_for

    # A commune without an EPCI (a few islands) cannot count on programmes reserved to groupings.
    beneficiaries = frozenset({"commune", "epci"}) if commune.epci_code else frozenset({"commune"})
    territories, partial = conditions_for(object_session(commune) or get_session(), commune.code)
    return Eligibility(commune_code=commune.code, commune_name=commune.name, population=commune.population,
                       department=commune.department, region=commune.region, beneficiaries=beneficiaries,
                       territories=territories, partial_territories=partial)


def eligibility_for(code: str) -> Eligibility | None:
    """What the commune with this INSEE code can apply for; None when the code is unknown."""
    commune, _alias = get_commune(get_session(), code)
    return eligibility_of(commune) if commune is not None else None


def population_band(population: int | None) -> tuple[str, str, str] | None:
    """(slug, name, range) of the town-size band (DESIGN.md) the population falls in:
    ("20000-100000", "Ville moyenne", "de 20\u202f000 à 100\u202f000 habitants")."""
    if population is None:
        return None
    for slug, (_label, low, high) in POPULATION_BANDS.items():
        if population >= low and (high is None or population <= high):
            return (slug, *BAND_NAMES[slug])
    return None


def region_name(session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region else code


def department_name(session, code: str) -> str:
    department = session.get(Department, code)
    return department.name if department else code


# -- a name typed on the search page -------------------------------------------------------------
@dataclass
class Resolution:
    """What a typed commune turned into: one code, or choices, or nothing (with a message)."""

    text: str
    code: str | None = None
    choices: list[Match] = field(default_factory=list)
    message: str | None = None


def resolve_typed(text: str, limit: int = 20) -> Resolution:
    """A name, postcode or label typed in the commune field → one commune, or the list to choose from.

    One exact match (name, postcode or code) wins; several exact matches are ambiguous
    (« Saint-Denis »); without an exact match, a single candidate wins and several are offered.
    """
    try:
        matches = find(text, limit=limit)
    except InvalidCommuneQuery as error:
        return Resolution(text, message=error.message)
    exact = [match for match in matches if match.exact and match.tier != INNER_WORD]
    if exact:
        # Only the best kind of exact match counts: a commune's own name before a former
        # commune's, a postcode before the old code of a merged commune.
        best = [match for match in exact if match.tier == min(item.tier for item in exact)]
        if len(best) == 1:
            return Resolution(text, code=best[0].commune.code)
        if _FIVE_DIGITS.match(text.replace(" ", "")):
            # The communes of a postcode, then the commune of that INSEE code (labelled so).
            return Resolution(text, choices=[match for match in exact if match.tier != OLD_CODE])
        # Homonyms (« Saint-Amand »): each of them, then the names that start the same way
        # (Saint-Amand-Montrond ...), so that nobody needs the autocomplete to find theirs.
        longer = [match for match in matches if not match.exact]
        return Resolution(text, choices=best + longer)
    if len(matches) == 1 and not _PARTIAL_CODE.match(text.replace(" ", "")):
        # The start of a name that only one commune has; never the start of a code.
        return Resolution(text, code=matches[0].commune.code)
    if not matches:
        return Resolution(text, message=f"Aucune commune ne correspond à « {text[:MAX_QUERY_LENGTH]} ». "
                                        "Vérifiez l’orthographe, ou saisissez le code postal ou le code INSEE.")
    return Resolution(text, choices=matches)


# -- programmes of the commune page --------------------------------------------------------------
@dataclass
class ThemeGroup:
    slug: str | None
    label: str
    items: list = field(default_factory=list)  # ResultItem


@dataclass
class Verdicted:
    """A programme of the commune page with its eligibility verdict."""

    item: object  # ResultItem
    verdict: object  # guichet.territories.eligibility.Verdict

    @property
    def programme(self):
        return self.item.programme


@dataclass
class CommuneProgrammes:
    """The commune's open programmes in three states: éligible (by theme), à vérifier, non éligible."""

    total: int  # programmes the search keeps for the commune: éligibles and à vérifier
    groups: list[ThemeGroup]  # the éligibles, by theme
    listed: int
    upcoming: int = 0
    eligible: int = 0
    to_check: list = field(default_factory=list)  # Verdicted
    not_eligible: list = field(default_factory=list)  # Verdicted (the first ones, by deadline)
    not_eligible_total: int = 0

    @property
    def truncated(self) -> bool:
        return self.listed < self.total


def commune_programmes(eligibility: Eligibility, today: date | None = None,
                       limit: int = PAGE_PROGRAMMES_LIMIT, not_eligible_limit: int = 100) -> CommuneProgrammes:
    """Every open programme of the commune, nearest deadlines first, by eligibility state: the
    éligibles grouped by theme, those « à vérifier », and the first non-éligibles with the reason."""
    from guichet.search import get_backend
    from guichet.search import services as search_services
    from guichet.territories.eligibility import ELIGIBLE, NOT_ELIGIBLE, verdict
    from guichet.territories.services import territory_of, verdict_details

    today = today or date.today()
    details = verdict_details(territory_of(get_session(), eligibility.commune_code))
    query = SearchQuery(eligibility=eligibility, statuses=frozenset({"ouvert"}), sort="date_limite", today=today,
                        per_page=limit)
    # One search: its first ``limit`` programmes, and in the status facet (which ignores the
    # status filter) how many programmes the commune will be able to apply for later.
    backend = get_backend()
    result = backend.search(query)
    programmes = _light_programmes([hit.id for hit in result.hits])
    items = [search_services.ResultItem(programmes[hit.id], hit) for hit in result.hits if hit.id in programmes]
    groups = {theme.slug: ThemeGroup(theme.slug, theme.label) for theme in THEMES}
    others = ThemeGroup(None, "Autres programmes")
    to_check, eligible = [], 0
    for item in items:
        item_verdict = verdict(item.programme, eligibility, details)
        if item_verdict.state != ELIGIBLE:
            to_check.append(Verdicted(item, item_verdict))
            continue
        eligible += 1
        slugs = {slug.split("/")[0] for slug in item.programme.themes or []}
        placed = False
        for slug in slugs:
            if slug in groups:
                groups[slug].items.append(item)
                placed = True
        if not placed:
            others.items.append(item)
    upcoming = result.facets.get("statuses", {}).get("a_venir", 0)
    ordered = [group for group in groups.values() if group.items] + ([others] if others.items else [])

    # What the commune cannot apply for, and why: the open programmes the search left out (only
    # their ids from the backend; the store reads just those, without their bulky columns).
    everything = backend.search(SearchQuery(statuses=frozenset({"ouvert"}), sort="date_limite", today=today,
                                            per_page=limit))
    kept = {hit.id for hit in result.hits}
    left_out = [hit for hit in everything.hits if hit.id not in kept]
    loaded = _light_programmes([hit.id for hit in left_out])
    not_eligible = []
    for hit in left_out:
        programme = loaded.get(hit.id)
        if programme is None:
            continue
        item_verdict = verdict(programme, eligibility, details)
        if item_verdict.state == NOT_ELIGIBLE:
            not_eligible.append(Verdicted(search_services.ResultItem(programme, hit), item_verdict))
            if len(not_eligible) == not_eligible_limit:
                break
    return CommuneProgrammes(total=result.total, groups=ordered, listed=len(items), upcoming=upcoming,
                             eligible=eligible, to_check=to_check, not_eligible=not_eligible,
                             not_eligible_total=max(0, everything.total - result.total))


def _light_programmes(ids: list[str]) -> dict:
    """Programmes by id, with only the columns the page lists and eligibility reads (the others,
    JSON payloads above all, cost more to decode than the whole search)."""
    from guichet.programmes.models import Programme

    if not ids:
        return {}
    columns = (Programme.title, Programme.funders, Programme.level, Programme.regions, Programme.departments,
               Programme.beneficiaries, Programme.population_min, Programme.population_max, Programme.territories,
               Programme.population_bands, Programme.criteria, Programme.themes, Programme.deadlines, Programme.recurrence, Programme.opens_on, Programme.closed_at,
               Programme.version)
    return {programme.id: programme for programme in get_session().scalars(
        select(Programme).where(Programme.id.in_(ids)).options(load_only(*columns)))}


def epci_programmes(eligibility: Eligibility, today: date | None = None, per_page: int = 5):
    """Open programmes that the commune's EPCI can carry for its members (beneficiary « epci »)."""
    from guichet.search import services as search_services

    query = SearchQuery(eligibility=eligibility, beneficiaries=frozenset({"epci"}), statuses=frozenset({"ouvert"}),
                        sort="date_limite", per_page=per_page, today=today or date.today())
    return search_services.search(query)
