"""Errors of the JSON API: ``{"error": {"status", "message", "parameter"}}``."""

from flask import jsonify


def json_error(status: int, message: str, parameter: str | None = None):
    body = {"error": {"status": status, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    return jsonify(body), status
