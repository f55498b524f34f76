"""What the commune and programme pages include about funded projects.

The pages belong to other features: they only ``{% include %}`` a template of ours, which
calls these functions (Jinja globals), so that their views stay as they are.
"""

from flask import current_app, request

from guichet.communes.views import COOKIE, INSEE_CODE
from guichet.projects import services
from guichet.projects.index import IndexUnavailable
from guichet.projects.query import MAX_PER_PAGE, POPULATION_BANDS, SORTS


def _safely(function, *args):
    """A section that cannot be built (index missing or broken) is left out of the page, logged."""
    try:
        return function(*args)
    except IndexUnavailable:
        current_app.logger.warning("projects index unavailable", exc_info=True)
        return None


def commune_section(commune, department_name=None, region_name=None) -> dict | None:
    """« Ce que des communes comme la vôtre ont obtenu » and « Projets financés à … »."""
    def build():
        if not services.available():
            return None
        similar = services.similar_towns(commune, department_name, region_name)
        own = services.commune_projects(commune)
        return {"similar": similar, "own": own}

    return _safely(build)


def chosen_commune():
    """The commune the visitor chose: ``?commune=`` or the one remembered for the visit."""
    from guichet.communes.services import get_commune
    from guichet.db import get_session

    for code in (request.args.get("commune", ""), request.cookies.get(COOKIE, "")):
        code = code.strip().upper()
        if INSEE_CODE.match(code):
            commune, _alias = get_commune(get_session(), code)
            if commune is not None:
                return commune
    return None


def programme_section(programme) -> dict | None:
    """Who obtained the programme (per year), and examples near the chosen commune."""
    def build():
        if not services.available():
            return None
        commune = chosen_commune()
        summary = services.programme_summary(programme.id, commune)
        if summary is None:
            return None
        return {"summary": summary, "commune": commune}

    return _safely(build)


def _parameter(name, description, schema, repeatable=False):
    if repeatable:
        schema = {"type": "array", "items": schema}
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeatable:
        parameter.update(style="form", explode=True)
    return parameter


OPENAPI_PATH = {"get": {
    "summary": "Rechercher des projets financés (Fonds vert, DETR, DSIL, DSID)",
    "parameters": [
        _parameter("q", "Mots recherchés dans le projet, la mesure et le lieu (mêmes synonymes que les programmes).",
                   {"type": "string", "maxLength": 500}),
        _parameter("programme", "Programme : identifiant d’un programme rédigé (curated-detr …) ou d’une mesure.",
                   {"type": "string"}, True),
        _parameter("year", "Année du financement.", {"type": "integer"}, True),
        _parameter("region", "Code INSEE de région.", {"type": "string", "pattern": "^[0-9]{2}$"}, True),
        _parameter("department", "Code INSEE de département.", {"type": "string"}, True),
        _parameter("commune", "Code INSEE d’une commune : ses projets et ceux de son intercommunalité.",
                   {"type": "string", "pattern": "^[0-9][0-9AB][0-9]{3}$"}),
        _parameter("population", "Taille de commune : " + ", ".join(POPULATION_BANDS) + ", ou un nombre d’habitants.",
                   {"type": "string"}, True),
        _parameter("amount_min", "Montant minimal de l’aide (euros).", {"type": "integer", "minimum": 0}),
        _parameter("amount_max", "Montant maximal de l’aide (euros).", {"type": "integer", "minimum": 0}),
        _parameter("sort", "Tri.", {"type": "string", "enum": list(SORTS), "default": "pertinence"}),
        _parameter("page", "Page, à partir de 1.", {"type": "integer", "minimum": 1, "default": 1}),
        _parameter("per_page", "Résultats par page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                       "default": 20}),
    ],
    "responses": {
        "200": {"description": "Projets, avec les facettes", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"total": {"type": "integer"}, "page": {"type": "integer"},
                                             "per_page": {"type": "integer"}, "pages": {"type": "integer"},
                                             "results": {"type": "array", "items": {"type": "object"}},
                                             "facets": {"type": "object"}}}}}},
        "400": {"description": "Paramètre incorrect",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "503": {"description": "Index des projets indisponible",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    },
}}
