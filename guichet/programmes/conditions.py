"""The territorial conditions a programme can be restricted to, and how each is matched.

A programme's ``territories`` is a list of these slugs; empty means no territorial condition.
Two other conditions of the record live here too, the ones a population rule can carry:
``criteria`` (what the programme's text adds that no shipped list can check: potentiel
financier, effort fiscal ...) and ``population_bands`` (several bands, each open outright or
« sous condition » of one criterion, with their own overseas figures: DETR).
Several slugs mean « any of them »: a programme for « Action Cœur de ville ou Petites villes de
demain » communes lists both. A commune meets a condition when the official list or zoning
named below holds it (``guichet.territories.loader`` derives each commune's conditions once,
at load time, from the files of ``guichet/territories/data/``).
"""

import re
from dataclasses import dataclass

from babel.lists import format_list

# The slugs and their French labels are declared once, with the record's other vocabularies.
from guichet.programmes.vocabulary import CRITERIA as CRITERIA_LABELS, TERRITORIAL_CONDITIONS
from guichet.text import fold


@dataclass(frozen=True)
class Condition:
    slug: str
    restriction: str  # on a programme page: « Réservé aux communes du programme … »
    member: str  # after « X est éligible : » (« commune Action Cœur de ville »)
    matched_by: str  # which official list decides, for curators and the « À propos » page

    @property
    def label(self) -> str:
        """The programme or zoning, as its owner names it (``TERRITORIAL_CONDITIONS``)."""
        return TERRITORIAL_CONDITIONS[self.slug]


CONDITIONS = {condition.slug: condition for condition in (
    Condition("acv",
              "Réservé aux communes du programme Action Cœur de ville",
              "commune Action Cœur de ville",
              "liste ANCT des communes Action Cœur de ville (y compris les « entrées de ville ») et table de "
              "croisement des dispositifs de l’ANCT"),
    Condition("pvd",
              "Réservé aux communes du programme Petites villes de demain",
              "Petite ville de demain",
              "liste ANCT des communes Petites villes de demain et table de croisement des dispositifs"),
    Condition("villages-avenir",
              "Réservé aux communes du programme Villages d’avenir",
              "Village d’avenir",
              "liste ANCT des communes Villages d’avenir et table de croisement des dispositifs"),
    Condition("qpv",
              "Réservé aux communes ayant au moins un quartier prioritaire de la politique de la ville",
              "commune ayant un quartier prioritaire de la politique de la ville",
              "liste des quartiers prioritaires (QPV) 2024 : une commune en est dès qu’un quartier la touche"),
    Condition("frr",
              "Réservé aux communes classées France Ruralités Revitalisation",
              "commune classée France Ruralités Revitalisation",
              "classement FRR de la DGCL au 10 juillet 2025 : FRR socle, FRR+ et FRR bénéficiaire ; une "
              "commune classée partiellement est « à vérifier »"),
    Condition("montagne",
              "Réservé aux communes de montagne (loi Montagne)",
              "commune de montagne",
              "zonage montagne publié par l’Observatoire des territoires (avec le massif)"),
    Condition("territoires-industrie",
              "Réservé aux communes d’un Territoire d’industrie",
              "commune d’un Territoire d’industrie",
              "intercommunalités des Territoires d’industrie 2023-2027 (leurs communes membres) et table de "
              "croisement des dispositifs"),
    Condition("ort",
              "Réservé aux communes ayant signé une opération de revitalisation de territoire (ORT)",
              "commune ayant signé une ORT",
              "suivi ANCT des ORT : seules les conventions signées comptent"),
    Condition("rural",
              "Réservé aux communes rurales (grille communale de densité de l’INSEE)",
              "commune rurale",
              "grille communale de densité de l’INSEE à 7 niveaux : niveaux 5 (bourgs ruraux), 6 et 7 "
              "(rural à habitat dispersé ou très dispersé)"),
)}

# The INSEE 7-level communal density grid, densest first.
DENSITY_LEVELS = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Ceintures urbaines",
    4: "Petites villes",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
RURAL_DENSITY_LEVELS = frozenset({5, 6, 7})

# France Ruralités Revitalisation, as the DGCL list names each class.
FRR_LEVELS = {
    "socle": "FRR socle",
    "plus": "FRR+",
    "beneficiaire": "FRR bénéficiaire",
    "beneficiaire-partiel": "FRR bénéficiaire partiellement",
    "partiel": "classée FRR partiellement",
}
FRR_FULL = frozenset({"socle", "plus", "beneficiaire"})
FRR_PARTIAL = frozenset({"beneficiaire-partiel", "partiel"})


