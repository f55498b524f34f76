"""H2 + M1 on a real Elasticsearch node: a node killed with kill -9 right after `guichet
reindex` keeps every document (the rebuild flushes before it swaps); an index that lost
documents makes /healthz answer 503 « index incomplet » until one repair brings them back;
a page beyond the result window is an empty page, not a 500."""

import signal

import pytest
from elasticsearch import Elasticsearch, helpers

from tests.plugins.elasticsearch_node import _load_node_module, running_under_ci


@pytest.fixture
def es_config(app_config, elasticsearch_url, elasticsearch_index_prefix):
    return {**app_config, "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": elasticsearch_url,
            "ELASTICSEARCH_INDEX": elasticsearch_index_prefix}


@pytest.fixture
def es_app(es_config, tmp_path, monkeypatch):
    from guichet import create_app

    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-es"))
    application = create_app(es_config)
    yield application
    application.extensions["guichet.search"].client.close()
    application.extensions["guichet.db"].dispose()


def _make(es_app, count: int, prefix: str):
    from guichet.programmes.services import upsert_source_record
    from tests.conftest import programme_data

    with es_app.app_context():
        with es_app.extensions["guichet.db"].session() as session:
            for number in range(count):
                upsert_source_record(session, programme_data(id=f"{prefix}-{number}", title=f"Voirie {number}"))
            session.commit()


def test_health_says_index_incomplet_until_one_repair(es_app, elasticsearch_url, elasticsearch_index_prefix):
    from guichet.search.outbox import repair_index

    _make(es_app, 30, "es")
    client = es_app.test_client()
    assert client.get("/healthz").status_code == 200
    # Documents lost behind the service's back (a node that lost its last writes).
    raw = Elasticsearch(elasticsearch_url)
    helpers.bulk(raw, ({"_op_type": "delete", "_index": elasticsearch_index_prefix, "_id": f"es-{number}"}
                       for number in range(10)), refresh="true")
    raw.close()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["search"]["status"] == "index incomplet"
    report = repair_index(es_app)
    assert report.missing == 10 and report.errors == []
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/programmes?q=voirie&per_page=50").get_json()["total"] == 30


@pytest.mark.parametrize("page", ["501", "502", "100000"])
def test_m1_a_page_beyond_the_window_on_elasticsearch(es_app, page):
    _make(es_app, 3, f"page{page}")
    client = es_app.test_client()
    response = client.get("/api/v1/programmes", query_string={"page": page})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_json()["results"] == [] and response.get_json()["total"] == 3
    assert client.get("/", query_string={"page": page}).status_code in (200, 400)


# Connections to a node killed by kill -9 die with it: the client's pool drops them unclosed.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_node_killed_right_after_reindex_keeps_every_document(app_config, tmp_path, monkeypatch):
    """The node is our own here (its data folder kept between the two lives)."""
    from guichet import create_app
    from guichet.search import rebuild_index

    node_module = _load_node_module()
    home = tmp_path / "es-home"
    try:
        node = node_module.start_node(home=home)
    except node_module.NodeError as error:
        if running_under_ci():
            pytest.fail(f"the Elasticsearch node could not start: {error}", pytrace=False)
        pytest.skip(str(error))
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-kill"))
    config = {**app_config, "SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": node.url,
              "ELASTICSEARCH_INDEX": "guichet-kill", "SEARCH_SYNC_DISABLED": True}
    try:
        app = create_app(config)
        _make(app, 500, "kill")
        assert rebuild_index(app) == 500
        node.process.send_signal(signal.SIGKILL)  # kill -9, right after the reindex
        node.process.wait(30)
        app.extensions["guichet.search"].client.close()
        app.extensions["guichet.db"].dispose()
    finally:
        node.stop()
    node = node_module.start_node(home=home)
    try:
        app = create_app({**config, "ELASTICSEARCH_URL": node.url})
        assert app.extensions["guichet.search"].count() == 500
        assert app.test_client().get("/healthz").status_code == 200
        app.extensions["guichet.search"].client.close()
        app.extensions["guichet.db"].dispose()
    finally:
        node.stop()
        import shutil

        shutil.rmtree(home, ignore_errors=True)
