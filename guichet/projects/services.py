"""Funded projects: what the pages, the API, the CLI and the tests call.

- ``search(query)``: the « Projets financés » search (/projets, /api/v1/projects);
- ``similar_towns(commune)``: « Ce que des communes comme la vôtre ont obtenu » — projects of
  towns of the same size band and density level, in the same département first, then the
  région, then France, grouped by programme;
- ``commune_projects(commune)``: « Projets financés à Nevers »;
- ``programme_summary(programme_id, commune)``: who obtained a programme, and examples near
  the chosen commune.
"""

from dataclasses import dataclass, field

from guichet import geo
from guichet.projects.index import FACET_FIELDS, IndexUnavailable, band_of, get_index, rowids_descending
from guichet.projects.query import POPULATION_BANDS, ProjectQuery, parse_projects
from guichet.search.query import InvalidQuery
from guichet.search.sqlite import concept_expression

# How many projects « communes comme la vôtre » shows, and how many a scope must hold
# before a wider one (région, France) is used.
SIMILAR_ENOUGH = 12
SIMILAR_GROUPS = 6
SIMILAR_PER_GROUP = 3
OWN_PROJECTS_LIMIT = 10
NEAR_EXAMPLES = 5


@dataclass
class Project:
    """One funded project as the pages and the API show it."""

    id: int
    kind: str
    year: int
    programme_key: str
    programme_label: str
    programme_id: str | None
    measure: str
    category: str | None
    title: str
    beneficiary: str | None
    level: str
    commune_code: str | None
    commune_name: str | None
    epci_code: str | None
    epci_name: str | None
    department: str | None
    region: str | None
    population: int | None
    band: str | None
    density: str | None
    amount: float
    total_cost: float | None
    title_terms: int = 0
    rowid: int = 0

    @property
    def cost_share(self) -> float | None:
        if self.total_cost and self.total_cost > 0:
            return self.amount / self.total_cost
        return None

    @property
    def place(self) -> str:
        name = self.commune_name or self.epci_name or self.beneficiary or ""
        if self.department and name:
            return f"{name} ({self.department})"
        return name or geo.DEPARTMENT_NAMES.get(self.department or "", "") or geo.REGIONS.get(self.region or "", "")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class ProjectPage:
    query: ProjectQuery
    total: int
    items: list[Project]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def resolve_commune(code: str) -> str | None:
    """The current commune of an INSEE code (old codes and arrondissements included)."""
    from guichet.communes.services import get_commune
    from guichet.db import get_session

    commune, _alias = get_commune(get_session(), code)
    return commune.code if commune is not None else None


def parse(args, max_per_page: int = 100) -> ProjectQuery:
    query = parse_projects(args, commune_resolver=resolve_commune, max_per_page=max_per_page)
    if query.programmes:
        snapshot = get_index().snapshot()
        for value in query.programmes:
            if value not in snapshot.labels and not value.startswith("curated-"):
                raise InvalidQuery("programme", f"Programme inconnu : « {value[:60]} ».")
    return query


def _projects(index, rowids: list[int]) -> list[Project]:
    return [Project(**row) for row in index.rows(rowids)]


def _filters(index, snapshot, query: ProjectQuery) -> list[tuple[str | None, int]]:
    filters = []
    if query.programmes:
        filters.append(("programme", snapshot.any_of("programme", query.programmes)))
    if query.years:
        filters.append(("year", snapshot.any_of("year", query.years)))
    if query.regions:
        filters.append(("region", snapshot.any_of("region", query.regions)))
    if query.departments:
        filters.append(("department", snapshot.any_of("department", query.departments)))
    if query.populations:
        filters.append(("population", snapshot.any_of("population", query.populations)))
    if query.commune:
        filters.append((None, index.place_docs(query.commune)))
    if query.amount_min is not None or query.amount_max is not None:
        filters.append((None, snapshot.amount_range(query.amount_min, query.amount_max)))
    return filters


def _facet_label(snapshot, facet: str, value) -> str:
    if facet == "programme":
        return snapshot.labels.get(value, value)
    if facet == "region":
        return geo.REGIONS.get(value, value)
    if facet == "department":
        return f"{geo.DEPARTMENT_NAMES.get(value, value)} ({value})"
    if facet == "population":
        return POPULATION_BANDS.get(value, value)
    return str(value)


def _order_key(facet: str, item: FacetValue):
    if facet == "year":
        return (-int(item.value),)
    if facet == "population":
        return (list(POPULATION_BANDS).index(item.value),)
    if facet == "department":
        return (item.value,)
    return (-item.count, item.label)