class InvalidCondition(ValueError):
    """A territorial condition that is not in the vocabulary; ``message`` is French."""

    def __init__(self, value):
        self.value = value
        self.message = (f"Condition territoriale inconnue : « {str(value)[:60]} ». Conditions possibles : "
                        + ", ".join(CONDITIONS) + ".")
        super().__init__(self.message)


def _clean_slugs(values, vocabulary: dict, refused) -> list[str]:
    """Slugs of ``vocabulary`` checked and in its order; raises ``refused(value)`` for a value
    (or a whole value) that is not one."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise refused(values)
    chosen = set()
    for value in values:
        if not isinstance(value, str) or value.strip() not in vocabulary:
            raise refused(value)
        chosen.add(value.strip())
    return [slug for slug in vocabulary if slug in chosen]


def clean_conditions(values) -> list[str]:
    """A programme's ``territories`` checked and in vocabulary order; raises InvalidCondition."""
    return _clean_slugs(values, CONDITIONS, InvalidCondition)


def restriction_text(slugs) -> str | None:
    """« Réservé aux communes du programme Action Cœur de ville », or the list when several."""
    slugs = [slug for slug in CONDITIONS if slug in set(slugs or ())]
    if not slugs:
        return None
    if len(slugs) == 1:
        return CONDITIONS[slugs[0]].restriction
    return ("Réservé aux communes de l’un de ces programmes ou zonages : "
            + ", ".join(CONDITIONS[slug].label for slug in slugs))


# -- criteria no shipped list can check ----------------------------------------------------------

@dataclass(frozen=True)
class Criterion:
    slug: str
    phrase: str  # after « sous condition » (« de potentiel financier par habitant »)

    @property
    def label(self) -> str:
        return CRITERIA_LABELS[self.slug]


CRITERIA = {criterion.slug: criterion for criterion in (
    Criterion("potentiel-financier", "de potentiel financier par habitant"),
    Criterion("effort-fiscal", "d’effort fiscal"),
    Criterion("revenu-par-habitant", "de revenu par habitant"),
    Criterion("dsu", "d’éligibilité à la dotation de solidarité urbaine (DSU)"),
    # « hors unités urbaines de plus de 100 000 habitants »: the agglomeration's size, not the commune's.
    Criterion("unite-urbaine", "de taille de l’unité urbaine (INSEE) où se trouve la commune"),
    # « de 2 000 à 20 000 habitants sous condition » without saying which.
    Criterion("autre", "précisée par le texte du programme"),
)}


class InvalidCriterion(ValueError):
    """A criterion or a population band that the record cannot hold; ``message`` is French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _unknown_criterion(value) -> InvalidCriterion:
    return InvalidCriterion(f"Critère inconnu : « {str(value)[:60]} ». Critères possibles : "
                            + ", ".join(CRITERIA) + ".")


def clean_criteria(values) -> list[str]:
    """A programme's ``criteria`` checked and in vocabulary order; raises InvalidCriterion."""
    return _clean_slugs(values, CRITERIA, _unknown_criterion)


def criteria_text(slugs) -> str | None:
    """« Sous condition de potentiel financier par habitant » (a programme page's line)."""
    slugs = [slug for slug in CRITERIA if slug in set(slugs or ())]
    if not slugs:
        return None
    return "Sous condition " + format_list([CRITERIA[slug].phrase for slug in slugs], locale="fr")


# -- population bands ----------------------------------------------------------------------------

NARROW_NBSP = "\u202f"


@dataclass(frozen=True)
class Band:
    """One population band of a programme: ``[minimum, maximum]`` inhabitants (None: open),
    open outright or « sous condition » of ``criterion``; ``overseas`` bands are those of the
    overseas départements (DETR: 3 500 and 35 000 instead of 2 000 and 20 000)."""

    minimum: int | None = None
    maximum: int | None = None
    criterion: str | None = None
    overseas: bool = False

    def holds(self, population: int) -> bool:
        return ((self.minimum is None or population >= self.minimum)
                and (self.maximum is None or population <= self.maximum))

    def as_record(self) -> dict:
        return {"min": self.minimum, "max": self.maximum, "criterion": self.criterion, "overseas": self.overseas}

    @classmethod
    def of(cls, value) -> "Band":
        if isinstance(value, Band):
            return value
        return cls(value.get("min"), value.get("max"), value.get("criterion"), bool(value.get("overseas")))


BAND_KEYS = {"min", "max", "criterion", "overseas"}


