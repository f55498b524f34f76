"""The OpenAPI 3 document of /api/v1, built from the declarations the parser and the record
check read: search parameters from ``guichet.search.params``, enums from
``guichet.programmes.vocabulary``.

Features add their own paths with ``register_path`` (e.g. /communes).
"""

from flask import current_app

from guichet.programmes.vocabulary import (AID_TYPES, BENEFICIARIES, CRITERIA, LEVELS, RECURRENCES, STATES, STATUSES,
                                          TERRITORIAL_CONDITIONS, THEMES)
from guichet.search.params import PARAMS
from guichet.search.services import MAX_FUNDER_LIMIT, MAX_FUNDER_QUERY_LENGTH


def register_path(app, path: str, spec: dict) -> None:
    app.extensions.setdefault("guichet.openapi_paths", {})[path] = spec


SEARCH_PARAMETERS = [param.openapi() for param in PARAMS]

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
        "beneficiaries": {"type": "array", "items": {"type": "string", "enum": list(BENEFICIARIES)}},
        "population_min": _nullable("integer"), "population_max": _nullable("integer"),
        "territories": {"type": "array", "items": {"type": "string", "enum": list(TERRITORIAL_CONDITIONS)},
                        "description": "Réservé aux communes de l’un de ces programmes ou zonages officiels ; "
                                       "vide : pas de condition territoriale"},
        "population_bands": {"type": "array", "description": "Tranches de population, chacune ouverte ou « sous "
                                                             "condition » d’un critère, et celles de l’outre-mer ; "
                                                             "vide : population_min et population_max seules",
                             "items": {"type": "object", "properties": {
                                 "min": _nullable("integer"), "max": _nullable("integer"),
                                 "criterion": {"type": ["string", "null"], "enum": [*CRITERIA, None]},
                                 "overseas": {"type": "boolean"}}}},
        "criteria": {"type": "array", "items": {"type": "string", "enum": list(CRITERIA)},
                     "description": "Critères que le texte du programme ajoute et que le Guichet ne peut pas "
                                    "vérifier (une commune qui remplit le reste est « à vérifier »)"},
        "eligibilite": {"type": "object", "description": "Avec le paramètre commune : éligible, non éligible ou "
                                                          "à vérifier, et pourquoi",
                        "properties": {"etat": {"type": "string", "enum": ["eligible", "not_eligible", "to_check"]},
                                       "libelle": {"type": "string"}, "phrase": {"type": "string"}}},
        "themes": {"type": "array", "items": {"type": "string", "enum": list(THEMES)}},
        "aid_types": {"type": "array", "items": {"type": "string", "enum": list(AID_TYPES)}},
        "aid_programmes": {"type": "array", "items": {"type": "string", "maxLength": 200},
                           "description": "Programmes d’aides dont il fait partie, par leur nom (« Fonds vert - "
                                          "Édition 2024 ») : les valeurs du paramètre aid_programme"},
        "is_call_for_projects": {"type": "boolean"},
        "opens_on": _nullable("string", format="date"),
        "deadlines": {"type": "array", "items": {"type": "string", "format": "date"}},
        "next_deadline": _nullable("string", format="date"),
        "recurrence": {"type": ["string", "null"], "enum": [*RECURRENCES, None]},
        "status": {"type": "string", "enum": list(STATUSES)},
        "rate_min": _nullable("number"), "rate_max": _nullable("number"),
        "amount_min": _nullable("number"), "amount_max": _nullable("number"),
        "contact": _nullable("string"), "application_url": _nullable("string"),
        # the language of the text as the source states it (« en » for most EU calls)
        "language": _nullable("string"),
        "first_seen_at": _nullable("string", format="date-time"), "last_seen_at": _nullable("string", format="date-time"),
        "source_updated_at": _nullable("string", format="date-time"), "content_hash": _nullable("string"),
        "state": {"type": "string", "enum": list(STATES)}, "url": {"type": "string"},
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
                          "301": {"description": "Programme fusionné dans un autre : l’en-tête Location donne "
                                                 "l’adresse du programme conservé"},
                          "304": {"description": "Inchangé depuis la version connue (If-None-Match)"},
                          "404": _response("Programme inconnu", ERROR)}}},
        "/porteurs": {"get": {
            "summary": "Trouver un porteur d’aide (autocomplétion du filtre « funder »)",
            "description": "Les financeurs des programmes ouverts ou à venir dont le nom contient les mots saisis, "
                           "chacun au début d’un mot du nom (casse et accents indifférents), avec leur nombre "
                           "de programmes : les noms qui commencent par le texte d’abord, puis les plus "
                           "fréquents. Sans texte : les plus fréquents. La valeur se passe telle quelle au "
                           "paramètre « funder » de /programmes.",
            "parameters": [
                {"name": "q", "in": "query", "required": False, "description": "Début du nom du porteur d’aide.",
                 "schema": {"type": "string", "maxLength": MAX_FUNDER_QUERY_LENGTH}, "example": "ademe"},
                {"name": "limit", "in": "query", "required": False, "description": "Nombre de porteurs au plus.",
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_FUNDER_LIMIT, "default": 10}},
            ],
            "responses": {"200": _response("Les porteurs d’aide", FACET_SCHEMA),
                          "400": _response("Paramètre incorrect", ERROR),
                          "503": _response("Recherche momentanément indisponible", ERROR)}}},
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
