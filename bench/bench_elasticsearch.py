"""Benchmark of the Elasticsearch backend at 100,000 programmes, next to SQLite FTS5.

Reports:
- bulk indexing throughput (documents already built, straight into a new index; target
  ≥ 5,000 programmes/s);
- a full `guichet reindex` (the real command, reading the store) while a loop keeps searching
  through the HTTP API: wall time (target ≤ 60 s) and failed searches (target: none);
- search latency p50/p95 of the 50-query mix of bench/corpus.py, end to end through
  GET /api/v1/programmes of a running server, next to Elasticsearch's own `took` for the same
  requests (targets: p95 ≤ 20 ms, end to end ≤ 2 × took);
- the same queries on SQLite FTS5 at the same size.

    .venv/bin/python bench/bench_elasticsearch.py [--count 100000] [--rounds 5] [--skip-sqlite]

The node is the test node (tools/elasticsearch/node.py) unless GUICHET_ELASTICSEARCH_URL is set.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import requests  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.common import Server, make_app, percentile, summary_ms  # noqa: E402
from bench.corpus import QUERY_MIX, load  # noqa: E402

ALIAS = "bench-programmes"


def to_multidict(params: dict) -> MultiDict:
    return MultiDict([(name, item) for name, value in params.items()
                      for item in (value if isinstance(value, list) else [value])])


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_load() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3]) + f" on {os.cpu_count()} cores"


def start_node():
    url = os.environ.get("GUICHET_ELASTICSEARCH_URL")
    if url:
        return url.rstrip("/"), None
    spec = importlib.util.spec_from_file_location("node", REPO / "tools" / "elasticsearch" / "node.py")
    node_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(node_module)
    node = node_module.start_node()
    return node.url, node


def end_to_end(app, rounds: int, before_each=None) -> dict[str, list[float]]:
    timings = {"all": [], "with filters": [], "without filters": []}
    with Server(app, threads=4) as server:
        session = requests.Session()
        for params in QUERY_MIX:  # warm-up
            session.get(f"{server.url}/api/v1/programmes", params=params).raise_for_status()
        for _round in range(rounds):
            for params in QUERY_MIX:
                if before_each:
                    before_each()
                started = time.perf_counter()
                response = session.get(f"{server.url}/api/v1/programmes", params=params)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                timings["all"].append(elapsed)
                timings["with filters" if set(params) - {"q", "page"} else "without filters"].append(elapsed)
    return timings


def print_timings(title: str, timings: dict[str, list[float]]) -> None:
    print(title)
    for name, values in timings.items():
        print(f"  {name:16} {summary_ms(values)}")


def elasticsearch_figures(url: str, count: int, rounds: int, node_pid: int | None) -> None:
    from guichet.search import programme_documents
    from guichet.search.services import parse

    app, directory = make_app(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX=ALIAS)
    backend = app.extensions["guichet.search"]
    backend.drop()
    started = time.perf_counter()
    load(app, count, rebuild=False)
    print(f"Store: {count} programmes written in {time.perf_counter() - started:.1f} s ({directory})")

    # 1. Bulk indexing throughput, documents already built (what Elasticsearch and the client do).
    with app.app_context():
        database = app.extensions["guichet.db"]
        with database.session() as session:
            started = time.perf_counter()
            documents = list(programme_documents(session))
            built = time.perf_counter() - started
    print(f"Documents built from the store (guichet.search.programme_documents): {built:.1f} s "
          f"→ {count / built:,.0f} programmes/s")
    # A node serving production has a warm JIT: warm this one up on a first, smaller rebuild.
    started = time.perf_counter()
    backend.rebuild(documents[:20_000])
    print(f"Warm-up rebuild of {min(count, 20_000)} programmes: {time.perf_counter() - started:.1f} s (not counted)")
    node_cpu, client_cpu = cpu_seconds(node_pid), time.process_time()
    started = time.perf_counter()
    indexed = backend.rebuild(documents)
    bulk_seconds = time.perf_counter() - started
    print(f"Bulk indexing (new index, refresh off, alias swap): {indexed} in {bulk_seconds:.1f} s "
          f"→ {indexed / bulk_seconds:,.0f} programmes/s (target ≥ 5,000/s) · {machine_load()}")
    if node_cpu is not None:
        node_cpu = cpu_seconds(node_pid) - node_cpu
        client_cpu = time.process_time() - client_cpu
        # On a shared machine wall time mostly measures the neighbours; CPU time does not.
        print(f"  CPU used: Elasticsearch {node_cpu:.1f} s ({indexed / node_cpu:,.0f} programmes per CPU second) · "
              f"Python client {client_cpu:.1f} s ({indexed / client_cpu:,.0f} per CPU second)")
    del documents

    # 2. `guichet reindex` while a loop searches through the API.
    environment = {**os.environ, "GUICHET_DATABASE_URL": app.config["DATABASE_URL"],
                   "GUICHET_SEARCH_BACKEND": "elasticsearch", "GUICHET_ELASTICSEARCH_URL": url,
                   "GUICHET_ELASTICSEARCH_INDEX": ALIAS, "GUICHET_INSTANCE_PATH": str(directory / "instance"),
                   "GUICHET_SCHEDULER_ENABLED": "false"}
    guichet = REPO / ".venv" / "bin" / "guichet"
    with Server(app, threads=4) as server:
        outcomes = {"ok": 0, "failed": 0, "totals": set()}
        stop = threading.Event()

        def keep_searching():
            session = requests.Session()
            while not stop.is_set():
                try:
                    response = session.get(f"{server.url}/api/v1/programmes", params={"q": "vélo"}, timeout=10)
                    if response.status_code == 200:
                        outcomes["ok"] += 1
                        outcomes["totals"].add(response.json()["total"])
                    else:
                        outcomes["failed"] += 1
                except requests.RequestException:
                    outcomes["failed"] += 1

        searcher = threading.Thread(target=keep_searching)
        searcher.start()
        started = time.perf_counter()
        completed = subprocess.run([str(guichet), "reindex"], env=environment, capture_output=True, text=True)
        reindex_seconds = time.perf_counter() - started
        time.sleep(0.5)
        stop.set()
        searcher.join()
    if completed.returncode != 0:
        print(completed.stdout, completed.stderr)
        raise SystemExit("guichet reindex failed")
    print(f"`guichet reindex`: {reindex_seconds:.1f} s wall time (target ≤ 60 s) · {machine_load()}: "
          f"{completed.stdout.strip()}")
    print(f"  searches during the reindex: {outcomes['ok']} answered, {outcomes['failed']} failed "
          f"(target: 0 failed)")

    # 3. Latency: end to end through the API, next to Elasticsearch's `took` for the same
    # requests. "Cold": the shard request cache (where the counts request's answer is kept until
    # the index changes) is cleared before every search; "warm": repeated searches.
    with app.test_request_context():
        queries = [parse(to_multidict(params)) for params in QUERY_MIX]

    def clear_request_cache():
        backend.client.indices.clear_cache(index=ALIAS, request=True)

    def took_of(query) -> float:
        responses = backend.client.msearch(searches=backend.msearch_body(query))["responses"]
        return max(response["took"] for response in responses) / 1000  # the two run side by side

    for query in queries:  # warm-up
        backend.search(query)
    took = {"cold": [], "warm": []}
    for _round in range(rounds):
        for query in queries:
            clear_request_cache()
            took["cold"].append(took_of(query))
            took["warm"].append(took_of(query))
    cold = end_to_end(app, rounds, before_each=clear_request_cache)
    warm = end_to_end(app, rounds)
    print(f"Latency ({machine_load()})")
    print("Elasticsearch `took` (server side, the same two requests):")
    for name, values in took.items():
        print(f"  {name:16} {summary_ms(values)}")
    print_timings("End to end through GET /api/v1/programmes (20 results + facets, keep-alive), cold:", cold)
    print_timings("End to end, warm (facet counts from the request cache):", warm)
    for name, timings in (("cold", cold), ("warm", warm)):
        ratio = percentile(timings["all"], 0.95) / max(percentile(took[name], 0.95), 1e-3)
        print(f"  {name}: end-to-end p95 / took p95 = {ratio:.1f} (target ≤ 2)")
    backend.drop()
    backend.close()


def sqlite_figures(count: int, rounds: int) -> None:
    from guichet.search.services import parse

    app, directory = make_app()
    timings = load(app, count)
    print(f"SQLite FTS5: store {timings['store_seconds']:.1f} s · rebuild {timings['index_seconds']:.1f} s "
          f"→ {timings['index_per_second']:,.0f} programmes/s")
    with app.test_request_context():
        backend = app.extensions["guichet.search"]
        queries = [parse(to_multidict(params)) for params in QUERY_MIX]
        for query in queries:
            backend.search(query)
        inside = []
        for _round in range(rounds):
            for query in queries:
                started = time.perf_counter()
                backend.search(query)
                inside.append(time.perf_counter() - started)
    print("Inside the SQLite backend:")
    print(f"  {'all':16} {summary_ms(inside)}")
    print_timings("SQLite end to end through GET /api/v1/programmes:", end_to_end(app, rounds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 50-query mix")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    url, node = start_node()
    print(f"Elasticsearch at {url}")
    try:
        elasticsearch_figures(url, args.count, args.rounds, node.process.pid if node else None)
    finally:
        if node is not None:
            node.stop()
    if not args.skip_sqlite:
        sqlite_figures(args.count, args.rounds)


if __name__ == "__main__":
    main()