def _bound(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidCriterion(f"Tranche de population : « {name} » doit être un nombre d’habitants.")
    try:
        number = float(str(value).replace("\u202f", "").replace("\xa0", "").replace(" ", ""))
    except ValueError:
        raise InvalidCriterion(f"Tranche de population : « {str(value)[:30]} » n’est pas un nombre "
                               "d’habitants.") from None
    if not number.is_integer() or number < 0:
        raise InvalidCriterion("Tranche de population : un nombre d’habitants est entier et positif.")
    return int(number)


def clean_bands(values) -> list[dict]:
    """A programme's ``population_bands`` checked, each as ``{"min", "max", "criterion",
    "overseas"}``, metropolitan bands first, each side by its lower bound; raises InvalidCriterion."""
    if values in (None, ""):
        return []
    if not isinstance(values, (list, tuple)):
        raise InvalidCriterion("Les tranches de population sont une liste.")
    bands = []
    for value in values:
        if isinstance(value, Band):
            value = value.as_record()
        if not isinstance(value, dict) or set(value) - BAND_KEYS:
            raise InvalidCriterion("Une tranche de population a les clés min, max, criterion et overseas.")
        minimum, maximum = _bound(value.get("min"), "min"), _bound(value.get("max"), "max")
        criterion = value.get("criterion") or None
        if criterion is not None and criterion not in CRITERIA:
            raise _unknown_criterion(criterion)
        if minimum is not None and maximum is not None and minimum > maximum:
            raise InvalidCriterion(f"Tranche de population : le minimum ({_number(minimum)}) dépasse le "
                                   f"maximum ({_number(maximum)}).")
        if minimum is None and maximum is None and criterion is None:
            raise InvalidCriterion("Une tranche de population sans borne ni critère ne dit rien.")
        overseas = value.get("overseas") or False
        if not isinstance(overseas, bool):
            raise InvalidCriterion("Tranche de population : « overseas » vaut true ou false.")
        bands.append(Band(minimum, maximum, criterion, overseas))
    bands = sorted(dict.fromkeys(bands), key=lambda band: (band.overseas, band.minimum or 0, band.maximum or 0))
    return [band.as_record() for band in bands]


def widest(bands) -> tuple[int | None, int | None]:
    """The union of bands, as one range: what search filters by."""
    bands = [Band.of(band) for band in bands]
    lows = [band.minimum for band in bands]
    highs = [band.maximum for band in bands]
    return (None if None in lows else min(lows)), (None if None in highs else max(highs))


def bands_for(programme, overseas: bool) -> list[Band]:
    """The bands that judge a commune (its overseas ones when it is overseas and the programme
    has some); a programme without bands has one, its ``[population_min, population_max]``."""
    bands = [Band.of(band) for band in getattr(programme, "population_bands", None) or []]
    chosen = [band for band in bands if band.overseas] if overseas else []
    chosen = chosen or [band for band in bands if not band.overseas]
    if chosen:
        return chosen
    minimum, maximum = programme.population_min, programme.population_max
    return [] if minimum is None and maximum is None else [Band(minimum, maximum)]


def overseas_range(population_min, population_max, bands) -> tuple[int | None, int | None]:
    """The widest range for an overseas commune: the overseas bands', else the programme's."""
    overseas = [band for band in (Band.of(band) for band in bands or []) if band.overseas]
    return widest(overseas) if overseas else (population_min, population_max)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", NARROW_NBSP)


def _band_phrase(band: Band) -> str:
    if band.minimum is not None and band.maximum is not None:
        text = f"de {_number(band.minimum)} à {_number(band.maximum)} habitants"
    elif band.maximum is not None:
        text = f"de {_number(band.maximum)} habitants au plus"
    elif band.minimum is not None:
        text = f"d'au moins {_number(band.minimum)} habitants"
    else:
        text = "de toute taille"
    if band.criterion:
        text += f" sous condition {CRITERIA[band.criterion].phrase}"
    return text


def bands_text(bands) -> str | None:
    """A programme page's line: « Communes de 2 000 habitants au plus ; de 2 001 à 20 000
    habitants sous condition de potentiel financier par habitant. En outre-mer : … »."""
    bands = [Band.of(band) for band in bands or []]
    if not bands:
        return None
    metropolitan = [band for band in bands if not band.overseas]
    overseas = [band for band in bands if band.overseas]
    parts = []
    if metropolitan:
        parts.append("Communes " + " ; ".join(_band_phrase(band) for band in metropolitan))
    if overseas:
        parts.append(("En outre-mer : communes " if metropolitan else "Communes d'outre-mer ")
                     + " ; ".join(_band_phrase(band) for band in overseas))
    return ". ".join(parts)


def criteria_sentence(programme) -> str | None:
    """A programme page's line for the criteria no band names: « Sous condition d’effort
    fiscal : critère que le Guichet ne peut pas vérifier, à lire dans le texte du programme. »"""
    slugs = unbanded_criteria(programme)
    if not slugs:
        return None
    noun = "critère" if len(slugs) == 1 else "critères"
    return f"{criteria_text(slugs)} : {noun} que le Guichet ne peut pas vérifier, à lire dans le texte du programme."


def unbanded_criteria(programme) -> list[str]:
    """The criteria of a programme that no band names: they concern every commune."""
    named = {Band.of(band).criterion for band in getattr(programme, "population_bands", None) or []}
    return [slug for slug in getattr(programme, "criteria", None) or [] if slug in CRITERIA and slug not in named]


# The back office edits bands as lines of text, one a band, in French:
#   « jusqu'à 2 000 », « 2 001 à 20 000 sous condition potentiel-financier »,
#   « outre-mer : 3 501 à 35 000 sous condition potentiel-financier », « à partir de 50 000 ».
_OVERSEAS_PREFIX = re.compile(r"^\s*outre-?mer\s*:?\s*", re.IGNORECASE)
_CONDITION_SUFFIX = re.compile(r"\s+sous\s+condition\s*:?\s*(?P<criterion>.+?)\s*$", re.IGNORECASE)
_FIGURE = r"(\d[\d \u00a0\u202f]*)"
_RANGE_FORMS = (
    (re.compile(r"^jusqu['’]à\s+" + _FIGURE + r"$", re.IGNORECASE), lambda value: (None, value)),
    (re.compile(r"^à\s+partir\s+de\s+" + _FIGURE + r"$", re.IGNORECASE), lambda value: (value, None)),
    (re.compile(r"^" + _FIGURE + r"\s*(?:à|-|–)\s*" + _FIGURE + r"$", re.IGNORECASE), lambda low, high: (low, high)),
    (re.compile(r"^(?:toutes\s+tailles|toute\s+taille)$", re.IGNORECASE), lambda: (None, None)),
)
BAND_EXAMPLE = "« 2 001 à 20 000 sous condition potentiel-financier »"


def band_line(band) -> str:
    """One band as the back office writes it (``parse_band_lines`` reads it back)."""
    band = Band.of(band)
    if band.minimum is not None and band.maximum is not None:
        text = f"{_number(band.minimum)} à {_number(band.maximum)}"
    elif band.maximum is not None:
        text = f"jusqu'à {_number(band.maximum)}"
    elif band.minimum is not None:
        text = f"à partir de {_number(band.minimum)}"
    else:
        text = "toutes tailles"
    if band.criterion:
        text += f" sous condition {band.criterion}"
    return ("outre-mer : " if band.overseas else "") + text


def parse_band_lines(text: str) -> list[dict]:
    """The back office's lines (``band_line``) as ``population_bands``; raises InvalidCriterion."""
    by_label = {fold(criterion.label): slug for slug, criterion in CRITERIA.items()}
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().rstrip(".;")
        if not line:
            continue
        overseas = bool(_OVERSEAS_PREFIX.match(line))
        rest = _OVERSEAS_PREFIX.sub("", line)
        criterion = None
        condition = _CONDITION_SUFFIX.search(rest)
        if condition:
            named = condition.group("criterion").strip()
            criterion = named if named in CRITERIA else by_label.get(fold(named))
            if criterion is None:
                raise InvalidCriterion(f"Ligne {number} : critère inconnu « {named[:60]} ». Critères possibles : "
                                       + ", ".join(CRITERIA) + ".")
            rest = rest[:condition.start()]
        rest = re.sub(r"\s*habitants?\s*$|\s*hab\.?\s*$", "", rest.strip(), flags=re.IGNORECASE)
        for pattern, read in _RANGE_FORMS:
            match = pattern.match(rest)
            if match:
                minimum, maximum = read(*(int(re.sub(r"\D", "", group)) for group in match.groups()))
                break
        else:
            raise InvalidCriterion(f"Ligne {number} : tranche illisible « {line[:60]} ». Écrivez par exemple "
                                   f"{BAND_EXAMPLE}, « jusqu’à 2 000 » ou « outre-mer : jusqu’à 3 500 ».")
        bands.append({"min": minimum, "max": maximum, "criterion": criterion, "overseas": overseas})
    try:
        return clean_bands(bands)
    except InvalidCriterion as error:
        raise InvalidCriterion(error.message) from None
