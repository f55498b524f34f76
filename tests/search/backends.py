"""The search backends the behaviour suite runs against, and how a test app is set up for each.

Every backend listed here runs the whole suite in tests/search/test_behaviour.py; a backend
that cannot do something says so with an explicit, documented marker there.
"""

BACKENDS = ("sqlite", "elasticsearch")


def backend_config(name: str, request, tmp_path) -> dict:
    if name == "sqlite":
        return {"SEARCH_BACKEND": "sqlite", "SEARCH_SQLITE_PATH": str(tmp_path / "search.sqlite3")}
    if name == "elasticsearch":
        # one index per module, emptied after each test (cleanup)
        url = request.getfixturevalue("elasticsearch_url")
        return {"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": url,
                "ELASTICSEARCH_INDEX": request.getfixturevalue("elasticsearch_module_index")}
    raise ValueError(name)


def cleanup(app) -> None:
    """Remove what a test left in a shared backend (the documents of the module's index)."""
    from tests.plugins.elasticsearch_node import empty_index

    backend = app.extensions["guichet.search"]
    if backend.name == "elasticsearch":
        empty_index(backend.client, backend.alias)
