"""Benchmark of the production topologies, side by side in one run, on the same corpus.

Three set-ups, each serving the same generated programmes with `guichet serve` processes:

  sqlite         SQLite store + SQLite FTS5 index, one web worker
  postgresql     PostgreSQL store (a server started here) + FTS5 index file, two web workers
  elasticsearch  PostgreSQL store + a three-node Elasticsearch cluster on loopback, two workers

For each: search throughput (requests per second) at 10 / 50 / 200 concurrent connections
over the benchmark's query mix, p50/p95/p99 and errors; then the write path: an import of
2,000 new records (what a scrape stores) until they are searchable, and a curator's edit of
one programme until the API finds it under its new title.

    .venv/bin/python bench/bench_topology.py [--count 20000] [--seconds 10] [--setups sqlite,postgresql,elasticsearch]

The load generator runs on the same machine as the servers (and, here, as the cluster): the
figures compare set-ups with each other in one run, they are not capacity figures.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.common import free_port, percentile  # noqa: E402
from bench.corpus import QUERY_MIX, generate, load  # noqa: E402


def start_postgresql():
    from tests.plugins.postgresql_server import PostgreSQLServer

    return PostgreSQLServer.start_new()


def start_cluster():
    import importlib.util

    spec = importlib.util.spec_from_file_location("es_node", ROOT / "tools" / "elasticsearch" / "node.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.start_cluster(3)


def prepare(name: str, directory: Path, count: int, postgresql, cluster) -> dict:
    """Migrate the store, load the corpus, build the index; returns the GUICHET_* environment."""
    from guichet import create_app, migrations
    from guichet.db import Database

    environment = {"GUICHET_INSTANCE_PATH": str(directory / "instance"), "GUICHET_SECRET_KEY": "bench",
                   "GUICHET_SCHEDULER_ENABLED": "false", "GUICHET_SEARCH_SQLITE_PATH": str(directory / "search.sqlite3")}
    if name == "sqlite":
        environment["GUICHET_DATABASE_URL"] = f"sqlite:///{directory / 'guichet.sqlite3'}"
    else:
        environment["GUICHET_DATABASE_URL"] = postgresql.url(postgresql.create_database())
    if name == "elasticsearch":
        environment.update(GUICHET_SEARCH_BACKEND="elasticsearch", GUICHET_ELASTICSEARCH_URL=cluster.url,
                           GUICHET_ELASTICSEARCH_INDEX=f"bench-{int(time.time())}")
    database = Database(environment["GUICHET_DATABASE_URL"])
    migrations.upgrade(database)
    database.dispose()
    os.environ.update(environment)
    app = create_app({"SEARCH_SYNC_DISABLED": True})
    timings = load(app, count)
    app.extensions["guichet.db"].dispose()
    print(f"  loaded {count} programmes: store {timings['store_seconds']:.1f} s · index {timings['index_seconds']:.1f} s")
    return environment


def serve(environment: dict, workers: int):
    port = free_port()
    env = dict(os.environ, **environment, GUICHET_PORT=str(port), PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "guichet", "serve", "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return process, base
        except requests.RequestException:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server never answered /healthz")


def load_test(base: str, connections: int, seconds: float) -> dict:
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset):
        session = requests.Session()
        index = offset
        while time.monotonic() < stop_at:
            params = QUERY_MIX[index % len(QUERY_MIX)]
            index += 1
            started = time.perf_counter()
            try:
                ok = session.get(f"{base}/api/v1/programmes", params=params, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        session.close()

    threads = [threading.Thread(target=worker, args=(number * 7,)) for number in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    return {"rps": len(latencies) / wall, "p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99), "errors": errors[0], "n": len(latencies)}


EVERYTHING = {"per_page": 1, "status": ["ouvert", "a_venir", "clos"]}


def write_path(environment: dict, base: str, directory: Path) -> dict:
    """An import of 2,000 new records (a scrape's store step) and a curator's edit, each timed
    until the API finds the result."""
    records = []
    for data in generate(2000, seed=7):
        data = dict(data, id=f"write-{data['id']}", source="write", source_id=f"w{data['source_id']}", state="published")
        records.append(data)
    path = directory / "write.jsonl"
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    env = dict(os.environ, **environment, PYTHONPATH=str(ROOT))
    env.pop("GUICHET_SEARCH_SYNC_DISABLED", None)
    before = requests.get(f"{base}/api/v1/programmes", params=EVERYTHING).json()["total"]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "guichet", "import", str(path)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (requests.get(f"{base}/api/v1/programmes", params=EVERYTHING).json()["total"] < before + len(records)
           and time.monotonic() < deadline):
        time.sleep(0.05)
    imported = time.perf_counter() - started

    from guichet import create_app
    from guichet.programmes.models import Programme

    os.environ.update(environment)
    app = create_app({"SEARCH_SYNC_DISABLED": False})
    title = f"Programme édité {int(time.time())} zéphyr"
    started = time.perf_counter()
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            programme = session.get(Programme, records[0]["id"])
            programme.title = title
            session.commit()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = requests.get(f"{base}/api/v1/programmes", params={"q": "zéphyr"}).json()["results"]
        if any(result["title"] == title for result in found):
            break
        time.sleep(0.02)
    edited = time.perf_counter() - started
    app.extensions["guichet.db"].dispose()
    return {"import_seconds": imported, "edit_seconds": edited}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per concurrency level")
    parser.add_argument("--connections", default="10,50,200")
    parser.add_argument("--setups", default="sqlite,postgresql,elasticsearch")
    args = parser.parse_args()
    setups = args.setups.split(",")
    levels = [int(value) for value in args.connections.split(",")]
    postgresql = start_postgresql() if set(setups) & {"postgresql", "elasticsearch"} else None
    cluster = start_cluster() if "elasticsearch" in setups else None
    results = {}
    try:
        for name in setups:
            workers = 1 if name == "sqlite" else 2
            print(f"{name} ({workers} worker{'s' if workers > 1 else ''}):")
            directory = Path(tempfile.mkdtemp(prefix=f"guichet-topology-{name}-"))
            environment = prepare(name, directory, args.count, postgresql, cluster)
            process, base = serve(environment, workers)
            try:
                for params in QUERY_MIX:
                    requests.get(f"{base}/api/v1/programmes", params=params).raise_for_status()
                for connections in levels:
                    figures = load_test(base, connections, args.seconds)
                    results[(name, connections)] = figures
                    print(f"  {connections:3} connections: {figures['rps']:7.1f} req/s · p50 {figures['p50'] * 1000:7.1f} ms"
                          f" · p95 {figures['p95'] * 1000:7.1f} ms · p99 {figures['p99'] * 1000:7.1f} ms"
                          f" · errors {figures['errors']} (n={figures['n']})")
                writes = write_path(environment, base, directory)
                print(f"  write path: import of 2,000 records searchable in {writes['import_seconds']:.1f} s · "
                      f"a curator's edit found by the API in {writes['edit_seconds'] * 1000:.0f} ms")
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(60)
    finally:
        if cluster is not None:
            cluster.stop()
        if postgresql is not None:
            postgresql.destroy()


if __name__ == "__main__":
    main()
