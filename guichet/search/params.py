"""The search parameters, declared once: name, repeatable or not, vocabulary, French label,
OpenAPI schema, kept in a subscription's saved search or not.

Everything that lists search parameters derives from ``PARAMS``: the parser
(``guichet.search.query.parse_search``), shareable URLs (``guichet.web.links``), saved
searches (``guichet.digests.subscriptions``), the French description of a search
(``guichet.web.description``), facet labels, the OpenAPI document (``guichet.api.openapi``)
and the filter form of the search and subscription pages (``templates/search/_filters.html``).

Adding a filter is one line here (and its ``SearchQuery`` field), then one per backend
(``sqlite.py``, ``elasticsearch.py``). A vocabulary filter (values from
``guichet.programmes.vocabulary``) is parsed, labelled and documented from its vocabulary.
"""

from dataclasses import dataclass, field

from guichet import geo
from guichet.programmes.vocabulary import (AID_TYPES, BENEFICIARIES, DEFAULT_STATUSES, LEVELS, POPULATION_BANDS,
                                           STATUSES, THEMES, Vocabulary)

MAX_TEXT_LENGTH = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_POPULATION = 3_000_000

SORTS = Vocabulary("sort", "Tri", False, {
    "pertinence": "Pertinence",
    "date_limite": "Date limite la plus proche",
    "nouveaute": "Les plus récents",
})
REGIONS = Vocabulary("regions", "Région", True, geo.REGIONS)
DEPARTMENTS = Vocabulary("departments", "Département", False, geo.DEPARTMENT_NAMES)
# « Appels à projets / AMI uniquement » (issue 17): one value, a checkbox of the filter form.
CALLS = Vocabulary("call_for_projects", "Appel à projets", False, {"true": "Appels à projets et AMI uniquement"})
# The aid programmes (« programmes d'aides », guichet.programmes.aid_programmes): an open list whose
# values are the programmes' names themselves, so no labels to declare (``label`` is the name).
AID_PROGRAMMES = Vocabulary("aid_programmes", "Programme d’aides", False, {})
AID_PROGRAMME_PARAM = "aid_programme"

# -- Funders, aid rate and amount (issue 17) -------------------------------------------------
# « Porteur d’aide »: the funders' names as the sources normalise them (scrapers/normalise),
# matched without regard to case or accents; the facet counts the most frequent ones.
FUNDER_FACET_SIZE = 100
MAX_FUNDER_LENGTH = 200


class FunderNames:
    """The labels of the funders' facet: a funder is labelled by its own name."""

    noun = "Porteur d’aide"

    def label(self, value: str) -> str:
        return value


FUNDERS = FunderNames()
# What a programme's known rate and amount are compared with: its highest stated value
# (``rate_max``, else ``rate_min``; the same for amounts). A programme whose source states
# none is left out by these filters, and counted apart (the facet value UNKNOWN_VALUE).
UNKNOWN_VALUE = "sans"
RATE_THRESHOLDS = Vocabulary("rate_at_least", "Taux d’aide", False, {
    "25": "25\u202f% ou plus", "50": "50\u202f% ou plus", "80": "80\u202f% ou plus", "100": "100\u202f%",
    UNKNOWN_VALUE: "Taux d’aide non communiqué",
})
AMOUNT_THRESHOLDS = Vocabulary("amount_at_least", "Montant d’aide", False, {
    "10000": "10\u202f000\u202f€ ou plus", "50000": "50\u202f000\u202f€ ou plus",
    "100000": "100\u202f000\u202f€ ou plus",
    "500000": "500\u202f000\u202f€ ou plus", "1000000": "1\u202f000\u202f000\u202f€ ou plus",
    UNKNOWN_VALUE: "Montant d’aide non communiqué",
})
MAX_AMOUNT = 100_000_000
# The facets counted at thresholds: facet → (the search document's field, the thresholds).
THRESHOLD_FACETS = {"rate_at_least": ("max_rate", RATE_THRESHOLDS),
                    "amount_at_least": ("max_amount", AMOUNT_THRESHOLDS)}


@dataclass(frozen=True)
class SearchParam:
    """One query-string parameter of the search page and the API.

    ``field`` is the ``SearchQuery`` attribute it fills (None for paging and sorting);
    ``label`` starts its line in the French description of a search; ``help`` documents it
    in OpenAPI; ``schema`` is the OpenAPI schema of one value; ``saved``: kept in a
    subscription's saved search; ``on_pages``: kept in the search page's URLs (``per_page`` is
    the API's only); ``facet``: the backends count its values.
    """

    name: str
    label: str
    help: str
    schema: dict = field(default_factory=lambda: {"type": "string"})
    repeatable: bool = False
    vocabulary: Vocabulary | None = None
    field: str | None = None
    saved: bool = True
    on_pages: bool = True
    facet: bool = False
    default: object = None

    def openapi(self) -> dict:
        schema = dict(self.schema)
        if self.vocabulary is not None:
            schema["enum"] = list(self.vocabulary)
        if self.default is not None and not self.repeatable:
            schema["default"] = self.default
        if self.repeatable:
            schema = {"type": "array", "items": schema}
        parameter = {"name": self.name, "in": "query", "required": False, "description": self.help,
                     "schema": schema}
        if self.repeatable:
            parameter.update(style="form", explode=True)
        return parameter


