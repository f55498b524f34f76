"""/api/v1/communes: the autocomplete (name, postcode or INSEE code), and one commune."""

import re

from flask import Blueprint, jsonify, request

from guichet.api.errors import json_error
from guichet.communes import services
from guichet.communes.index import Match
from guichet.db import get_session
from guichet.territories.services import labels, territory_of
from guichet.programmes.conditions import DENSITY_LEVELS
from guichet.web.errors import public_url

bp = Blueprint("communes_api", __name__, url_prefix="/api/v1")

INSEE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")


def match_json(match: Match) -> dict:
    commune = match.commune
    return {
        "code": commune.code,
        "nom": commune.name,
        "departement": commune.department,
        "departement_nom": commune.department_name,
        "region": commune.region,
        "population": commune.population,
        "codes_postaux": list(commune.postcodes),
        "epci": {"code": commune.epci_code, "nom": commune.epci_name} if commune.epci_code else None,
        "label": commune.label,
        # A former commune, an old INSEE code or a postcode that led to this commune.
        "correspondance": match.via,
        "exact": match.exact,
    }


@bp.get("/communes")
def autocomplete():
    values = request.args.getlist("q")
    if len(values) > 1:
        return json_error(400, "Le paramètre « q » ne peut être donné qu’une fois.", "q")
    limit_value = request.args.get("limit", "10").strip()
    # ASCII digits only, and few of them: "²".isdigit() is true, and int() of 5,000 digits raises.
    if not re.fullmatch(r"[0-9]{1,6}", limit_value) or not 1 <= int(limit_value) <= services.MAX_LIMIT:
        return json_error(400, f"Le paramètre « limit » doit être un entier compris entre 1 et {services.MAX_LIMIT}.",
                          "limit")
    try:
        matches = services.find(values[0] if values else "", limit=int(limit_value))
    except services.InvalidCommuneQuery as error:
        return json_error(400, error.message, error.parameter)
    return jsonify([match_json(match) for match in matches])


@bp.get("/communes/<code>")
def commune(code):
    if not INSEE_CODE.match(code.upper()):
        return json_error(400, f"Code INSEE de commune invalide : « {code[:20]} » (cinq caractères, "
                               "par exemple 60057).", "code")
    session = get_session()
    found, alias = services.get_commune(session, code)
    if found is None:
        return json_error(404, f"Commune inconnue : aucun code INSEE « {code[:20]} ».")
    band = services.population_band(found.population)
    territory = territory_of(session, found.code)
    density = territory.density_level if territory else None
    return jsonify({
        "code": found.code,
        "nom": found.name,
        "population": found.population,
        "tranche": {"valeur": band[0], "nom": band[1]} if band else None,
        "departement": {"code": found.department, "nom": services.department_name(session, found.department)},
        "region": {"code": found.region, "nom": services.region_name(session, found.region)},
        "codes_postaux": found.postcodes,
        "epci": {"code": found.epci.code, "nom": found.epci.name, "type": found.epci.type,
                 "population": found.epci.population, "communes": found.epci.member_count} if found.epci else None,
        "ancienne_commune": {"code": alias.code, "nom": alias.name, "type": alias.kind} if alias else None,
        "densite": {"niveau": density, "nom": DENSITY_LEVELS[density]} if density else None,
        # Each official programme or zoning of the commune, in French, and the conditions it meets.
        "programmes_et_zonages": [{"cle": label.key, "libelle": label.text, "valeur": label.value}
                                  for label in labels(territory)],
        "conditions_territoriales": list(territory.conditions) if territory else [],
        "conditions_territoriales_partielles": list(territory.partial_conditions) if territory else [],
        "url": public_url("communes.commune", code=found.code),
        "programmes_url": public_url("api.programmes", commune=found.code),
    })


COMMUNE_SCHEMA = {"type": "object", "properties": {
    "code": {"type": "string"}, "nom": {"type": "string"}, "departement": {"type": "string"},
    "departement_nom": {"type": "string"}, "region": {"type": "string"},
    "population": {"type": ["integer", "null"]},
    "codes_postaux": {"type": "array", "items": {"type": "string"}},
    "epci": {"type": ["object", "null"], "properties": {"code": {"type": "string"}, "nom": {"type": "string"}}},
    "label": {"type": "string"}, "correspondance": {"type": ["string", "null"]}, "exact": {"type": "boolean"}}}
ERROR = {"$ref": "#/components/schemas/Error"}


def _response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


OPENAPI_PATHS = {
    "/communes": {"get": {
        "summary": "Trouver une commune (autocomplétion)",
        "description": "Par nom (accents, tirets, « St »/« Saint », avec ou sans article), code postal ou code "
                       "INSEE ; les anciennes communes mènent à leur commune actuelle. Le nom exact d’abord, "
                       "puis les plus grandes communes.",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "description": "Nom, début de nom, code postal ou code INSEE.",
             "schema": {"type": "string", "minLength": 1, "maxLength": services.MAX_QUERY_LENGTH}},
            {"name": "limit", "in": "query", "required": False, "description": "Nombre de communes au plus.",
             "schema": {"type": "integer", "minimum": 1, "maximum": services.MAX_LIMIT, "default": 10}},
        ],
        "responses": {"200": _response("Les communes, la meilleure d’abord", {"type": "array", "items": COMMUNE_SCHEMA}),
                      "400": _response("Paramètre incorrect", ERROR)}}},
    "/communes/{code}": {"get": {
        "summary": "Une commune : population, tranche, densité, département, région, EPCI, programmes et zonages",
        "parameters": [{"name": "code", "in": "path", "required": True, "description": "Code INSEE",
                        "schema": {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"}}],
        "responses": {"200": _response("La commune", {"type": "object"}),
                      "400": _response("Code INSEE invalide", ERROR),
                      "404": _response("Commune inconnue", ERROR)}}},
}
