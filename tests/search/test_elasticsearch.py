"""The Elasticsearch backend beyond the behaviour suite: zero-downtime rebuild, a node that
goes away and comes back, index version. All against the real test node; a node "going away"
is a real TCP proxy in front of it being stopped."""

import socket
import threading
import time

import pytest
from elasticsearch import Elasticsearch, helpers

from guichet.search.base import SearchUnavailable
from guichet.search.elasticsearch import ElasticsearchBackend, index_version
from guichet.search.query import SearchQuery

UNAVAILABLE = "La recherche est momentanément indisponible"


@pytest.fixture
def backend_name():
    """Only Elasticsearch here (tests/search/conftest.py runs the suite on every backend)."""
    return "elasticsearch"


def document(doc_id: str, title: str = "Plan vélo", **fields) -> dict:
    data = {
        "id": doc_id, "source": "test", "title": title, "summary": "", "description": "", "funders": [],
        "level": "national", "regions": [], "departments": [], "nationwide": True, "available_regions": [],
        "available_departments": [], "beneficiaries": ["commune"], "population_min": None, "population_max": None,
        "themes": [], "aid_types": ["subvention"], "is_call_for_projects": False, "opens_on": None,
        "deadlines": [], "last_deadline": None, "next_deadline": None, "closed": False, "recurrence": "permanente",
        "first_seen_at": "2025-01-01T00:00:00", "published_at": "2025-01-01T00:00:00",
    }
    data.update(fields)
    return data


def found(backend, text: str = "", **fields) -> set[str]:
    result = backend.search(SearchQuery(text=text, per_page=100, **fields))
    return {hit.id for hit in result.hits}


@pytest.fixture
def backend(elasticsearch_url, elasticsearch_index_prefix):
    backend = ElasticsearchBackend(elasticsearch_url, alias=elasticsearch_index_prefix)
    yield backend
    backend.close()


@pytest.fixture
def raw_client(elasticsearch_url):
    with Elasticsearch(elasticsearch_url) as client:
        yield client


def alias_targets(client, alias) -> list[str]:
    return sorted(client.indices.get_alias(name=alias))


def indices_of(client, alias) -> list[str]:
    return sorted(client.indices.get(index=f"{alias}-*"))


def test_rebuild_swaps_the_alias_and_deletes_the_old_index(backend, raw_client):
    backend.index([document("ancien")])
    [old_index] = alias_targets(raw_client, backend.alias)

    assert backend.rebuild(document(f"nouveau-{number}") for number in range(3)) == 3

    [new_index] = alias_targets(raw_client, backend.alias)
    assert new_index != old_index and new_index.startswith(f"{backend.alias}-")
    assert indices_of(raw_client, backend.alias) == [new_index]
    assert found(backend) == {"nouveau-0", "nouveau-1", "nouveau-2"}
    settings = raw_client.indices.get_settings(index=new_index)[new_index]["settings"]["index"]
    assert settings["refresh_interval"] == "1s" and settings["auto_expand_replicas"] == "0-1"


def test_a_failed_rebuild_deletes_the_new_index_and_leaves_the_alias(backend, raw_client):
    backend.index([document("ancien")])
    [old_index] = alias_targets(raw_client, backend.alias)

    def store_fails_halfway():
        yield from (document(f"nouveau-{number}") for number in range(1500))
        raise RuntimeError("le store ne répond plus")

    with pytest.raises(RuntimeError, match="le store ne répond plus"):
        backend.rebuild(store_fails_halfway())
    assert alias_targets(raw_client, backend.alias) == [old_index]
    assert indices_of(raw_client, backend.alias) == [old_index]
    assert found(backend) == {"ancien"}

    # a document Elasticsearch refuses fails the rebuild the same way
    with pytest.raises(helpers.BulkIndexError):
        backend.rebuild([document("correct"), document("refusé", population_min="beaucoup")])
    assert alias_targets(raw_client, backend.alias) == [old_index]
    assert indices_of(raw_client, backend.alias) == [old_index]
    assert found(backend) == {"ancien"}


def test_searches_keep_answering_during_a_rebuild(backend):
    backend.rebuild(document(f"programme-{number}", title=f"Plan vélo {number}") for number in range(2000))
    failures, answers, stop = [], [], threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                answers.append(backend.search(SearchQuery(text="vélo")).total)
            except Exception as error:  # every failure is counted, none hidden
                failures.append(error)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        backend.rebuild(document(f"programme-{number}", title=f"Plan vélo {number}") for number in range(3000))
        time.sleep(0.2)
    finally:
        stop.set()
        searcher.join()
    assert failures == []
    assert len(answers) > 5 and set(answers) <= {2000, 3000} and answers[-1] == 3000


def test_health_reports_an_index_of_another_version(backend, raw_client):
    backend.index([document("un")])
    assert backend.health() | {"cluster_status": "green"} == {
        "backend": "elasticsearch", "cluster_status": "green", "index": alias_targets(raw_client, backend.alias)[0],
        "documents": 1, "index_version": index_version(), "needs_rebuild": False}
    raw_client.indices.put_mapping(index=backend.alias, meta={"version": index_version() - 1})
    assert backend.health()["needs_rebuild"] is True
    backend.rebuild([document("un")])
    assert backend.health()["needs_rebuild"] is False


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_node_is_search_unavailable():
    backend = ElasticsearchBackend(f"http://127.0.0.1:{closed_port()}", alias="introuvable")
    try:
        for attempt in (lambda: backend.search(SearchQuery()), backend.health, backend.count,
                        lambda: backend.index([document("un")]), lambda: backend.rebuild([document("un")])):
            with pytest.raises(SearchUnavailable):
                attempt()
    finally:
        backend.close()