def _filter(name, field_name, vocabulary, help_text, facet=True, **extra) -> SearchParam:
    """A repeatable filter whose values are those of a vocabulary."""
    return SearchParam(name, vocabulary.noun, help_text, repeatable=True, vocabulary=vocabulary,
                       field=field_name, facet=facet, **extra)


PARAMS = (
    SearchParam("q", "Mots", "Mots recherchés (accents, pluriels et synonymes tolérés ; pas d’opérateurs).",
                {"type": "string", "maxLength": MAX_TEXT_LENGTH}, field="text"),
    _filter("theme", "themes", THEMES, "Thème ou sous-thème."),
    SearchParam("commune", "Commune", "Code INSEE d’une commune : programmes auxquels elle peut prétendre.",
                {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"}, field="eligibility"),
    SearchParam("population", POPULATION_BANDS.noun,
                "Nombre d’habitants, ou tranche : " + ", ".join(POPULATION_BANDS) + ".",
                {"type": "string", "pattern": "^([0-9]{1,7}|" + "|".join(POPULATION_BANDS) + ")$"},
                field="population_range"),
    _filter("level", "levels", LEVELS, "Échelon du financeur."),
    _filter("aid_type", "aid_types", AID_TYPES, "Type d’aide."),
    _filter("call_for_projects", "calls", CALLS, "« true » : appels à projets et appels à manifestation "
                                                 "d’intérêt (AMI) uniquement."),
    _filter("beneficiary", "beneficiaries", BENEFICIARIES, "Bénéficiaire."),
    SearchParam("region", REGIONS.noun, "Code INSEE de région.", {"type": "string", "pattern": "^[0-9]{2}$"},
                repeatable=True, field="regions", facet=True),
    SearchParam("department", DEPARTMENTS.noun, "Code INSEE de département.", repeatable=True,
                field="departments", facet=True),
    # -- funders, aid rate and amount (issue 17)
    SearchParam("funder", FUNDERS.noun, "Porteur d’aide (financeur), tel que l’écrit "
                "/api/v1/porteurs ; casse et accents indifférents. Répétable : l’un ou l’autre.",
                {"type": "string", "maxLength": MAX_FUNDER_LENGTH}, repeatable=True, field="funders", facet=True),
    SearchParam("rate_at_least", "Taux d’aide", "Taux d’aide maximal d’au moins ce pourcentage (1 à 100). "
                "Les programmes dont la source ne donne aucun taux sont exclus ; la facette « rate_at_least » "
                f"les compte (valeur « {UNKNOWN_VALUE} »).", {"type": "integer", "minimum": 1, "maximum": 100},
                field="rate_at_least", facet=True),
    SearchParam("amount_at_least", "Montant d’aide", "Montant d’aide maximal d’au moins ce nombre d’euros. "
                "Les programmes dont la source ne donne aucun montant sont exclus ; la facette "
                f"« amount_at_least » les compte (valeur « {UNKNOWN_VALUE} »).", {"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT},
                field="amount_at_least", facet=True),
    _filter("status", "statuses", STATUSES, "Statut (par défaut : ouvert et à venir).", default=DEFAULT_STATUSES),
    SearchParam("deadline_before", "Date limite au plus tard le",
                "Une date limite au plus tard ce jour (AAAA-MM-JJ).", {"type": "string", "format": "date"},
                field="deadline_before"),
    # after the older filters: the saved searches' canonical order of those never changes
    SearchParam(AID_PROGRAMME_PARAM, AID_PROGRAMMES.noun,
                "Programme d’aides, par son nom (« Fonds vert - Édition 2024 », « Petites villes de demain » ; "
                "majuscules, accents et ponctuation indifférents) : les noms sont ceux de la facette "
                "« aid_programmes ».",
                {"type": "string", "maxLength": 200}, repeatable=True, field="aid_programmes", facet=True),
    SearchParam("sort", SORTS.noun, "Tri.", vocabulary=SORTS, saved=False, default="pertinence"),
    SearchParam("page", "Page", "Page, à partir de 1.", {"type": "integer", "minimum": 1}, saved=False, default=1),
    SearchParam("per_page", "Résultats par page", "Résultats par page.",
                {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}, saved=False, on_pages=False,
                default=DEFAULT_PER_PAGE),
)
PARAMS_BY_NAME = {param.name: param for param in PARAMS}
# Parameters of the search page's URLs, in their stable order.
PAGE_PARAMS = tuple(param.name for param in PARAMS if param.on_pages)
# Parameters a subscription keeps: the search's filters, not its order or page.
SAVED_PARAMS = tuple(param for param in PARAMS if param.saved)
# Repeatable filters whose values are a vocabulary's: the parser checks them all alike.
VOCABULARY_FILTERS = tuple(param for param in PARAMS if param.repeatable and param.vocabulary is not None)
# Facet name (the SearchQuery field) → the labels of its values.
FACET_LABELS = {param.field: param.vocabulary or {"regions": REGIONS, "departments": DEPARTMENTS, "funders": FUNDERS,
                                                   "rate_at_least": RATE_THRESHOLDS,
                                                   "amount_at_least": AMOUNT_THRESHOLDS,
                                                   "aid_programmes": AID_PROGRAMMES}[param.field]
                for param in PARAMS if param.facet}
# Facets whose values are open (names): counted as the index holds them, labelled by themselves.
# (The funders' facet is labelled by its names too, but counted and chosen by its own rules: FunderNames.)
OPEN_FACETS = frozenset(field_name for field_name, labels in FACET_LABELS.items()
                        if isinstance(labels, Vocabulary) and not len(labels))
