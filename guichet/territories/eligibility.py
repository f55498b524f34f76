"""Is this commune eligible for this programme? Three honest states, each with its reason.

- ``eligible``: every condition the programme states is met, and it states at least one that
  concerns communes (a beneficiary type, a town size, a list or zoning): « Lunéville est
  éligible : commune Action Cœur de ville »;
- ``not_eligible``: a stated condition is not met, and the reason names it: « Non éligible :
  réservé aux communes de moins de 3 500 habitants »;
- ``to_check``: the source states no condition at all, the commune meets a condition only in
  part (« classée FRR partiellement »), or the programme adds a criterion no shipped list can
  check (its ``criteria``, or the « sous condition » band its population falls in: DETR's
  potentiel financier from 2 000 to 20 000 inhabitants): « Éligibilité à vérifier : … », the
  criterion named. Never a guess shown as a fact.

Population is judged by the programme's bands (``population_bands``; without any, its
``[population_min, population_max]``), an overseas commune by the overseas bands when the
programme has some (DETR: 3 500 and 35 000).

The same rules as the search backends' eligibility filter (``guichet.search.sqlite``,
``guichet.search.elasticsearch``): a programme either backend returns for a commune is never
« non éligible » here (tests check both agree). The backends filter by the widest union of the
bands (``population_min``/``population_max``, and its overseas twin): only a commune in a gap
between two bands of one programme would be kept by the search and judged « non éligible ».
"""

from dataclasses import dataclass

from babel.lists import format_list

from guichet import geo
from guichet.programmes.vocabulary import BENEFICIARIES
from guichet.search.query import Eligibility
from guichet.web.formatting import number_fr
from guichet.programmes.conditions import (CONDITIONS, CRITERIA, FRR_LEVELS, Band, bands_for, restriction_text,
                                           widest)

ELIGIBLE, NOT_ELIGIBLE, TO_CHECK = "eligible", "not_eligible", "to_check"
STATE_LABELS = {ELIGIBLE: "Éligible", NOT_ELIGIBLE: "Non éligible", TO_CHECK: "Éligibilité à vérifier"}


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


def population_phrase(minimum: int | None, maximum: int | None) -> str:
    """« communes de moins de 3 500 habitants », « communes d'au moins 50 000 habitants »."""
    def upper(value):
        # 3 499 is written « moins de 3 500 », as the official texts say it.
        if (value + 1) % 500 == 0:
            return f"moins de {number_fr(value + 1)}"
        return f"{number_fr(value)} habitants au plus"

    if minimum and maximum is not None:
        return f"communes de {number_fr(minimum)} à {number_fr(maximum)} habitants"
    if maximum is not None:
        text = upper(maximum)
        return f"communes de {text} habitants" if text.startswith("moins") else f"communes de {text}"
    return f"communes d’au moins {number_fr(minimum)} habitants"


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

    # The population rule: the bands that judge this commune (overseas ones overseas), the one
    # that holds its population (an open band before one « sous condition »).
    bands = bands_for(programme, eligibility.overseas)
    band = None
    if bands and eligibility.population is not None:
        holding = [item for item in bands if item.holds(eligibility.population)]
        if not holding:
            phrase = population_phrase(*widest(bands))
            if eligibility.overseas and any(item.overseas for item in bands):
                phrase += " en outre-mer"
            return Verdict(NOT_ELIGIBLE, "réservé aux " + phrase, name)
        band = next((item for item in holding if item.criterion is None), holding[0])

    beneficiaries = list(programme.beneficiaries or [])
    if beneficiaries and not set(beneficiaries) & set(eligibility.beneficiaries):
        return Verdict(NOT_ELIGIBLE, "réservé aux " + _beneficiaries_phrase(beneficiaries), name)

    # Criteria no shipped list can check: the band's own, and those no band names (every commune's).
    named = {item.criterion for item in (Band.of(value) for value in getattr(programme, "population_bands", None)
                                         or []) if item.criterion}
    stated = set(getattr(programme, "criteria", None) or [])
    pending = [slug for slug in CRITERIA if slug in stated and slug not in named]
    if band is not None and band.criterion:
        pending = [band.criterion] + [slug for slug in pending if slug != band.criterion]

    def open_verdict(reason: str) -> Verdict:
        """Éligible, or « à vérifier » with the criteria the service cannot check named."""
        if not pending:
            return Verdict(ELIGIBLE, reason, name)
        # A slug the vocabulary no longer knows still keeps the programme « à vérifier ».
        phrases = list(dict.fromkeys((CRITERIA.get(slug) or CRITERIA["autre"]).phrase for slug in pending))
        joined = format_list(phrases, locale="fr")
        noun = "critère" if len(phrases) == 1 else "critères"
        separator = " " if reason.startswith("programme ouvert") else ", "
        return Verdict(TO_CHECK, f"{reason}{separator}sous condition {joined}, {noun} que le Guichet ne peut pas "
                                 "vérifier", name)

    conditions = [slug for slug in programme.territories or [] if slug in CONDITIONS]
    if conditions:
        met = [slug for slug in conditions if slug in eligibility.territories]
        if met:
            slug = met[0]
            reason = CONDITIONS[slug].member
            if details.get(slug):
                reason += f" ({details[slug]})"
            return open_verdict(reason)
        partial = [slug for slug in conditions if slug in eligibility.partial_territories]
        if partial:
            slug = partial[0]
            level = details.get(slug) or FRR_LEVELS["partiel"]
            return Verdict(TO_CHECK, f"commune classée en partie seulement ({level}), vérifiez que le projet se "
                                     "situe dans la partie classée", name)
        restriction = restriction_text(conditions)
        return Verdict(NOT_ELIGIBLE, restriction[0].lower() + restriction[1:], name)

    if bands and eligibility.population is None:
        return Verdict(TO_CHECK, "population de la commune inconnue", name)
    if band is not None and (band.minimum is not None or band.maximum is not None):
        return open_verdict("programme ouvert aux " + population_phrase(band.minimum, band.maximum))
    if pending:
        return open_verdict("programme ouvert")
    if beneficiaries:
        if "commune" in beneficiaries:
            return Verdict(ELIGIBLE, "programme ouvert aux communes", name)
        return Verdict(ELIGIBLE, "par son intercommunalité, à laquelle le programme est ouvert", name)
    return Verdict(TO_CHECK, "conditions non précisées par la source", name)
