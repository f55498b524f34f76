"""Benchmark of the embedded search (SQLite FTS5) at 20,000 programmes.

Reports: indexing throughput, database sizes, and p50/p95 latency of a fixed mix of 50 queries
(with and without filters), measured inside the backend, end to end through the HTTP API and
through the search page (HTML) of a running server, and the floor: a bare Flask route on the
same waitress server returning the same bytes as the API, measured in the same run, so that
the ratios can be read on any machine. Targets: p95 ≤ 20 ms end to end; API p50 ≤ 2 × the
inside-backend p50; page p50 ≤ 2 × the API p50.

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

from bench.common import Server, make_app, percentile, summary_ms  # noqa: E402
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
        bodies = {}
        for params in QUERY_MIX:  # warm-up; the bodies are what the floor serves back
            response = session.get(f"{server.url}/api/v1/programmes", params=params)
            response.raise_for_status()
            bodies[repr(params)] = response.content
            session.get(f"{server.url}/", params=params).raise_for_status()
        end_to_end = {"all": [], "with filters": [], "without filters": []}
        page = []
        for _round in range(args.rounds):
            for params in QUERY_MIX:
                started = time.perf_counter()
                response = session.get(f"{server.url}/api/v1/programmes", params=params)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                end_to_end["all"].append(elapsed)
                end_to_end["with filters" if set(params) - {"q", "page"} else "without filters"].append(elapsed)
                started = time.perf_counter()
                session.get(f"{server.url}/", params=params).raise_for_status()
                page.append(time.perf_counter() - started)
    floor = measure_floor(bodies, args.rounds)
    print("End to end through GET /api/v1/programmes (20 results + facets, keep-alive):")
    for name, values in end_to_end.items():
        print(f"  {name:16} {summary_ms(values)}")
    print(f"Search page GET / (HTML)  {summary_ms(page)}")
    print(f"Floor: bare Flask route, same bytes, same server  {summary_ms(floor)}")
    inside_p50, api_p50 = percentile(inside["all"], 0.5), percentile(end_to_end["all"], 0.5)
    page_p50, floor_p50 = percentile(page, 0.5), percentile(floor, 0.5)
    print(f"Ratios (p50): API / inside the backend {api_p50 / inside_p50:.2f} (target ≤ 2) · "
          f"page / API {page_p50 / api_p50:.2f} (target ≤ 2) · API / floor {api_p50 / floor_p50:.2f} · "
          f"API − inside − floor {1000 * (api_p50 - inside_p50 - floor_p50):.2f} ms of our own work")


def measure_floor(bodies: dict, rounds: int) -> list[float]:
    """A bare Flask app on the same waitress server: the same JSON bytes, parsed and
    re-serialised per request (what any JSON view costs), and nothing else."""
    import json

    from flask import Flask, request

    floor_app = Flask("floor")

    @floor_app.get("/api/v1/programmes")
    def same_bytes():
        body = bodies.get(repr(request.args.to_dict(flat=False)))
        if body is None:
            body = next(iter(bodies.values()))
        return floor_app.response_class(json.dumps(json.loads(body), ensure_ascii=False), mimetype="application/json")

    timings = []
    with Server(floor_app) as server:
        session = requests.Session()
        for params in QUERY_MIX:
            session.get(f"{server.url}/api/v1/programmes", params=params).raise_for_status()
        for _round in range(rounds):
            for params in QUERY_MIX:
                started = time.perf_counter()
                session.get(f"{server.url}/api/v1/programmes", params=params).raise_for_status()
                timings.append(time.perf_counter() - started)
    return timings


if __name__ == "__main__":
    main()
