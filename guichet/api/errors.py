"""Errors of the JSON API: ``{"error": {"status", "message", "parameter"}}`` (the shape is
guichet.web.errors', whose app-wide handlers answer JSON under /api/)."""

from guichet.web.errors import json_error  # noqa: F401 (the API's name for it)
