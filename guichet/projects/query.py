"""Search parameters of /projets and /api/v1/projects, parsed once into a ProjectQuery.

Same rules and French messages as the programme search (guichet.search.query): every error is
an InvalidQuery naming the parameter, a 400 on the page and on the API.
"""

import re
from dataclasses import dataclass, replace

from guichet.search.query import (MAX_PER_PAGE, Clause, InvalidQuery, _getlist, _integer, _single, parse_places,
                                  parse_text)

SORTS = {"pertinence": "Pertinence", "montant": "Montant le plus élevé", "annee": "Les plus récents"}
POPULATION_BANDS = {
    "moins-2000": "Moins de 2 000 hab.",
    "2000-20000": "2 000 à 20 000 hab. (petites villes)",
    "20000-100000": "20 000 à 100 000 hab. (villes moyennes)",
    "plus-100000": "Plus de 100 000 hab.",
}
DEFAULT_PER_PAGE = 20
MAX_AMOUNT = 999_999_999
# Parameters of a project search URL, in a stable order.
PARAMS = ("q", "programme", "year", "region", "department", "commune", "population", "amount_min", "amount_max",
          "sort", "page", "per_page")
_PROGRAMME = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")


@dataclass(frozen=True)
class ProjectQuery:
    text: str = ""
    clauses: tuple[Clause, ...] = ()
    programmes: frozenset = frozenset()
    years: frozenset = frozenset()
    regions: frozenset = frozenset()
    departments: frozenset = frozenset()
    commune: str | None = None  # current INSEE code, resolved
    populations: frozenset = frozenset()  # band slugs
    amount_min: int | None = None
    amount_max: int | None = None
    sort: str = "pertinence"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def has_text(self) -> bool:
        return bool(self.clauses)

    def without(self, **changes) -> "ProjectQuery":
        return replace(self, **changes)


def _amount(args, name: str) -> int | None:
    label = "minimal" if name == "amount_min" else "maximal"
    value = _single(args, name)
    if value is not None:
        value = value.replace("€", "").replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
        args = {name: value}
    return _integer(args, name, 0, MAX_AMOUNT, f"Le montant {label} doit être un nombre entier d’euros positif "
                                               "(par exemple 50000).")


def band_for_population(number: int) -> str:
    from guichet.projects.index import band_of

    return band_of(number)


def parse_projects(args, commune_resolver=None, max_per_page: int = MAX_PER_PAGE) -> ProjectQuery:
    text = _single(args, "q") or ""
    clauses = parse_text(text)

    programmes = frozenset(value.strip() for value in _getlist(args, "programme") if value.strip())
    for value in programmes:
        if not _PROGRAMME.fullmatch(value):
            raise InvalidQuery("programme", f"Programme inconnu : « {value[:60]} ».")
    years = set()
    for value in _getlist(args, "year"):
        value = value.strip()
        if not value:
            continue
        if not re.fullmatch(r"(?:19|20)\d{2}", value):
            raise InvalidQuery("year", f"Année invalide : « {value[:20]} » (quatre chiffres, par exemple 2023).")
        years.add(int(value))
    regions, departments = parse_places(args)

    populations = set()
    for value in _getlist(args, "population"):
        value = value.strip()
        if not value:
            continue
        if value in POPULATION_BANDS:
            populations.add(value)
            continue
        cleaned = value.replace(" ", "").replace("\u202f", "").replace(".", "")
        if not re.fullmatch(r"\d{1,8}", cleaned):
            raise InvalidQuery("population", "La taille de commune doit être une tranche proposée ("
                                             + ", ".join(POPULATION_BANDS) + ") ou un nombre d’habitants.")
        populations.add(band_for_population(int(cleaned)))

    commune = _single(args, "commune")
    if commune:
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", commune.upper()):
            raise InvalidQuery("commune", f"Code INSEE de commune invalide : « {commune[:20]} » (cinq caractères).")
        resolved = commune_resolver(commune.upper()) if commune_resolver else commune.upper()
        if resolved is None:
            raise InvalidQuery("commune", f"Commune inconnue : aucun code INSEE « {commune[:20]} ».")
        commune = resolved

    amount_min, amount_max = _amount(args, "amount_min"), _amount(args, "amount_max")
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise InvalidQuery("amount_min", "Le montant minimal dépasse le montant maximal.")

    sort = _single(args, "sort") or "pertinence"
    if sort not in SORTS:
        raise InvalidQuery("sort", f"Tri inconnu : « {sort[:40]} ». Tris possibles : pertinence, montant, annee.")
    page = _integer(args, "page", 1, 100_000, "Le numéro de page doit être un entier à partir de 1.") or 1
    per_page = _integer(args, "per_page", 1, max_per_page,
                        f"Le nombre de résultats par page doit être compris entre 1 et {max_per_page}.")
    return ProjectQuery(text=text, clauses=clauses, programmes=programmes, years=frozenset(years), regions=regions,
                        departments=departments, commune=commune, populations=frozenset(populations),
                        amount_min=amount_min, amount_max=amount_max, sort=sort, page=page,
                        per_page=per_page or DEFAULT_PER_PAGE)
