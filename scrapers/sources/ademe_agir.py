"""ADEME « Agir pour la transition » — the agency's schemes and calls for projects (JSON API).

Request: ``GET https://api.ademe.fr/r2da/listeDispositif`` (ADEME's API gateway) with headers
``client_id`` / ``client_secret`` (settings ADEME_CLIENT_ID / ADEME_CLIENT_SECRET).
Response: ``{success, NbDispositif, ListeDispositifs: [...]}``, everything in one page; each
scheme ``{id, titre, type, date_debut, date_fin, millesime, description_longue (HTML),
cible_projet, thematiques, couverture_geo{code, libelle}, regions, url_agir,
date_derniere_modification}``.
"""

from __future__ import annotations

from scrapers import normalise as norm
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request

LIST_URL = "https://api.ademe.fr/r2da/listeDispositif"

# Scheme types: AAP appel à projets, AMI appel à manifestation d'intérêt, GAG aide au fil de l'eau.
CALL_TYPES = {"AAP", "AMI", "AAC"}
# ``cible_projet`` codes, as ADEME labels them (MTES-MCT/aides-territoires,
# src/dataproviders/data/ademe_agir_audiences_mapping.csv): SCA1 Association, SCA2
# Collectivités et secteur public, SCA3 Entreprise, SCA4 Organisme de recherche.
AUDIENCES = {"SCA1": ["association"], "SCA2": ["commune", "epci", "departement", "region", "etablissement_public"],
             "SCA3": ["entreprise"], "SCA4": ["recherche"]}
# ``thematiques`` codes onto our themes.
THEMES = {
    "ENR": "energie-climat/energies-renouvelables", "GEOTER": "energie-climat/energies-renouvelables",
    "ENRAUT": "energie-climat/energies-renouvelables", "BOIBIO": "energie-climat/energies-renouvelables",
    "SOLTH": "energie-climat/energies-renouvelables", "RESCH": "energie-climat/energies-renouvelables",
    "ECD": "environnement/dechets", "ECO": "environnement/dechets", "DEC": "environnement/dechets",
    "PRODUR": "developpement-economique/industrie", "ALIBIO": "environnement/alimentation",
    "MTR": "mobilite", "MOB": "mobilite", "BAT": "energie-climat/renovation-energetique",
    "EFF": "energie-climat/renovation-energetique", "AIR": "environnement", "SOL": "urbanisme-logement/friches",
    "ADA": "energie-climat/adaptation", "CLI": "energie-climat", "URB": "urbanisme-logement",
}
# couverture_geo codes: 1 national, 2 and 3 European, 4 the régions listed in ``regions``.
COVERAGE_LEVELS = {"1": "national", "2": "europe", "3": "europe", "4": "regional"}


class AdemeAgir(Source):
    slug = "ademe-agir"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "MTES-MCT/aides-territoires, src/dataproviders/data/ademe_agir_audiences_mapping.csv et les données de test de son importeur"
    name = "ADEME — Agir pour la transition"
    level = "national"
    url = "https://agirpourlatransition.ademe.fr/"
    schedule = {"hour": 2, "minute": 45}
    funders = ("ADEME",)

    def first_request(self) -> Request:
        headers = {"Accept": "application/json"}
        if self.settings.get("ADEME_CLIENT_ID"):
            headers.update(client_id=self.settings["ADEME_CLIENT_ID"],
                           client_secret=self.settings.get("ADEME_CLIENT_SECRET") or "")
        return Request(LIST_URL, headers=headers)

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("ListeDispositifs"), list):
            raise ParseError("réponse ADEME sans « ListeDispositifs »")
        if body.get("success") is False:
            raise ParseError("l’API de l’ADEME répond success=false")
        return ListPage(body["ListeDispositifs"])  # one page holds every scheme

    def entry(self, item) -> Entry:
        if not item.get("id") or not item.get("titre"):
            raise ValueError("dispositif sans identifiant ou sans titre")
        # url_agir sometimes reads "https: //agirpourlatransition..." (a space after the scheme).
        return Entry(str(item["id"]), norm.clean_url(item.get("url_agir")), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        description = raw.get("description_longue") or ""
        text = norm.plain_text(description)
        coverage = str((raw.get("couverture_geo") or {}).get("code") or "1")
        regions, _departments = norm.places(raw.get("regions") or []) if coverage == "4" else ([], [])
        audiences = [value for code in raw.get("cible_projet") or [] for value in AUDIENCES.get(code, [])]
        themes = norm.dedupe(THEMES.get(code) for code in raw.get("thematiques") or [])
        opens_on, closes_on = norm.parse_date(raw.get("date_debut")), norm.parse_date(raw.get("date_fin"))
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        record.update({
            "source_url": entry.url,
            "title": " ".join(raw["titre"].split()),
            "summary": norm.summary(description),
            "description_html": norm.sanitise_html(description),
            "level": COVERAGE_LEVELS.get(coverage, "national"),
            "regions": regions,
            "beneficiaries": norm.dedupe(audiences),
            "population_min": low,
            "population_max": high,
            # Codes first; the text where a code is unknown to us.
            "themes": _with_parents(themes) if themes else norm.themes_from_text(raw["titre"], text),
            "aid_types": ["subvention", "ingenierie"] if "tude" in raw["titre"] else ["subvention"],
            "is_call_for_projects": raw.get("type") in CALL_TYPES,
            "opens_on": opens_on,
            "deadlines": [closes_on] if closes_on else [],
            # A yearly scheme (millésime) runs again next year; a dated call is one-off.
            "recurrence": "recurrente" if raw.get("millesime") else ("ponctuelle" if closes_on else "permanente"),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "application_url": entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("date_derniere_modification")),
        })
        return record


def _with_parents(themes):
    from guichet.programmes.themes import expand

    return expand(themes)
