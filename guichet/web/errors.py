"""French error pages, and the JSON errors of the API (``{"error": {"status", "message",
"parameter"}}``): the app-wide error handlers and what every feature's views answer with."""

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

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
    403: "Vous n’avez pas accès à cette page.",
    404: "La page que vous cherchez n’existe pas ou a été déplacée.",
    405: "Cette adresse ne s’utilise pas ainsi.",
    429: "Trop de demandes en peu de temps : merci de réessayer dans quelques minutes.",
    500: "Une erreur inattendue s’est produite. L’équipe en est informée ; merci de réessayer plus tard.",
    503: "Le service est momentanément indisponible : merci de réessayer dans quelques instants.",
}


def json_error(status: int, message: str, parameter: str | None = None):
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    return jsonify(body), status


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_page(status: int, message: str | None = None):
    return render_template("errors/error.html", status=status, title=ERROR_TITLES.get(status, "Erreur"),
                           message=message or ERROR_MESSAGES.get(status, "")), status


def handle_http_error(error: HTTPException):
    if wants_json():
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
        return json_error(500, ERROR_MESSAGES[500])
    return error_page(500)


def french_404(message: str) -> NotFound:
    error = NotFound(message)
    error.french = True
    return error


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
        return json_error(503, ERROR_MESSAGES[503])
    return error_page(503)
