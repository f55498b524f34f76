"""Is this commune eligible for this programme? Three honest states, each with its reason.

- ``eligible``: every condition the programme states is met, and it states at least one that
  concerns communes (a beneficiary type, a town size, a list or zoning): « Lunéville est
  éligible : commune Action Cœur de ville »;
- ``not_eligible``: a stated condition is not met, and the reason names it: « Non éligible :
  réservé aux communes de moins de 3 500 habitants »;
- ``to_check``: the source states no condition at all, or the commune meets a condition only in
  part (« classée FRR partiellement »): « Éligibilité à vérifier : … ». Never a guess shown as
  a fact.

The same rules as the search backends' eligibility filter (``guichet.search.sqlite``,
``guichet.search.elasticsearch``): a programme either backend returns for a commune is never
« non éligible » here (tests check both agree).
"""

from dataclasses import dataclass

from guichet import geo
from guichet.programmes.vocabulary import BENEFICIARIES
from guichet.search.query import Eligibility
from guichet.programmes.conditions import CONDITIONS, FRR_LEVELS, restriction_text

ELIGIBLE, NOT_ELIGIBLE, TO_CHECK = "eligible", "not_eligible", "to_check"
STATE_LABELS = {ELIGIBLE: "Éligible", NOT_ELIGIBLE: "Non éligible", TO_CHECK: "Éligibilité à vérifier"}
NARROW_NBSP = "\u202f"


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str  # French, starting in lower case: it follows « … : »
    commune_name: str

    @property
    def sentence(self) -> str:
        if self.state == ELIGIBLE:
            return f"{self.commune_name} est éligible : {self.reason}"
        return f"{STATE_LABELS[self.state]} : {self.reason}"

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def _number(value: int) -> str:
    return f"{value:,}".replace(",", NARROW_NBSP)


def population_phrase(minimum: int | None, maximum: int | None) -> str:
    """« communes de moins de 3 500 habitants », « communes d'au moins 50 000 habitants »."""
    def upper(value):
        # 3 499 is written « moins de 3 500 », as the official texts say it.
        if (value + 1) % 500 == 0:
            return f"moins de {_number(value + 1)}"
        return f"{_number(value)} habitants au plus"

    if minimum and maximum is not None:
        return f"communes de {_number(minimum)} à {_number(maximum)} habitants"
    if maximum is not None:
        text = upper(maximum)
        return f"communes de {text} habitants" if text.startswith("moins") else f"communes de {text}"
    return f"communes d'au moins {_number(minimum)} habitants"


def _places(regions, departments) -> str:
    """« Nièvre (58) », « Bretagne, Normandie »: where a programme is limited to."""
    if departments:
        return ", ".join(f"{geo.DEPARTMENT_NAMES.get(code, code)} ({code})" for code in departments)
    return ", ".join(geo.REGIONS.get(code, code) for code in regions)


def _lower_first(label: str) -> str:
    """« Associations » → « associations », but « PETR et pays » stays as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _beneficiaries_phrase(values) -> str:
    return ", ".join(_lower_first(BENEFICIARIES.label(value)) for value in values)


# Criteria a programme's own text adds to its population rule that no shipped list lets the
# service check (DETR: communes of 2,000 to 20,000 inhabitants whose « potentiel financier par
# habitant » is under a threshold). A commune inside the band is then « à vérifier », the
# criterion named, never « éligible ».
UNVERIFIABLE_CRITERIA = (
    ("potentiel financier", "de potentiel financier par habitant"),
    ("effort fiscal", "d’effort fiscal"),
    ("revenu par habitant", "de revenu par habitant"),
)


def _text(programme) -> str:
    return " ".join(str(getattr(programme, name, None) or "") for name in ("summary", "description_html")).lower()


def unverifiable_criterion(programme) -> str | None:
    """« de potentiel financier par habitant » when the programme's text states such a criterion."""
    text = _text(programme)
    return next((phrase for needle, phrase in UNVERIFIABLE_CRITERIA if needle in text), None)


def verdict(programme, eligibility: Eligibility, details: dict | None = None) -> Verdict:
    """The state of ``programme`` (a Programme or anything with its fields) for a commune.

    ``details`` may give, by condition slug, what the commune page shows of that membership
    (« Massif des Pyrénées », « FRR socle ») to make the reason precise.
    """
    name = eligibility.commune_name
    details = details or {}
    regions, departments = list(programme.regions or []), list(programme.departments or [])
    nationwide, _available_regions, available_departments = geo.availability(regions, departments)
    if not nationwide and eligibility.department not in available_departments:
        return Verdict(NOT_ELIGIBLE, f"programme réservé à un autre territoire ({_places(regions, departments)})",
                       name)

    minimum, maximum = programme.population_min, programme.population_max
    has_population_rule = minimum is not None or maximum is not None
    if has_population_rule and eligibility.population is not None:
        if (minimum is not None and eligibility.population < minimum) or (
                maximum is not None and eligibility.population > maximum):
            if eligibility.department.startswith("97") and "outre-mer" in _text(programme):
                # Overseas thresholds differ (DETR: 3 500 and 35 000) and are not modelled.
                return Verdict(TO_CHECK, "le programme fixe des seuils de population propres à l’outre-mer, "
                                         "à vérifier dans son texte", name)
            return Verdict(NOT_ELIGIBLE, "réservé aux " + population_phrase(minimum, maximum), name)

    beneficiaries = list(programme.beneficiaries or [])
    if beneficiaries and not set(beneficiaries) & set(eligibility.beneficiaries):
        return Verdict(NOT_ELIGIBLE, "réservé aux " + _beneficiaries_phrase(beneficiaries), name)

    conditions = [slug for slug in programme.territories or [] if slug in CONDITIONS]
    if conditions:
        met = [slug for slug in conditions if slug in eligibility.territories]
        if met:
            slug = met[0]
            reason = CONDITIONS[slug].member
            if details.get(slug):
                reason += f" ({details[slug]})"
            return Verdict(ELIGIBLE, reason, name)
        partial = [slug for slug in conditions if slug in eligibility.partial_territories]
        if partial:
            slug = partial[0]
            level = details.get(slug) or FRR_LEVELS["partiel"]
            return Verdict(TO_CHECK, f"commune classée en partie seulement ({level}), vérifiez que le projet se "
                                     "situe dans la partie classée", name)
        restriction = restriction_text(conditions)
        return Verdict(NOT_ELIGIBLE, restriction[0].lower() + restriction[1:], name)

    if has_population_rule and eligibility.population is None:
        return Verdict(TO_CHECK, "population de la commune inconnue", name)
    criterion = unverifiable_criterion(programme) if has_population_rule else None
    if criterion:
        return Verdict(TO_CHECK, f"programme ouvert aux {population_phrase(minimum, maximum)} sous condition "
                                 f"{criterion}, critère que le Guichet ne peut pas vérifier", name)
    if has_population_rule:
        return Verdict(ELIGIBLE, "programme ouvert aux " + population_phrase(minimum, maximum), name)
    if beneficiaries:
        if "commune" in beneficiaries:
            return Verdict(ELIGIBLE, "programme ouvert aux communes", name)
        return Verdict(ELIGIBLE, "par son intercommunalité, à laquelle le programme est ouvert", name)
    return Verdict(TO_CHECK, "conditions non précisées par la source", name)
