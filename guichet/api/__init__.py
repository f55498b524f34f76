"""The JSON API (/api/v1): same search parameters as the page, facets included."""

from flask import jsonify


def json_error(status: int, message: str, parameter: str | None = None):
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    return jsonify(body), status


def init_app(app):
    from guichet.api.views import bp

    app.register_blueprint(bp)
