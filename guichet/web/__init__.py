"""Pages for mayors: search, programme detail; French error pages; DSFR assets."""

from datetime import date
from pathlib import Path

from flask import render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from guichet import ROOT
from guichet.programmes.themes import theme_label
from guichet.programmes.vocabulary import RECURRENCES
from guichet.search.params import VOCABULARY_FILTERS
from guichet.web import assets, formatting, french
from guichet.web.links import search_url

DSFR_DIST = ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"

ERROR_TITLES = {
    400: "Demande incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    429: "Trop de demandes",
    500: "Erreur inattendue",
    503: "Service momentanément indisponible",
}
ERROR_MESSAGES = {
    400: "La demande contient un paramètre incorrect.",
    403: "Vous n'avez pas accès à cette page.",
    404: "La page que vous cherchez n'existe pas ou a été déplacée.",
    405: "Cette adresse ne s'utilise pas ainsi.",
    429: "Trop de demandes en peu de temps : merci de réessayer dans quelques minutes.",
    500: "Une erreur inattendue s'est produite. L'équipe en est informée ; merci de réessayer plus tard.",
    503: "Le service est momentanément indisponible : merci de réessayer dans quelques instants.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_page(status: int, message: str | None = None):
    return render_template("errors/error.html", status=status, title=ERROR_TITLES.get(status, "Erreur"),
                           message=message or ERROR_MESSAGES.get(status, "")), status


def handle_http_error(error: HTTPException):
    if wants_json():
        from guichet.api import json_error

        response = json_error(error.code or 500, ERROR_MESSAGES.get(error.code, error.description))
    else:
        description = error.description if getattr(error, "french", False) else None
        response = error_page(error.code or 500, description)
    valid_methods = getattr(error, "valid_methods", None)
    if valid_methods:  # a 405 says which methods the address takes (RFC 9110)
        from flask import make_response

        response = make_response(response)
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def handle_unexpected(error: Exception):
    from flask import current_app

    current_app.logger.exception("unexpected error", exc_info=error)
    if wants_json():
        from guichet.api import json_error

        return json_error(500, ERROR_MESSAGES[500])
    return error_page(500)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL of the service built on BASE_URL, never on the request's Host header
    (which anyone can set: API links and the OpenAPI ``servers`` must not echo it)."""
    from flask import current_app, url_for

    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def handle_store_unavailable(error: Exception):
    """The store went away (PostgreSQL restarted, network cut): a French 503, not a 500. The pool
    drops the broken connection, so the next request, once the store is back, works again."""
    from flask import current_app

    current_app.logger.warning("store unavailable: %s", str(error).splitlines()[0][:200])
    if wants_json():
        from guichet.api import json_error

        return json_error(503, ERROR_MESSAGES[503])
    return error_page(503)


def french_404(message: str) -> NotFound:
    error = NotFound(message)
    error.french = True
    return error


# Compressed answers (brotli, else gzip) for every text type people and programs fetch.
COMPRESSION = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br"],
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/javascript",
                           "application/javascript", "application/json", "application/atom+xml", "image/svg+xml"],
    "COMPRESS_MIN_SIZE": 500,
}


def init_app(app):
    from flask_compress import Compress

    from guichet.web.views import bp

    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    Compress(app)

    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
    from guichet.db import STORE_UNAVAILABLE

    for error_class in STORE_UNAVAILABLE:
        app.register_error_handler(error_class, handle_store_unavailable)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.filters.update(french.FILTERS)
    app.jinja_env.globals.update(search_url=search_url, deadline_phrase=formatting.deadline_phrase,
                                 population_rule=formatting.population_rule, plural=formatting.plural,
                                 rate_range=formatting.rate_range, amount_range=formatting.amount_range,
                                 recurrence_labels=RECURRENCES, vocabulary_filters=VOCABULARY_FILTERS,
                                 today=date.today,
                                 theme_label=theme_label)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.route("/dsfr/<path:filename>")
    def dsfr_asset(filename):
        """The State design system, served from the npm package (never committed)."""
        return assets.serve(DSFR_DIST, filename)

    app.view_functions["static"] = lambda filename: assets.serve(app.static_folder, filename)
    from guichet.api.docs import SWAGGER_DIST

    assets.init_app(app, {"dsfr_asset": DSFR_DIST, "static": app.static_folder,
                          "api_docs.swagger_asset": SWAGGER_DIST})

    @app.context_processor
    def inject_service():
        return {"has_endpoint": lambda endpoint: endpoint in app.view_functions,
                "offline_mode": app.config["OFFLINE"], "dsfr_available": Path(DSFR_DIST, "dsfr.min.css").exists()}