class TcpProxy:
    """A TCP relay to the node that can be cut and restored: the node "goes away" for real."""

    def __init__(self, target_url: str):
        host, port = target_url.rsplit("/", 1)[-1].rsplit(":", 1)
        self.target = (host, int(port))
        self.port = closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._listener = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.05)
        self._listener = listener
        self._running.set()
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self):
        self._running.clear()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        self._listener.close()
        with self._lock:
            for connection in self._sockets:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self._sockets.clear()

    def _accept(self):
        while self._running.is_set():
            try:
                downstream, _address = self._listener.accept()
            except TimeoutError:
                continue
            downstream.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets.update({downstream, upstream})
            for source, sink in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def proxy(elasticsearch_url):
    relay = TcpProxy(elasticsearch_url)
    relay.start()
    yield relay
    if relay._running.is_set():
        relay.stop()


@pytest.fixture
def app_config(app_config, proxy, elasticsearch_index_prefix):
    return {**app_config, "ELASTICSEARCH_URL": proxy.url, "ELASTICSEARCH_INDEX": elasticsearch_index_prefix}


def test_pages_api_and_healthz_say_503_while_the_node_is_away_then_recover(client, make_programme, proxy):
    programme = make_programme(title="Plan vélo")
    assert [result["id"] for result in client.get("/api/v1/programmes?q=vélo").get_json()["results"]] == [programme]

    proxy.stop()
    try:
        api = client.get("/api/v1/programmes?q=vélo")
        assert api.status_code == 503
        assert UNAVAILABLE in api.get_json()["error"]["message"]
        page = client.get("/?q=vélo")
        assert page.status_code == 503
        assert UNAVAILABLE in page.get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["search"]["status"] == "indisponible"
        # the store still takes changes; they reach the index with the next rebuild
        make_programme(title="Plan vélo bis")
    finally:
        proxy.start()

    # no restart: the next request finds the node again
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/programmes?q=vélo").status_code == 200
    assert client.get("/?q=vélo").status_code == 200


# Every query of the benchmark mix, plus combinations of several filters and statuses.
PARITY_QUERIES = [
    {"theme": ["mobilite", "numerique"], "level": ["regional", "national"], "status": ["ouvert", "clos"]},
    {"region": "84", "department": ["01", "69"], "aid_type": "pret"},
    {"status": ["a_venir", "clos"], "beneficiary": "commune"},
    {"status": "a_venir"},
    {"status": "ouvert", "sort": "nouveaute"},
    {"q": "vélo", "status": ["ouvert", "a_venir", "clos"], "theme": "mobilite"},
    {"q": "école", "region": ["11", "84"], "level": "regional", "population": "2000-20000"},
]


def test_same_results_and_counts_as_the_embedded_backend(app, backend, tmp_path):
    """Both backends on the same 1,500 generated programmes: the same totals and facet counts
    for every query, the same results in the same order for every sort but relevance (whose
    order is a documented difference; the same query sorted by deadline compares the sets).

    bench/corpus.py only provides varied records here: nothing is asserted about them, only
    that the two backends agree."""
    from werkzeug.datastructures import MultiDict

    from bench.corpus import QUERY_MIX, load
    from guichet.search import programme_documents
    from guichet.search.query import parse_search
    from guichet.search.sqlite import SQLiteBackend

    load(app, 1500, rebuild=False)
    with app.app_context(), app.extensions["guichet.db"].session() as session:
        documents = list(programme_documents(session))
    embedded = SQLiteBackend(tmp_path / "parity.sqlite3")
    embedded.rebuild(documents)
    backend.rebuild(documents)

    checked = 0
    for params in QUERY_MIX + PARITY_QUERIES:
        variants = [params]
        if params.get("q") and params.get("sort", "pertinence") == "pertinence":
            variants.append({**params, "sort": "date_limite"})
        for variant in variants:
            query = parse_search(MultiDict([(name, value) for name, values in variant.items()
                                            for value in (values if isinstance(values, list) else [values])]))
            expected, actual = embedded.search(query), backend.search(query)
            assert (actual.total, actual.facets) == (expected.total, expected.facets), variant
            if query.sort != "pertinence" or not query.has_text:
                assert [hit.id for hit in actual.hits] == [hit.id for hit in expected.hits], variant
            checked += 1
    embedded.close()
    assert checked > 80


def test_titles_have_an_autocomplete_field(backend, raw_client):
    """Issue 3's mapping: a title typed from its first letters, accents and elisions folded."""
    backend.index([document("eclairage", title="Rénovation de l'éclairage public"),
                   document("velo", title="Plan vélo du quotidien")])
    raw_client.indices.refresh(index=backend.alias)
    for typed in ("eclair", "l'écl", "RÉNOV", "plan vé"):
        hits = raw_client.search(index=backend.alias, query={"match": {
            "title.autocomplete": {"query": typed, "operator": "and"}}})["hits"]["hits"]
        assert [hit["_id"] for hit in hits][:1] == (["velo"] if typed.startswith("plan") else ["eclairage"]), typed
