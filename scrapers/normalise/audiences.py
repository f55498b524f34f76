"""Audiences, aid types and recurrence as the sources name them → the record's values."""

from __future__ import annotations

from scrapers.normalise.words import _key

# Folded labels and codes seen at the sources → values of guichet.programmes.vocabulary
# (BENEFICIARIES, AID_TYPES, RECURRENCES, LEVELS; the record check refuses any other).
_BENEFICIARY_WORDS = (
    (("commune", "communes", "mairie", "municipalite", "collectivites territoriales et leurs groupements",
      "collectivites", "collectivite", "collectivites locales"), "commune"),
    (("epci", "intercommunalite", "intercommunalites", "intercommunalites pays", "intercommunalite pays", "epci a fiscalite propre",
      "groupements de collectivites", "syndicat", "syndicats", "petr", "pays", "metropole"), "epci"),
    (("department", "departement", "departements", "conseil departemental"), "departement"),
    (("region", "regions", "conseil regional"), "region"),
    (("association", "associations", "fondation", "fondations", "association fondation"), "association"),
    (("private_sector", "entreprise", "entreprises", "entreprises privees", "entreprise privee", "pme", "tpe", "eti",
      "start up", "startup", "industriel"), "entreprise"),
    (("public_org", "public_cies", "etablissements publics", "etablissement public", "special",
      "etablissements publics ecoles bibliotheques services de l'etat", "services de l'etat",
      "etablissements publics ecoles bibliotheques", "entreprises publiques locales", "sem", "spl",
      "etablissements d'enseignement superieur", "ecoles d'enseignement superieur culture",
      "entreprises publiques locales sem spl semop", "entreprise publique locale sem spl semop",
      "entreprise publique locale", "etablissement public dont services de l'etat",
      "etablissements publics services de l'etat", "etablissements publics services de l'etat bibliotheques"),
     "etablissement_public"),
    # Saint-Barthélemy, Saint-Martin, Saint-Pierre-et-Miquelon ...: none of our values says it.
    (("collectivites d'outre mer a statuts particuliers", "collectivite d'outre mer a statut particulier"), "autre"),
    (("private_person", "particulier", "particuliers"), "particulier"),
    (("farmer", "agriculteur", "agriculteurs"), "agriculteur"),
    (("researcher", "recherche", "chercheur", "chercheurs", "laboratoires", "organismes de recherche"), "recherche"),
    (("bailleurs sociaux", "bailleur social"), "bailleur_social"),
)
_BENEFICIARY_BY_KEY = {_key(word): value for words, value in _BENEFICIARY_WORDS for word in words}


def beneficiaries(values) -> list[str]:
    """Audiences as the sources name them (codes or labels) → DESIGN.md beneficiaries."""
    if isinstance(values, (str, dict)):
        values = [values]
    found = []
    for raw in values or []:
        if isinstance(raw, dict):
            raw = raw.get("title") or raw.get("name") or raw.get("label") or ""
        key = _key(str(raw))
        value = _BENEFICIARY_BY_KEY.get(key)
        if value is None:
            # The longest known label the text starts with: « entreprises publiques locales … »
            # is no « entreprises ».
            prefixes = [word for word in _BENEFICIARY_BY_KEY if len(word) > 4 and key.startswith(word)]
            if prefixes:
                value = _BENEFICIARY_BY_KEY[max(prefixes, key=len)]
        if value and value not in found:
            found.append(value)
    return found


_AID_TYPE_BY_KEY = {
    "grant": "subvention", "subvention": "subvention", "subventions": "subvention", "aide financiere": "subvention",
    "gag": "subvention", "aap": "subvention", "cee": "autre", "certificat d'economie d'energie": "autre",
    "certificat d'economie d'energie cee": "autre",
    "loan": "pret", "pret": "pret", "prets": "pret", "pret a taux zero": "pret",
    "recoverable_advance": "avance_remboursable", "avance recuperable": "avance_remboursable",
    "avance remboursable": "avance_remboursable",
    "technical_engineering": "ingenierie", "financial_engineering": "ingenierie",
    "legal_engineering": "ingenierie", "ingenierie technique": "ingenierie", "ingenierie financiere": "ingenierie",
    "ingenierie juridique administrative": "ingenierie", "ingenierie": "ingenierie", "accompagnement": "ingenierie",
    "garantie": "garantie", "guarantee": "garantie", "other": "autre", "autre aide financiere": "autre",
    "autre": "autre", "autre aide": "autre",
}


_AID_TYPE_BY_KEY = {_key(word): value for word, value in _AID_TYPE_BY_KEY.items()}


def aid_types(values) -> list[str]:
    """Aid types (codes, labels, or {name, group}) → the record's values. One string is one
    type (the Drôme export sends « Ingénierie technique », not a list)."""
    if isinstance(values, (str, dict)):
        values = [values]
    found = []
    for raw in values or []:
        if isinstance(raw, dict):
            raw = raw.get("name") or raw.get("title") or ""
        value = _AID_TYPE_BY_KEY.get(_key(str(raw)))
        if value is None and str(raw).strip():
            value = "autre"
        if value and value not in found:
            found.append(value)
    return found


_RECURRENCE_BY_KEY = {
    "oneoff": "ponctuelle", "ponctuelle": "ponctuelle", "ponctuel": "ponctuelle",
    "ongoing": "permanente", "permanente": "permanente", "permanent": "permanente", "au fil de l'eau": "permanente",
    "recurring": "recurrente", "recurrente": "recurrente", "recurrent": "recurrente", "annuelle": "recurrente",
}


_RECURRENCE_BY_KEY = {_key(word): value for word, value in _RECURRENCE_BY_KEY.items()}


def recurrence(value) -> str | None:
    if not value:
        return None
    return _RECURRENCE_BY_KEY.get(_key(str(value)))


audiences = beneficiaries
