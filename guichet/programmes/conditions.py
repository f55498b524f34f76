"""The territorial conditions a programme can be restricted to, and how each is matched.

A programme's ``territories`` is a list of these slugs; empty means no territorial condition.
Several slugs mean « any of them »: a programme for « Action Cœur de ville ou Petites villes de
demain » communes lists both. A commune meets a condition when the official list or zoning
named below holds it (``guichet.territories.loader`` derives each commune's conditions once,
at load time, from the files of ``guichet/territories/data/``).
"""

from dataclasses import dataclass

# The slugs and their French labels are declared once, with the record's other vocabularies.
from guichet.programmes.vocabulary import TERRITORIAL_CONDITIONS


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
              "croisement des dispositifs de l'ANCT"),
    Condition("pvd",
              "Réservé aux communes du programme Petites villes de demain",
              "Petite ville de demain",
              "liste ANCT des communes Petites villes de demain et table de croisement des dispositifs"),
    Condition("villages-avenir",
              "Réservé aux communes du programme Villages d'avenir",
              "Village d'avenir",
              "liste ANCT des communes Villages d'avenir et table de croisement des dispositifs"),
    Condition("qpv",
              "Réservé aux communes ayant au moins un quartier prioritaire de la politique de la ville",
              "commune ayant un quartier prioritaire de la politique de la ville",
              "liste des quartiers prioritaires (QPV) 2024 : une commune en est dès qu'un quartier la touche"),
    Condition("frr",
              "Réservé aux communes classées France Ruralités Revitalisation",
              "commune classée France Ruralités Revitalisation",
              "classement FRR de la DGCL au 10 juillet 2025 : FRR socle, FRR+ et FRR bénéficiaire ; une "
              "commune classée partiellement est « à vérifier »"),
    Condition("montagne",
              "Réservé aux communes de montagne (loi Montagne)",
              "commune de montagne",
              "zonage montagne publié par l'Observatoire des territoires (avec le massif)"),
    Condition("territoires-industrie",
              "Réservé aux communes d'un Territoire d'industrie",
              "commune d'un Territoire d'industrie",
              "intercommunalités des Territoires d'industrie 2023-2027 (leurs communes membres) et table de "
              "croisement des dispositifs"),
    Condition("ort",
              "Réservé aux communes ayant signé une opération de revitalisation de territoire (ORT)",
              "commune ayant signé une ORT",
              "suivi ANCT des ORT : seules les conventions signées comptent"),
    Condition("rural",
              "Réservé aux communes rurales (grille communale de densité de l'INSEE)",
              "commune rurale",
              "grille communale de densité de l'INSEE à 7 niveaux : niveaux 5 (bourgs ruraux), 6 et 7 "
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


def clean_conditions(values) -> list[str]:
    """A programme's ``territories`` checked and in vocabulary order; raises InvalidCondition."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise InvalidCondition(values)
    chosen = set()
    for value in values:
        if not isinstance(value, str) or value.strip() not in CONDITIONS:
            raise InvalidCondition(value)
        chosen.add(value.strip())
    return [slug for slug in CONDITIONS if slug in chosen]


def restriction_text(slugs) -> str | None:
    """« Réservé aux communes du programme Action Cœur de ville », or the list when several."""
    slugs = [slug for slug in CONDITIONS if slug in set(slugs or ())]
    if not slugs:
        return None
    if len(slugs) == 1:
        return CONDITIONS[slugs[0]].restriction
    return ("Réservé aux communes de l'un de ces programmes ou zonages : "
            + ", ".join(CONDITIONS[slug].label for slug in slugs))
