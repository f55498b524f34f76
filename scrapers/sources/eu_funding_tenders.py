"""EU Funding & Tenders Portal — the SEDIA search API (JSON), open and forthcoming grants.

Request: ``POST .../rest/search?apiKey=SEDIA&text=***&pageSize=100&pageNumber=N`` (pages
from 1), body multipart/form-data whose ``query``, ``languages`` and ``sort`` parts are FILE
parts (filename + application/json).
Response: ``{totalResults, pageNumber, pageSize, results: [{reference, url, summary, metadata}]}``;
every ``metadata`` value is a list.
"""

from __future__ import annotations

import json

from scrapers import normalise as norm
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request

SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
PAGE_SIZE = 100
TOPIC_PAGE = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/{}"

# Grant topics (1), calls for proposals (2) and cascade funding (8); forthcoming or open.
QUERY = {"bool": {"must": [{"terms": {"type": ["1", "2", "8"]}},
                           {"terms": {"status": ["31094501", "31094502"]}}]}}
LANGUAGES = ["fr", "en"]
SORT = {"field": "sortStatus", "order": "ASC"}

# Codes → labels (from the facet endpoint, POST .../rest/facet; labels are data, check them there).
TYPES = {"0": "Appel d'offres", "1": "Sujet d'appel à propositions", "2": "Appel à propositions",
         "8": "Financement en cascade"}
STATUSES = {"31094501": "à venir", "31094502": "ouvert", "31094503": "clos"}
FRAMEWORK_PROGRAMMES = {"43108390": "Horizon Europe", "43152860": "Europe numérique (Digital Europe)",
                        "43252405": "LIFE", "43251567": "Mécanisme pour l'interconnexion en Europe (MIE)",
                        "43332642": "EU4Health", "43298664": "Europe créative", "43353764": "Erasmus+",
                        "43251814": "Fonds pour la sécurité intérieure", "44181033": "Interreg"}

# Topics are written in English: keyword rules in English onto our themes.
ENGLISH_THEMES = {
    "numerique": ["digital", "data", "artificial intelligence", "AI", "software", "computing", "internet"],
    "numerique/cybersecurite": ["cybersecurity", "security in software"],
    "energie-climat": ["energy", "climate", "carbon", "decarbonisation", "emissions"],
    "energie-climat/energies-renouvelables": ["renewable", "solar", "hydrogen", "geothermal", "biomass"],
    "energie-climat/renovation-energetique": ["building renovation", "energy efficiency"],
    "mobilite": ["mobility", "transport", "vehicle", "vehicles", "charging"],
    "environnement": ["environment", "environmental", "pollution", "nature"],
    "environnement/biodiversite": ["biodiversity", "soil", "soils", "ecosystem", "ecosystems"],
    "environnement/alimentation": ["agriculture", "agricultural", "food", "farming", "fertilising"],
    "environnement/dechets": ["circular economy", "waste", "recycling"],
    "eau-assainissement": ["water", "wastewater"],
    "urbanisme-logement": ["urban", "cities", "city"],
    "culture-patrimoine-sport/culture": ["culture", "cultural", "arts", "creative"],
    "culture-patrimoine-sport/patrimoine": ["heritage"],
    "solidarites-sante-education/sante": ["health"],
    "solidarites-sante-education/ecoles": ["education", "training", "school"],
    "developpement-economique/innovation": ["research", "innovation", "foresight"],
    "ingenierie/cooperation": ["cooperation", "twinning", "network", "partnership"],
}
# Horizon Europe and its siblings are open to any legal entity, local authorities included
# (values of guichet.programmes.vocabulary.BENEFICIARIES; the record check refuses others).
BENEFICIARIES = ["commune", "epci", "departement", "region", "etablissement_public", "association",
                 "entreprise", "recherche"]


def _first(metadata: dict, key: str, default=None):
    values = metadata.get(key) or []
    return values[0] if values else default


def _json_list_value(values) -> list:
    """``keywords`` is sometimes one JSON string inside a one-element list (older topics)."""
    values = list(values or [])
    if len(values) == 1 and isinstance(values[0], str) and values[0].startswith("["):
        try:
            return list(json.loads(values[0]))
        except ValueError:
            return values
    return values


