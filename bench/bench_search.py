"""Benchmark of the embedded search (SQLite FTS5) at 20,000 programmes.

Reports: indexing throughput, database sizes, and p50/p95 latency of a fixed mix of 50 queries
(with and without filters), measured inside the backend, end to end through the HTTP API and
through the search page (HTML) of a running server, and the floor: a bare Flask route on the
same kind of waitress server returning the same bytes as the API, so that the ratios can be
read on any machine. Every query is measured each way in turn (backend, API, page, floor, API
with its answer compressed anew), round after round: a busy moment of the machine weighs on
all figures alike. Targets: p95 ≤ 20 ms end to end; API p50 ≤ 2 × the inside-backend p50;
page p50 ≤ 2 × the API p50. To compare with another checkout (main, say), run this file from
a copy of it placed in that checkout's bench/.

    .venv/bin/python bench/bench_search.py [--count 20000] [--rounds 5]
"""

import argparse
import os
import random
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

    from guichet.api import views as api_views
    from guichet.search import get_backend
    from guichet.search.services import parse

    floor_app = floor()
    bodies = floor_app.bodies
    cpu_times = {name: [] for name in ("inside", "api", "api_uncached", "page")}
    current = [None]  # what the request under way measures (one at a time)
    serve = app.wsgi_app

    def timed_wsgi_app(environ, start_response):
        """The CPU time of the serving thread from Flask's WSGI call to its answer's bytes."""
        started = time.thread_time()
        try:
            return serve(environ, start_response)
        finally:
            if current[0] in cpu_times:
                cpu_times[current[0]].append(time.thread_time() - started)

    app.wsgi_app = timed_wsgi_app
    names = ("inside", "api", "api_uncached", "page", "floor")
    timings = {name: [[] for _ in QUERY_MIX] for name in names}
    with app.test_request_context(), Server(app) as server, Server(floor_app) as floor_server:
        backend = get_backend()
        queries = [parse(to_multidict(params)) for params in QUERY_MIX]
        session = requests.Session()
        encodings = session.headers["Accept-Encoding"]

        for params, query in zip(QUERY_MIX, queries):  # warm-up; the floor serves back the API's bytes
            backend.search(query)
            response = session.get(f"{server.url}/api/v1/programmes", params=params)
            response.raise_for_status()
            bodies[repr(to_multidict(params).to_dict(flat=False))] = response.content
            session.get(f"{server.url}/", params=params).raise_for_status()
            session.get(f"{floor_server.url}/api/v1/programmes", params=params).raise_for_status()
        # Each query is measured every way in turn, in another order each round, so that a busy
        # moment of the machine (or a warm cache) weighs on all figures alike.
        cache = getattr(api_views, "_encoded_bodies", None)  # (absent before it was made)

        def measure(name, number, params, query):
            if name == "inside":
                started, cpu = time.perf_counter(), time.thread_time()
                backend.search(query)
                timings["inside"][number].append(time.perf_counter() - started)
                cpu_times["inside"].append(time.thread_time() - cpu)
                return
            url = f"{floor_server.url}/api/v1/programmes" if name == "floor" else (
                f"{server.url}/" if name == "page" else f"{server.url}/api/v1/programmes")
            kept = cache.max_bytes if cache else None
            if cache and name == "api_uncached":
                cache.max_bytes = 0  # this request's answer compressed anew
            current[0] = name
            try:
                started = time.perf_counter()
                session.get(url, params=params).raise_for_status()
                timings[name][number].append(time.perf_counter() - started)
            finally:
                current[0] = None
                if cache:
                    cache.max_bytes = kept

        order = random.Random(7)  # each round measures a query's five ways in another order
        for _round in range(args.rounds):
            for number, (params, query) in enumerate(zip(QUERY_MIX, queries)):
                for name in order.sample(names, len(names)):
                    measure(name, number, params, query)

    flat = {name: [value for values in per_query for value in values] for name, per_query in timings.items()}
    with_filters = [number for number, params in enumerate(QUERY_MIX) if set(params) - {"q", "page"}]
    print("Inside the backend: backend.search(query) on the parsed query, called in this process — text "
          "matching, ranking, filters, facet counts, the page's hits with their highlights:")
    for name, numbers in (("text", [n for n, q in enumerate(queries) if q.has_text]),
                          ("no_text", [n for n, q in enumerate(queries) if not q.has_text]),
                          ("filters", with_filters), ("all", range(len(QUERY_MIX)))):
        print(f"  {name:8} {summary_ms([v for n in numbers for v in timings['inside'][n]])}")
    print(f"End to end through GET /api/v1/programmes over HTTP (keep-alive, Accept-Encoding: {encodings}): "
          "parsing, the search, the store's stamps, records, JSON, compression, ETag, the HTTP stack:")
    print(f"  all              {summary_ms(flat['api'])}")
    print(f"  with filters     {summary_ms([v for n in with_filters for v in timings['api'][n]])}")
    print(f"  without filters  {summary_ms([v for n in range(len(QUERY_MIX)) if n not in with_filters for v in timings['api'][n]])}")
    print(f"  compressed anew  {summary_ms(flat['api_uncached'])}  (the per-process cache of compressed answers off)")
    print(f"Search page GET / (HTML, same encodings)  {summary_ms(flat['page'])}")
    print(f"Floor: bare Flask route on another waitress server of this process, the API's bytes parsed and "
          f"re-serialised (json), uncompressed  {summary_ms(flat['floor'])}")
    inside_p50, api_p50 = percentile(flat["inside"], 0.5), percentile(flat["api"], 0.5)
    page_p50, floor_p50 = percentile(flat["page"], 0.5), percentile(flat["floor"], 0.5)
    uncached_p50 = percentile(flat["api_uncached"], 0.5)
    print(f"Ratios (p50): API / inside the backend {api_p50 / inside_p50:.2f} (target ≤ 2; compressed anew "
          f"{uncached_p50 / inside_p50:.2f}) · page / API {page_p50 / api_p50:.2f} (target ≤ 2) · "
          f"API / floor {api_p50 / floor_p50:.2f} · API − inside − floor {1000 * (api_p50 - inside_p50 - floor_p50):.2f} ms "
          "of our own work")

    cpu = {name: percentile(values, 0.5) for name, values in cpu_times.items()}
    print("CPU time (p50; the serving thread from Flask's WSGI call to its answer's bytes, no HTTP parsing nor "
          f"sending; unaffected by waiting for a busy machine's cores): inside the backend {1000 * cpu['inside']:.2f} ms · "
          f"API {1000 * cpu['api']:.2f} ms (compressed anew {1000 * cpu['api_uncached']:.2f}) · page {1000 * cpu['page']:.2f} ms"
          f" → API / inside {cpu['api'] / cpu['inside']:.2f} · page / API {cpu['page'] / cpu['api']:.2f}")

    def per_query(name):
        return [percentile(values, 0.5) for values in timings[name]]

    inside_q, api_q, page_q = per_query("inside"), per_query("api"), per_query("page")
    print("Per query (each query's median, then the median over the 50): "
          f"API / inside {percentile([a / i for a, i in zip(api_q, inside_q)], 0.5):.2f} · "
          f"API − inside {1000 * percentile([a - i for a, i in zip(api_q, inside_q)], 0.5):.2f} ms · "
          f"page / API {percentile([p / a for p, a in zip(page_q, api_q)], 0.5):.2f} · "
          f"page − API {1000 * percentile([p - a for p, a in zip(page_q, api_q)], 0.5):.2f} ms")


def floor():
    """A bare Flask app, served beside ours: the same JSON bytes as the API's answer to the same
    parameters (``bodies``, filled during the warm-up), parsed and re-serialised per request
    (what any JSON view costs), and nothing else."""
    import json

    from flask import Flask, request

    floor_app = Flask("floor")
    floor_app.bodies = {}

    @floor_app.get("/api/v1/programmes")
    def same_bytes():
        body = floor_app.bodies.get(repr(request.args.to_dict(flat=False)))
        if body is None:
            body = next(iter(floor_app.bodies.values()), b"{}")
        return floor_app.response_class(json.dumps(json.loads(body), ensure_ascii=False), mimetype="application/json")

    return floor_app


if __name__ == "__main__":
    main()
