"""Benchmark of the embedded search (SQLite FTS5) at 20,000 programmes.

Reports: indexing throughput, database sizes, and p50/p95 latency of a fixed mix of 50 queries
(with and without filters), measured inside the backend and end to end through the HTTP API
of a running server. Target: p95 ≤ 20 ms end to end.

    .venv/bin/python bench/bench_search.py [--count 20000] [--rounds 5]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.common import Server, make_app, summary_ms  # noqa: E402
from bench.corpus import QUERY_MIX, load  # noqa: E402


def to_multidict(params: dict) -> MultiDict:
    pairs = []
    for name, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return MultiDict(pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the 50-query mix")
    args = parser.parse_args()

    app, directory = make_app()
    print(f"Corpus: {args.count} programmes in {directory}")
    timings = load(app, args.count)
    print(f"Store load: {timings['store_seconds']:.1f} s · index rebuild: {timings['index_seconds']:.1f} s "
          f"→ {timings['index_per_second']:.0f} programmes/s")
    store_size = os.path.getsize(directory / "guichet.sqlite3")
    index_size = os.path.getsize(directory / "search.sqlite3")
    print(f"Sizes: store {store_size / 2**20:.1f} MiB · search index {index_size / 2**20:.1f} MiB")

    from guichet.search import get_backend
    from guichet.search.services import parse

    with app.test_request_context():
        backend = get_backend()
        queries = [parse(to_multidict(params)) for params in QUERY_MIX]
        for query in queries:  # warm-up
            backend.search(query)
        inside = {"text": [], "no_text": [], "filters": [], "all": []}
        for _round in range(args.rounds):
            for params, query in zip(QUERY_MIX, queries):
                started = time.perf_counter()
                backend.search(query)
                elapsed = time.perf_counter() - started
                inside["all"].append(elapsed)
                inside["text" if query.has_text else "no_text"].append(elapsed)
                if set(params) - {"q", "page"}:
                    inside["filters"].append(elapsed)
    print("Inside the backend (search + facets):")
    for name, values in inside.items():
        print(f"  {name:8} {summary_ms(values)}")

    with Server(app) as server:
        session = requests.Session()
        for params in QUERY_MIX:
            session.get(f"{server.url}/api/v1/programmes", params=params).raise_for_status()
        end_to_end = {"all": [], "with filters": [], "without filters": []}
        for _round in range(args.rounds):
            for params in QUERY_MIX:
                started = time.perf_counter()
                response = session.get(f"{server.url}/api/v1/programmes", params=params)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                end_to_end["all"].append(elapsed)
                end_to_end["with filters" if set(params) - {"q", "page"} else "without filters"].append(elapsed)
    print("End to end through GET /api/v1/programmes (20 results + facets, keep-alive):")
    for name, values in end_to_end.items():
        print(f"  {name:16} {summary_ms(values)}")


if __name__ == "__main__":
    main()
