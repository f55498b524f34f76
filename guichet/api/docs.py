"""/api/: the API's documentation for people, generated from the OpenAPI document.

The page is rendered on the server (it reads without JavaScript), with worked examples in a
mayor's words; Swagger UI (npm ``swagger-ui-dist``, served from our own origin) adds the
« essayer » console on top of it.
"""

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, url_for

from guichet.config import ROOT
from guichet.api.openapi import openapi_document

bp = Blueprint("api_docs", __name__, url_prefix="/api")

SWAGGER_DIST = ROOT / "node_modules" / "swagger-ui-dist"
SWAGGER_FILES = {"swagger-ui-bundle.js", "swagger-ui.css"}

# Worked examples for each path: what a person wants, and the query that answers it.
EXAMPLES = {
    "/programmes": [
        ("L’éclairage public d’une petite ville", {"q": "éclairage public", "population": "2000-20000"}),
        ("Ce à quoi Lunéville peut prétendre en mobilité", {"commune": "54329", "theme": "mobilite"}),
        ("Les appels européens ouverts, les plus proches de leur date limite",
         {"level": "europe", "sort": "date_limite"}),
    ],
    "/programmes/{id}": [("Un programme, par son identifiant", {})],
    "/communes": [("Trouver une commune par le début de son nom", {"q": "Saint-Amand"}),
                  ("Les communes d’un code postal", {"q": "54300"})],
    "/communes/{code}": [("Nevers, par son code Insee", {})],
    "/themes": [("Les thèmes et sous-thèmes", {})],
}
PATH_VALUES = {"/programmes/{id}": {"id": "curated-dsil"}, "/communes/{code}": {"code": "58194"}}


def _example_urls(path: str, server: str) -> list[tuple[str, str]]:
    concrete = path
    for name, value in PATH_VALUES.get(path, {}).items():
        concrete = concrete.replace("{" + name + "}", value)
    urls = []
    for label, params in EXAMPLES.get(path, []):
        query = ("?" + urlencode(params)) if params else ""
        urls.append((label, f"{server}{concrete}{query}"))
    return urls


def _schema_text(schema: dict) -> str:
    """A parameter's type in French: « entier de 1 à 100 », « une valeur parmi … »."""
    if schema.get("type") == "array":
        return "répétable : " + _schema_text(schema.get("items", {}))
    if "enum" in schema:
        return "une valeur parmi : " + ", ".join(str(value) for value in schema["enum"])
    kind = {"string": "texte", "integer": "entier", "number": "nombre", "boolean": "booléen"}.get(
        schema.get("type"), "texte")
    if schema.get("format") == "date":
        kind = "date (AAAA-MM-JJ)"
    bounds = []
    if "minimum" in schema:
        bounds.append(f"au moins {schema['minimum']}")
    if "maximum" in schema:
        bounds.append(f"au plus {schema['maximum']}")
    if "maxLength" in schema:
        bounds.append(f"{schema['maxLength']} caractères au plus")
    if "default" in schema:
        bounds.append(f"par défaut {schema['default']}")
    return kind + (" (" + ", ".join(bounds) + ")" if bounds else "")


@bp.get("/")
def documentation():
    document = openapi_document(current_app.config["BASE_URL"].rstrip("/"))
    server = url_for("api.programmes", _external=True).rsplit("/programmes", 1)[0]
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations.append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [(parameter["name"], parameter["in"], parameter.get("required", False),
                                parameter.get("description", ""), _schema_text(parameter.get("schema", {})))
                               for parameter in operation.get("parameters", [])],
                "responses": [(code, response.get("description", ""))
                              for code, response in operation.get("responses", {}).items()],
                "examples": _example_urls(path, server),
            })
    return render_template("api/docs.html", document=document, operations=operations, server=server,
                           swagger=(SWAGGER_DIST / "swagger-ui-bundle.js").exists())


@bp.get("/assets/<filename>")
def swagger_asset(filename):
    if filename not in SWAGGER_FILES:
        abort(404)
    from guichet.web import assets

    return assets.serve(SWAGGER_DIST, filename)
