"""Pytest plugin: a real Elasticsearch 8 node for the tests that ask for one.

``elasticsearch_url`` (session scope) is ``GUICHET_ELASTICSEARCH_URL`` when set; otherwise the
test node from ``tools/elasticsearch/node.py`` is started on a free port the first time a test
asks for it, and stopped at the end of the session. One node serves the whole session: tests
create their own indices (``elasticsearch_index_prefix``) and delete them, or, where they only
need an empty index, share one per module (``elasticsearch_module_index``, emptied between
tests by ``empty_index``: creating and deleting an index costs far more than the test itself).

A node that cannot start fails the tests under CI (``CI=true``) with the reason; elsewhere the
tests that need it are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULE = REPO_ROOT / "tools" / "elasticsearch" / "node.py"


def _load_node_module():
    spec = importlib.util.spec_from_file_location("guichet_tools_elasticsearch_node", NODE_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def running_under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def pytest_configure(config):
    config.addinivalue_line("markers", "elasticsearch: the test needs the Elasticsearch test node")


def pytest_collection_modifyitems(config, items):
    # `pytest -m "not elasticsearch"` leaves out every test that would start the node
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "elasticsearch_url" in getattr(item, "fixturenames", ()) or (
                callspec is not None and callspec.params.get("backend_name") == "elasticsearch"):
            item.add_marker(pytest.mark.elasticsearch)


@pytest.fixture(scope="session")
def elasticsearch_url():
    """Base URL of a running Elasticsearch 8 node, without a trailing slash."""
    configured = os.environ.get("GUICHET_ELASTICSEARCH_URL", "").strip()
    if configured:
        yield configured.rstrip("/")
        return
    node_module = _load_node_module()
    node, failure = None, None
    try:
        node = node_module.start_node()
    except node_module.NodeError as error:
        failure = f"the Elasticsearch test node could not start: {error}"
    if failure is not None:  # reported outside the except block: the reason alone, no chained traceback
        if running_under_ci():
            pytest.fail(failure, pytrace=False)
        pytest.skip(failure)
    try:
        yield node.url
    finally:
        node.stop()


@pytest.fixture
def elasticsearch_index_prefix(elasticsearch_url):
    """A name prefix unique to this test; every index starting with it is deleted afterwards."""
    from elasticsearch import Elasticsearch

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = Elasticsearch(elasticsearch_url)
    try:
        _delete_indices(client, prefix)
    finally:
        client.close()


def _delete_indices(client, prefix: str) -> None:
    # by name: a cluster given by GUICHET_ELASTICSEARCH_URL may refuse wildcard deletes
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all"))
    if names:
        client.options(ignore_status=404).indices.delete(index=",".join(names))


@pytest.fixture(scope="module")
def elasticsearch_module_index(elasticsearch_url):
    """An index alias shared by the tests of one module; its indices are deleted at the end."""
    from elasticsearch import Elasticsearch

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = Elasticsearch(elasticsearch_url)
    try:
        _delete_indices(client, prefix)
    finally:
        client.close()


def empty_index(client, alias: str) -> None:
    """Remove every document of ``alias`` and merge the deletions away, so that the next test
    sees the term statistics (hence the scores) of a new, empty index."""
    if not client.indices.exists_alias(name=alias):
        return
    from elasticsearch import helpers

    # by id (no _delete_by_query: the test node has no reindex module); tests hold few documents
    hits = client.search(index=alias, size=10_000, source=False, query={"match_all": {}})["hits"]["hits"]
    if hits:
        helpers.bulk(client, ({"_op_type": "delete", "_index": hit["_index"], "_id": hit["_id"]} for hit in hits),
                     refresh="true", raise_on_error=False)
    client.indices.forcemerge(index=alias, max_num_segments=1)
    client.indices.refresh(index=alias)
