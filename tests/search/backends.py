"""The search backends the behaviour suite runs against, and how a test app is set up for each.

Every backend listed here runs the whole suite in tests/search/test_behaviour.py; a backend
that cannot do something says so with an explicit, documented marker there.
"""

import uuid

BACKENDS = ("sqlite", "elasticsearch")


def backend_config(name: str, request, tmp_path) -> dict:
    if name == "sqlite":
        return {"SEARCH_BACKEND": "sqlite", "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite3")}
    if name == "elasticsearch":
        url = request.getfixturevalue("elasticsearch_url")
        return {"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": url,
                "ELASTICSEARCH_INDEX": f"test-{uuid.uuid4().hex[:12]}"}
    raise ValueError(name)


def cleanup(app) -> None:
    """Remove what a test left in a shared backend (Elasticsearch indices)."""
    backend = app.extensions["guichet.search"]
    if hasattr(backend, "drop"):
        backend.drop()
