"""Load benchmark: throughput and p50/p95/p99 latency of the search page and the API at 10,
50 and 200 concurrent connections, against `guichet serve` (waitress, 8 threads) on loopback.

The server runs in its own process on a fresh store of ``--count`` programmes (bench corpus,
embedded SQLite backend); the client opens N keep-alive connections, each sending requests
from a fixed mix of searches one after the other, for ``--seconds`` per level. Bounded:
loopback only, at most 200 connections, a fixed duration per level.

    .venv/bin/python bench/bench_load.py [--count 5000] [--seconds 8] [--levels 10,50,200]
"""

import argparse
import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, make_app, percentile  # noqa: E402
from bench.corpus import QUERY_MIX, load  # noqa: E402

MAX_CONNECTIONS = 200


def query_strings() -> list[str]:
    strings = []
    for params in QUERY_MIX:
        pairs = [(name, item) for name, value in params.items()
                 for item in (value if isinstance(value, list) else [value])]
        strings.append(urlencode(pairs))
    return strings


def start_server(directory: Path, port: int) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env.update(GUICHET_INSTANCE_PATH=str(directory / "instance"),
               GUICHET_DATABASE_URL=f"sqlite:///{directory / 'guichet.sqlite3'}",
               GUICHET_SEARCH_SQLITE_PATH=str(directory / "search.sqlite3"), GUICHET_PORT=str(port),
               GUICHET_HOST="127.0.0.1", GUICHET_SCHEDULER_ENABLED="false")
    # The server's log goes to a file: a pipe nobody reads fills up (64 KiB) and then blocks
    # every thread that logs, which looks like requests hanging under load.
    log = open(directory / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "guichet", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                connection.close()
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start: " + (directory / "server.log").read_text()[-2000:])


def run_level(port: int, connections: int, seconds: float, paths: list[str]) -> dict:
    latencies, errors, statuses = [], [0], {}
    lock = threading.Lock()
    start_barrier = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def client(number: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, index = [], number
        start_barrier.wait()
        while time.monotonic() < stop_at[0]:
            path = paths[index % len(paths)]
            index += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - began)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(connections)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start_barrier.wait()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.monotonic() - began
    return {"requests": len(latencies), "throughput": len(latencies) / elapsed, "errors": errors[0],
            "statuses": statuses, "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="programmes in the store")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each level")
    parser.add_argument("--levels", default="10,50,200", help="concurrent connections, comma-separated")
    args = parser.parse_args()
    levels = [min(int(level), MAX_CONNECTIONS) for level in args.levels.split(",")]

    app, directory = make_app()
    started = time.perf_counter()
    load(app, args.count)
    app.extensions["guichet.db"].dispose()
    print(f"store and index: {args.count} programmes in {time.perf_counter() - started:.1f} s ({directory})")

    queries = query_strings()
    targets = {"search page (/)": [f"/?{query}" for query in queries],
               "API (/api/v1/programmes)": [f"/api/v1/programmes?{query}" for query in queries]}
    port = free_port()
    server = start_server(directory, port)
    try:
        for name, paths in targets.items():
            run_level(port, 4, 2.0, paths)  # warm-up: snapshots loaded, templates compiled
            print(f"\n{name}: {len(paths)} searches in the mix, {args.seconds:.0f} s per level")
            print(f"  {'connections':>11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}  statuses")
            for connections in levels:
                result = run_level(port, connections, args.seconds, paths)
                statuses = ", ".join(f"{code}×{count}" for code, count in sorted(result["statuses"].items()))
                print(f"  {connections:>11} {result['throughput']:>8.1f} {result['p50'] * 1000:>8.1f} "
                      f"{result['p95'] * 1000:>8.1f} {result['p99'] * 1000:>8.1f} {result['errors']:>7}  {statuses}")
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        errors = [line for line in (directory / "server.log").read_text(errors="replace").splitlines()
                  if "Traceback" in line or "ERROR" in line or "WARNING" in line]
        print(f"\nserver log: {directory / 'server.log'} ({len(errors)} error or warning lines)")
        for line in errors[:5]:
            print("  " + line)


if __name__ == "__main__":
    main()
