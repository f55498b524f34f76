"""The allowed values of a programme's fields, each with its French label: declared once.

Scrapers, the record check (``guichet.programmes.records``), both search backends, the search
parameters (``guichet.search.params``), the API schema, back-office forms, digests and pages
all read these. A value that is not here is not a programme's value: the record check refuses
it, the search parser answers a 400, and nobody else has to guess.

Each vocabulary knows its French noun and gender, so that messages agree (« Thème inconnu »,
« Récurrence inconnue ») and descriptions of a search read « Bénéficiaire : Communes ».
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from guichet.programmes.themes import THEME_LABELS


@dataclass(frozen=True)
class Vocabulary(Mapping):
    """An ordered mapping value → French label, with the French noun of what the values are.

    ``noun`` is the singular noun as it starts a sentence (« Type d'aide »), ``feminine`` its
    gender for agreements.
    """

    name: str
    noun: str
    feminine: bool
    labels: Mapping

    def __getitem__(self, value):
        return self.labels[value]

    def __iter__(self):
        return iter(self.labels)

    def __len__(self):
        return len(self.labels)

    def __hash__(self):
        return hash(self.name)

    def label(self, value) -> str:
        """The French label, or the value itself when it is unknown (never raises: pages)."""
        return self.labels.get(value, value)

    def unknown(self, value) -> str:
        """« Thème inconnu : « lune ». », agreed with the noun's gender."""
        return f"{self.noun} {'inconnue' if self.feminine else 'inconnu'} : « {str(value)[:60]} »."

    def describe(self, values) -> str:
        """« Échelon : Europe, Région » (values in the vocabulary's order)."""
        chosen = [value for value in self.labels if value in values]
        chosen += sorted(value for value in values if value not in self.labels)
        return f"{self.noun} : " + ", ".join(self.label(value) for value in chosen)


class PopulationBand(NamedTuple):
    """A town-size band of DESIGN.md; it matches programmes whose population range overlaps it."""

    label: str
    minimum: int
    maximum: int | None


LEVELS = Vocabulary("level", "Échelon", False, {
    "europe": "Europe",
    "national": "National",
    "regional": "Région",
    "departmental": "Département",
    "local": "Local",
})
# The level as an adjective, after « niveau » (sources' pages and `guichet sources`).
LEVEL_ADJECTIVES = {
    "europe": "européen",
    "national": "national",
    "regional": "régional",
    "departmental": "départemental",
    "local": "local",
}

STATES = Vocabulary("state", "État", False, {
    "pending": "En attente",
    "published": "Publié",
    "rejected": "Rejeté",
    "merged": "Fusionné",
})

# Derived from dates and today (never stored): the order is the one facets show.
STATUSES = Vocabulary("status", "Statut", False, {
    "ouvert": "Ouvert",
    "a_venir": "À venir",
    "clos": "Clos",
})
DEFAULT_STATUSES = frozenset({"ouvert", "a_venir"})

RECURRENCES = Vocabulary("recurrence", "Récurrence", True, {
    "ponctuelle": "Ponctuelle",
    "recurrente": "Récurrente",
    "permanente": "Permanente",
})

AID_TYPES = Vocabulary("aid_types", "Type d’aide", False, {
    "subvention": "Subvention",
    "pret": "Prêt",
    "avance_remboursable": "Avance remboursable",
    "garantie": "Garantie",
    "ingenierie": "Ingénierie",
    "autre": "Autre aide",
})

# ``recherche`` (research bodies: laboratories, universities) is the one value; the back
# office's former ``chercheur`` was migrated (migration vocabulary_0001) and is mapped by the
# scrapers.
BENEFICIARIES = Vocabulary("beneficiaries", "Bénéficiaire", False, {
    "commune": "Communes",
    "epci": "Intercommunalités (EPCI)",
    "departement": "Départements",
    "region": "Régions",
    "syndicat": "Syndicats",
    "petr": "PETR et pays",
    "etablissement_public": "Établissements publics",
    "association": "Associations",
    "entreprise": "Entreprises",
    "bailleur_social": "Bailleurs sociaux",
    "particulier": "Particuliers",
    "recherche": "Organismes de recherche",
    "agriculteur": "Agriculteurs",
    "autre": "Autres bénéficiaires",
})

THEMES = Vocabulary("themes", "Thème", False, THEME_LABELS)

POPULATION_BANDS = Vocabulary("population", "Taille de la commune", True, {
    "moins-2000": PopulationBand("Moins de 2 000 hab.", 0, 1999),
    "2000-20000": PopulationBand("2 000 à 20 000 hab. (petites villes)", 2000, 19999),
    "20000-100000": PopulationBand("20 000 à 100 000 hab. (villes moyennes)", 20000, 99999),
    "plus-100000": PopulationBand("Plus de 100 000 hab.", 100001, None),
})

# Eligibility by membership of an official list or zoning (DESIGN.md). Their rules and data
# live in ``guichet.territories``; the slugs are these.
TERRITORIAL_CONDITIONS = Vocabulary("territories", "Condition territoriale", True, {
    "acv": "Action Cœur de ville",
    "pvd": "Petites villes de demain",
    "villages-avenir": "Villages d’avenir",
    "qpv": "Quartiers prioritaires de la politique de la ville",
    "frr": "France Ruralités Revitalisation",
    "montagne": "Communes de montagne",
    "territoires-industrie": "Territoires d’industrie",
    "ort": "Opération de revitalisation de territoire",
    "rural": "Communes rurales (grille de densité)",
})

# Criteria a programme's own text adds to its rule that no shipped list lets the service check
# (DETR: « dont le potentiel financier par habitant ne dépasse pas … »). Their rules live in
# ``guichet.programmes.conditions``; a commune otherwise eligible is « à vérifier », the
# criterion named.
CRITERIA = Vocabulary("criteria", "Critère à vérifier", False, {
    "potentiel-financier": "Potentiel financier par habitant",
    "effort-fiscal": "Effort fiscal",
    "revenu-par-habitant": "Revenu par habitant",
    "dsu": "Éligibilité à la dotation de solidarité urbaine (DSU)",
    "unite-urbaine": "Taille de l’unité urbaine (INSEE)",
    "autre": "Autre condition précisée par le programme",
})

# The record's fields whose values come from a vocabulary (single value or list).
FIELD_VOCABULARIES = {
    "level": LEVELS,
    "state": STATES,
    "status": STATUSES,
    "recurrence": RECURRENCES,
    "aid_types": AID_TYPES,
    "beneficiaries": BENEFICIARIES,
    "themes": THEMES,
}