def search(query: ProjectQuery) -> ProjectPage:
    index = get_index()
    snapshot = index.snapshot()
    tiers: list[int] = []
    text_bitmap = snapshot.all_docs
    if query.has_text:
        text_bitmap, tiers = text_tiers(index, snapshot, query)
    filters = _filters(index, snapshot, query)
    matched = text_bitmap
    for _name, bitmap in filters:
        matched &= bitmap

    facets = {}
    for facet in FACET_FIELDS:
        base = matched
        if any(name == facet for name, _bitmap in filters):
            base = text_bitmap
            for name, bitmap in filters:
                if name != facet:
                    base &= bitmap
        selected = {str(value) for value in {"programme": query.programmes, "year": query.years,
                                             "region": query.regions, "department": query.departments,
                                             "population": query.populations}[facet]}
        values = []
        for value, bitmap in snapshot.field_values(facet):
            count = (base & bitmap).bit_count()
            if count or str(value) in selected:
                values.append(FacetValue(str(value), _facet_label(snapshot, facet, value), count,
                                         str(value) in selected))
        facets[facet] = sorted(values, key=lambda item, facet=facet: _order_key(facet, item))

    rowids = _page(snapshot, query, matched, tiers)
    return ProjectPage(query=query, total=matched.bit_count(), items=_projects(index, rowids), facets=facets)


def text_tiers(index, snapshot, query: ProjectQuery) -> tuple[int, list[int]]:
    """(every project matching the text, its relevance tiers best first): see guichet.projects.index."""
    matched, in_title_all, in_title_any = snapshot.all_docs, snapshot.all_docs, 0
    for clause in query.clauses:
        in_title, elsewhere = index.concept(snapshot, f"({concept_expression(clause, programme_columns=False)})")
        matched &= in_title | elsewhere
        in_title_all &= in_title
        in_title_any |= in_title
    in_title_all &= matched
    in_title_any &= matched
    tiers = [in_title_all & snapshot.short_title, in_title_all & ~snapshot.short_title,
             in_title_any & ~in_title_all, matched & ~in_title_any]
    return matched, tiers


def _in_order(bitmaps: list[int], offset: int, count: int) -> list[int]:
    """Row ids of successive bitmaps (largest amount first within each), paged."""
    found = []
    for bitmap in bitmaps:
        size = bitmap.bit_count()
        if offset >= size:
            offset -= size
            continue
        found.extend(rowids_descending(bitmap, offset, count - len(found)))
        offset = 0
        if len(found) >= count:
            break
    return found


def _page(snapshot, query: ProjectQuery, matched: int, tiers: list[int]) -> list[int]:
    if query.sort == "pertinence" and query.has_text:
        return _in_order([tier & matched for tier in tiers], query.offset, query.per_page)
    if query.sort == "montant":
        return rowids_descending(matched, query.offset, query.per_page)
    return by_year(snapshot, matched, query.offset, query.per_page)


def by_year(snapshot, matched: int, offset: int, count: int) -> list[int]:
    """Most recent year first, the largest amounts first within a year."""
    years = sorted((value for (name, value) in snapshot.values if name == "year"), reverse=True)
    return _in_order([matched & snapshot.value("year", year) for year in years], offset, count)


# -- the commune page ----------------------------------------------------------------------
@dataclass
class ProgrammeGroup:
    programme_key: str
    label: str
    programme_id: str | None
    count: int
    projects: list[Project]


@dataclass
class SimilarTowns:
    scope: str  # "department", "region", "france"
    scope_label: str  # « dans le département de la Nièvre »
    band: str | None
    density: str | None
    total: int
    groups: list[ProgrammeGroup]
    search_url_params: dict

    @property
    def density_label(self) -> str | None:
        return density_label(self.density)


def density_label(level) -> str | None:
    """« petites villes » for level 4 of INSEE's density grid (labels from guichet.territories)."""
    if level is None:
        return None
    try:
        from guichet.programmes.conditions import DENSITY_LEVELS
    except ImportError:
        DENSITY_LEVELS = {}
    text = str(level)
    label = DENSITY_LEVELS.get(int(text)) if text.isdigit() else None
    label = label or text
    return label[0].lower() + label[1:]


def _commune_facts(commune) -> tuple[str | None, str | None]:
    density = _density_of(commune.code)
    return band_of(commune.population), (str(density) if density is not None else None)


def _density_of(code: str) -> str | None:
    try:
        from guichet.territories import density_level
    except ImportError:
        return None
    from guichet.db import get_session

    try:
        level = density_level(get_session(), code)
    except Exception:  # the territories data may not be loaded: compare without density
        return None
    return str(level) if level is not None else None