class EuFundingTenders(Source):
    slug = "eu-funding-tenders"
    verified = "responses"
    verified_on = "2026-12-01"
    verified_by = "une réponse réelle de l’API de recherche SEDIA (eu-funding-tenders-search-response.json)"
    name = "Portail Funding & Tenders de la Commission européenne"
    level = "europe"
    url = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/"
    schedule = {"hour": 1, "minute": 15}
    funders = ("Union européenne",)

    def first_request(self) -> Request:
        return self.page_request(1)

    def page_request(self, number: int) -> Request:
        # The parts must be files: a plain form field gets a 500, a query in the URL is ignored.
        parts = {
            "query": ("blob", json.dumps(QUERY), "application/json"),
            "languages": ("blob", json.dumps(LANGUAGES), "application/json"),
            "sort": ("blob", json.dumps(SORT), "application/json"),
        }
        return Request(SEARCH_URL, method="POST", files=parts,
                       params={"apiKey": "SEDIA", "text": "***", "pageSize": PAGE_SIZE, "pageNumber": number})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise ParseError("réponse SEDIA sans liste « results »")
        results = body["results"]
        page_number = int(body.get("pageNumber") or 1)
        page_size = int(body.get("pageSize") or PAGE_SIZE)
        total = int(body.get("totalResults") or 0)
        more = results and page_number * page_size < total
        return ListPage(results, self.page_request(page_number + 1) if more else None, announced=total)

    def entry(self, item) -> Entry | None:
        metadata = item.get("metadata") or {}
        identifier = _first(metadata, "identifier") or _first(metadata, "callIdentifier")
        title = _first(metadata, "title") or item.get("summary")
        if not identifier or not title:
            return None  # empty stubs come back beside real topics: nothing to keep
        return Entry(identifier, TOPIC_PAGE.format(identifier), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        metadata = raw["metadata"]
        record = self.base_record(entry)
        description = _first(metadata, "descriptionByte", "") or ""
        type_code = str(_first(metadata, "type", ""))
        programme = FRAMEWORK_PROGRAMMES.get(str(_first(metadata, "frameworkProgramme", "")))
        actions = _actions(metadata)
        deadlines = [norm.parse_date(value) for value in metadata.get("deadlineDate") or []]
        if not any(deadlines):  # older topics keep their dates in the actions only
            deadlines = [norm.parse_date(value) for action in actions for value in action.get("deadlineDates") or []]
        opens_on = norm.parse_date(_first(metadata, "startDate")) or norm.parse_date(
            next((action.get("plannedOpeningDate") for action in actions if action.get("plannedOpeningDate")), None))
        labels = [label for label in (
            programme, TYPES.get(type_code), _first(metadata, "typesOfAction"),
            "procédure en deux étapes" if _first(metadata, "deadlineModel") == "two-stage" else None,
            f"statut à la source : {STATUSES[str(_first(metadata, 'status'))]}"
            if str(_first(metadata, "status", "")) in STATUSES else None) if label]
        text = norm.plain_text(description)
        keywords = _json_list_value(metadata.get("keywords")) + list(metadata.get("tags") or [])
        amount_min, amount_max = _contribution(metadata, entry.source_id)
        record.update({
            "source_url": entry.url,
            "title": " ".join(str(_first(metadata, "title") or raw.get("summary")).split()),
            "summary": norm.summary(" · ".join(" ".join(label.split()) for label in labels) + ". " + text),
            "description_html": norm.sanitise_html(description),
            "beneficiaries": BENEFICIARIES,
            "themes": norm.themes_from_text(_first(metadata, "title", ""), _first(metadata, "callTitle", ""),
                                            " ".join(str(keyword) for keyword in keywords), rules=ENGLISH_THEMES),
            "aid_types": ["subvention"],
            "is_call_for_projects": True,
            "opens_on": opens_on,
            "deadlines": [value for value in deadlines if value],
            "recurrence": "ponctuelle",
            "amount_min": amount_min,
            "amount_max": amount_max,
            "application_url": entry.url,
            "contact": "Point de contact national (PCN) du programme ; questions : portail Funding & Tenders",
            # the language the portal states for the topic's text (English for almost all)
            "language": _language(metadata, raw),
        })
        return record


def _language(metadata: dict, raw: dict) -> str | None:
    """``metadata.language`` (a list) or the result's own ``language``: « en », « fr » ..."""
    value = str(_first(metadata, "language") or raw.get("language") or "").strip().lower()
    return value[:2] if len(value) >= 2 and value[:2].isalpha() else None


def _actions(metadata) -> list[dict]:
    """``actions`` is JSON encoded inside a string."""
    try:
        actions = json.loads(_first(metadata, "actions") or "[]")
    except ValueError:
        return []
    return [action for action in actions if isinstance(action, dict)]


def _contribution(metadata, identifier: str) -> tuple[float | None, float | None]:
    """EU contribution per project for this topic, from ``budgetOverview`` (JSON in a string,
    listing every topic of the call: keep the actions named after this one)."""
    try:
        overview = json.loads(_first(metadata, "budgetOverview") or "{}")
    except ValueError:
        return None, None
    lows, highs = [], []
    for actions in (overview.get("budgetTopicActionMap") or {}).values():
        for action in actions:
            if str(action.get("action", "")).startswith(identifier + " "):
                if action.get("minContribution"):
                    lows.append(float(action["minContribution"]))
                if action.get("maxContribution"):
                    highs.append(float(action["maxContribution"]))
    return (min(lows) if lows else None), (max(highs) if highs else None)
