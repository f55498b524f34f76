"""The OpenAPI 3 document of /api/v1, built from the same lists the parser validates against.

Features add their own paths with ``register_path`` (e.g. /communes).
"""

from flask import current_app

from guichet.programmes.models import LEVELS
from guichet.programmes.themes import THEME_LABELS
from guichet.search.query import (AID_TYPES, BENEFICIARIES, MAX_PER_PAGE, MAX_TEXT_LENGTH, POPULATION_BANDS, SORTS,
                                  STATUS_LABELS)


def register_path(app, path: str, spec: dict) -> None:
    app.extensions.setdefault("guichet.openapi_paths", {})[path] = spec


def _parameter(name, description, schema, repeatable=False):
    if repeatable:
        schema = {"type": "array", "items": schema}
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeatable:
        parameter.update(style="form", explode=True)
    return parameter


SEARCH_PARAMETERS = [
    _parameter("q", "Mots recherchés (accents, pluriels et synonymes tolérés ; pas d'opérateurs).",
               {"type": "string", "maxLength": MAX_TEXT_LENGTH}),
    _parameter("theme", "Thème ou sous-thème.", {"type": "string", "enum": sorted(THEME_LABELS)}, True),
    _parameter("commune", "Code INSEE d'une commune : programmes auxquels elle peut prétendre.",
               {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"}),
    _parameter("population", "Nombre d'habitants, ou tranche : " + ", ".join(POPULATION_BANDS) + ".",
               {"type": "string", "pattern": "^([0-9]{1,7}|" + "|".join(POPULATION_BANDS) + ")$"}),
    _parameter("level", "Échelon du financeur.", {"type": "string", "enum": list(LEVELS)}, True),
    _parameter("aid_type", "Type d'aide.", {"type": "string", "enum": list(AID_TYPES)}, True),
    _parameter("beneficiary", "Bénéficiaire.", {"type": "string", "enum": list(BENEFICIARIES)}, True),
    _parameter("region", "Code INSEE de région.", {"type": "string", "pattern": "^[0-9]{2}$"}, True),
    _parameter("department", "Code INSEE de département.", {"type": "string"}, True),
    _parameter("status", "Statut (par défaut : ouvert et à venir).", {"type": "string", "enum": list(STATUS_LABELS)},
               True),
    _parameter("deadline_before", "Une date limite au plus tard ce jour (AAAA-MM-JJ).",
               {"type": "string", "format": "date"}),
    _parameter("sort", "Tri.", {"type": "string", "enum": list(SORTS), "default": "pertinence"}),
    _parameter("page", "Page, à partir de 1.", {"type": "integer", "minimum": 1, "default": 1}),
    _parameter("per_page", "Résultats par page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                   "default": 20}),
]

ERROR = {"$ref": "#/components/schemas/Error"}


def _response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _nullable(kind, **extra):
    return {"type": [kind, "null"], **extra}


PROGRAMME_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"}, "source": {"type": "string"}, "source_id": {"type": "string"},
        "source_url": _nullable("string"), "title": {"type": "string"}, "summary": {"type": "string"},
        "description_html": {"type": "string"},
        "funders": {"type": "array", "items": {"type": "string"}},
        "level": {"type": "string", "enum": list(LEVELS)},
        "regions": {"type": "array", "items": {"type": "string"}},
        "departments": {"type": "array", "items": {"type": "string"}},
        "beneficiaries": {"type": "array", "items": {"type": "string"}},
        "population_min": _nullable("integer"), "population_max": _nullable("integer"),
        "themes": {"type": "array", "items": {"type": "string"}},
        "aid_types": {"type": "array", "items": {"type": "string"}},
        "is_call_for_projects": {"type": "boolean"},
        "opens_on": _nullable("string", format="date"),
        "deadlines": {"type": "array", "items": {"type": "string", "format": "date"}},
        "next_deadline": _nullable("string", format="date"),
        "recurrence": _nullable("string"),
        "status": {"type": "string", "enum": list(STATUS_LABELS)},
        "rate_min": _nullable("number"), "rate_max": _nullable("number"),
        "amount_min": _nullable("number"), "amount_max": _nullable("number"),
        "contact": _nullable("string"), "application_url": _nullable("string"),
        "first_seen_at": _nullable("string", format="date-time"), "last_seen_at": _nullable("string", format="date-time"),
        "source_updated_at": _nullable("string", format="date-time"), "content_hash": _nullable("string"),
        "state": {"type": "string"}, "url": {"type": "string"},
        "highlights": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["id", "source", "title", "level", "status"],
}

FACET_SCHEMA = {"type": "array", "items": {"type": "object", "properties": {
    "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}


def openapi_document(server_url: str) -> dict:
    paths = {
        "/programmes": {"get": {
            "summary": "Rechercher des programmes de financement",
            "parameters": SEARCH_PARAMETERS,
            "responses": {
                "200": _response("Résultats, avec les facettes", {"type": "object", "properties": {
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
                    "pages": {"type": "integer"},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Programme"}},
                    "facets": {"type": "object", "additionalProperties": FACET_SCHEMA}}}),
                "400": _response("Paramètre incorrect", ERROR),
                "503": _response("Recherche momentanément indisponible", ERROR),
            }}},
        "/programmes/{id}": {"get": {
            "summary": "Un programme",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _response("Le programme", {"$ref": "#/components/schemas/Programme"}),
                          "301": {"description": "Programme fusionné dans un autre : l'en-tête Location donne "
                                                 "l'adresse du programme conservé"},
                          "304": {"description": "Inchangé depuis la version connue (If-None-Match)"},
                          "404": _response("Programme inconnu", ERROR)}}},
        "/themes": {"get": {"summary": "Les thèmes et sous-thèmes",
                            "responses": {"200": _response("Thèmes", {"type": "object"})}}},
    }
    paths.update(current_app.extensions.get("guichet.openapi_paths", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": "API de Guichet", "version": "1.0.0",
                 "description": "Les programmes de financement public ouverts aux communes et à leurs groupements."},
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": paths,
        "components": {"schemas": {
            "Programme": PROGRAMME_SCHEMA,
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "status": {"type": "integer"}, "message": {"type": "string"}, "parameter": {"type": "string"}}}}},
        }},
    }