def _groups(index, snapshot, bitmap: int, groups: int = SIMILAR_GROUPS,
            per_group: int = SIMILAR_PER_GROUP) -> list[ProgrammeGroup]:
    found = []
    for key, programme_bitmap in snapshot.field_values("programme"):
        in_group = bitmap & programme_bitmap
        count = in_group.bit_count()
        if count:
            found.append((count, key, in_group))
    found.sort(key=lambda item: (-item[0], snapshot.labels.get(item[1], "")))
    result = []
    for count, key, in_group in found[:groups]:
        rowids = by_year(snapshot, in_group, 0, per_group)
        result.append(ProgrammeGroup(programme_key=key, label=snapshot.labels.get(key, key),
                                     programme_id=snapshot.programme_ids.get(key), count=count,
                                     projects=_projects(index, rowids)))
    return result


def similar_towns(commune, department_name: str | None = None, region_name: str | None = None) -> SimilarTowns | None:
    """Projects of towns like this one (same size band and density level), nearest scope first."""
    index = get_index()
    snapshot = index.snapshot()
    band, density = _commune_facts(commune)
    if band is None:
        return None
    candidates = snapshot.has_commune & snapshot.value("population", band)
    if density is not None and any(name == "density" for name, _value in snapshot.values):
        candidates &= snapshot.value("density", density)
    candidates &= ~index.place_docs(commune.code)
    scopes = (("department", snapshot.value("department", commune.department),
               f"dans le même département ({department_label(commune.department, department_name)})",
               {"department": commune.department}),
              ("region", snapshot.value("region", commune.region),
               f"dans la même région ({region_name or geo.REGIONS.get(commune.region, commune.region)})",
               {"region": commune.region}),
              ("france", snapshot.all_docs, "en France", {}))
    chosen = None
    for scope, bitmap, label, params in scopes:
        in_scope = candidates & bitmap
        chosen = (scope, in_scope, label, params)
        if in_scope.bit_count() >= SIMILAR_ENOUGH:
            break
    scope, bitmap, label, params = chosen
    return SimilarTowns(scope=scope, scope_label=label, band=band, density=density, total=bitmap.bit_count(),
                        groups=_groups(index, snapshot, bitmap), search_url_params={"population": band, **params})


@dataclass
class CommuneProjects:
    own: list[Project]
    own_total: int
    own_amount: float
    epci: list[Project]
    epci_total: int


def commune_projects(commune) -> CommuneProjects:
    index = get_index()
    snapshot = index.snapshot()
    own = index.place_docs(commune.code, via="commune")
    through_epci = index.place_docs(commune.code, via="epci")
    own_rows = by_year(snapshot, own, 0, OWN_PROJECTS_LIMIT)
    own_projects = _projects(index, own_rows)
    amount = sum(project.amount for project in _projects(index, by_year(snapshot, own, 0, own.bit_count())))
    return CommuneProjects(own=own_projects, own_total=own.bit_count(), own_amount=amount,
                           epci=_projects(index, by_year(snapshot, through_epci, 0, 5)),
                           epci_total=through_epci.bit_count())


# -- the programme page --------------------------------------------------------------------
@dataclass
class ProgrammeSummary:
    programme_key: str
    years: list[dict]  # {year, projects, communes, median_amount, small_communes}
    examples: list[Project]
    examples_scope: str | None  # « près de Nevers, dans la Nièvre »
    total: int


def programme_summary(programme_id: str, commune=None) -> ProgrammeSummary | None:
    index = get_index()
    snapshot = index.snapshot()
    programme_bitmap = snapshot.value("programme", programme_id)
    if not programme_bitmap:
        return None
    examples, scope = [], None
    if commune is not None:
        own = index.place_docs(commune.code)
        for bitmap, label in ((snapshot.value("department", commune.department),
                               f"dans le même département ({department_label(commune.department)})"),
                              (snapshot.value("region", commune.region),
                               f"dans la même région ({geo.REGIONS.get(commune.region, commune.region)})")):
            nearby = programme_bitmap & bitmap & ~own
            if nearby:
                examples = _projects(index, by_year(snapshot, nearby, 0, NEAR_EXAMPLES))
                scope = label
                break
    return ProgrammeSummary(programme_key=programme_id, years=index.stats(programme_id), examples=examples,
                            examples_scope=scope, total=programme_bitmap.bit_count())


# -- French phrases --------------------------------------------------------------------------
def department_label(code: str, name: str | None = None) -> str:
    """« Nièvre, 58 »: the name and code, a phrasing that needs no article."""
    return f"{name or geo.DEPARTMENT_NAMES.get(code, code)}, {code}"


def available() -> bool:
    try:
        return get_index().snapshot().size > 0
    except IndexUnavailable:
        return False
