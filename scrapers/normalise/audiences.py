"""Audiences, aid types and recurrence as the sources name them → the record's values; and the
same read from French text (``beneficiaries_from_text``, ``aid_types_from_text``,
``recurrence_from_text``, ``is_call_for_projects``) for the page sources."""

from __future__ import annotations

import re

from scrapers.normalise.words import _key, dedupe

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
    """A recurrence label (« Permanente », « Récurrente », « oneoff » ...) → ours; None when the
    source says none; a value that is no label at all is an error, never read as « none »."""
    if not value:
        return None
    if not isinstance(value, str):
        raise ValueError(f"récurrence illisible : du texte était attendu, pas {type(value).__name__}")
    return _RECURRENCE_BY_KEY.get(_key(str(value)))


audiences = beneficiaries


# -- read from French text (page sources) ----------------------------------------------------

_BENEFICIARY_PATTERNS = (
    (r"\bcommunes?\b|\bmunicipalit|\bcollectivit[ée]s?\b|\bvilles?\b|\bbourgs?\b", "commune"),
    (r"\bepci\b|intercommunal|communaut[ée]s?\s+de\s+communes|communaut[ée]s?\s+d['’]agglom|\bm[ée]tropoles?\b|"
     r"\bsyndicats?\b|\bpetr\b|groupements?", "epci"),
    (r"\bd[ée]partements?\b", "departement"),
    (r"\br[ée]gions?\b(?!\s+(grand|nouvelle|occitanie|pays|[îi]le|bretagne|normandie|hauts|sud|centre|bourgogne|auvergne))",
     "region"),
    (r"\bassociations?\b|\bfondations?\b", "association"),
    (r"\bentreprises?\b|\bpme\b|\beti\b|\btpe\b|start-?up|\bscic\b|commer[çc]ants|artisans", "entreprise"),
    (r"[ée]tablissements?\s+publics?|acteurs?\s+publics?|\bsem\b|soci[ée]t[ée]s?\s+d['’][ée]conomie\s+mixte|"
     r"bailleurs?\s+sociaux", "etablissement_public"),
    (r"\bparticuliers?\b", "particulier"),
    (r"\bagriculteurs?\b", "agriculteur"),
)


def beneficiaries_from_text(text: str | None) -> list[str]:
    """Who may apply, as named in a French text ("Communes, EPCI et associations")."""
    lowered = (text or "").lower()
    return [value for pattern, value in _BENEFICIARY_PATTERNS if re.search(pattern, lowered)]


_PERMANENT = re.compile(r"toute\s+l['’]ann[ée]e|au\s+fil\s+de\s+l['’]eau|sans\s+date\s+limite|en\s+continu",
                        re.IGNORECASE)
_CALL = re.compile(r"appel\s+[àa]\s+(projets?|manifestation|candidatures?)|\bami\b|\baap\b|concours", re.IGNORECASE)


def recurrence_from_text(text: str | None, deadlines) -> str | None:
    if _PERMANENT.search(text or ""):
        return "permanente"
    if deadlines:
        return "ponctuelle"
    return None


def is_call_for_projects(*texts) -> bool:
    return any(_CALL.search(text or "") for text in texts)


_AID_TYPE_PATTERNS = (
    (r"subvention|aide\s+forfaitaire|taux\s+d['’](aide|intervention)|%\s+(de\s+la\s+d[ée]pense|du\s+co[ûu]t)", "subvention"),
    (r"\bpr[êe]ts?\b", "pret"),
    (r"avances?\s+remboursables?|avances?\s+r[ée]cup[ée]rables?", "avance_remboursable"),
    (r"ing[ée]nierie|conseiller|accompagnement\s+technique|assistance\s+[àa]\s+ma[îi]trise", "ingenierie"),
    (r"\bgaranties?\b", "garantie"),
    (r"prise\s+de\s+participation|co-?invest|fonds\s+propres", "autre"),
)


def aid_types_from_text(text: str | None, default=("subvention",)) -> list[str]:
    """The kinds of aid a French text describes; ``default`` when it names none."""
    lowered = (text or "").lower()
    found = [value for pattern, value in _AID_TYPE_PATTERNS if re.search(pattern, lowered)]
    return dedupe(found) or list(default)
