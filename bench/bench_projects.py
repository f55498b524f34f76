"""Benchmark of the funded projects at their real size (the shipped lists: 35,593 projects).

1. Import throughput: both shipped lists into a store holding the FULL commune reference
   (rows per second), the same files again (nothing changes), and the index rebuild.
2. End to end through a running server (waitress, real HTTP), p50/p95 of (the commune and
   programme pages are measured first before any project is imported — the pages as they were
   — then with the projects):
   - the commune page (its « communes comme la vôtre » and « projets financés à … » sections),
   - the programme page (« obtenu par … » and examples near a commune),
   - /projets searches and /api/v1/projects searches (words, filters, sorts, pages).
   Targets: p95 ≤ 100 ms for the pages, ≤ 20 ms for /api/v1/projects (SQLite).

    .venv/bin/python bench/bench_projects.py [--rounds 3] [--communes 100]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import Server, make_app, percentile, summary_ms  # noqa: E402

PROGRAMMES = ("curated-detr", "curated-dsil", "curated-fonds-vert-eclairage-public",
              "curated-fonds-vert-renovation-batiments", "curated-fonds-vert-renaturation",
              "curated-fonds-vert-recyclage-friches", "curated-fonds-vert-biodiversite")
WORDS = ("", "", "éclairage public", "école", "vélo", "salle des fêtes", "LED", "rénovation énergétique",
         "cantine scolaire", "voirie", "église", "mairie accessibilité", "friche", "cour d'école", "piste cyclable",
         "gymnase", "assainissement", "médiathèque")
BANDS = ("moins-2000", "2000-20000", "20000-100000", "plus-100000")


def query_mix(count: int, seed: int = 11) -> list[dict]:
    """Searches as people make them: words or none, one to three filters, a sort, sometimes page 2."""
    rng = random.Random(seed)
    mix = []
    for _ in range(count):
        params = {}
        words = rng.choice(WORDS)
        if words:
            params["q"] = words
        for name, values in (("programme", PROGRAMMES), ("year", ("2019", "2023")), ("population", BANDS),
                             ("department", ("58", "60", "54", "18", "01", "33", "62", "2A")),
                             ("region", ("27", "32", "44", "84", "76"))):
            if rng.random() < 0.25:
                params[name] = rng.choice(values)
        if rng.random() < 0.2:
            low = rng.choice((0, 5000, 20000, 100000))
            params["amount_min"] = str(low)
            params["amount_max"] = str(low * 10 + 50000)
        params["sort"] = rng.choice(("pertinence", "montant", "annee"))
        if rng.random() < 0.15:
            params["page"] = "2"
        mix.append(params)
    return mix


def timed_get(session, url, params=None, expect=200) -> float:
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=30)
    elapsed = time.perf_counter() - started
    if response.status_code != expect:
        raise SystemExit(f"{response.url} answered {response.status_code}: {response.text[:300]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the pages and searches")
    parser.add_argument("--communes", type=int, default=100, help="commune pages per round")
    parser.add_argument("--searches", type=int, default=100, help="searches in the mix")
    args = parser.parse_args()

    from sqlalchemy import select

    from guichet.communes.models import Commune
    from guichet.communes.reference import PACKAGE_DIR, load_reference
    from guichet.programmes.services import load_curated
    from guichet.projects.cli import SHIPPED
    from guichet.projects.importer import import_file
    from guichet.projects.index import rebuild_index

    app, directory = make_app()
    database = app.extensions["guichet.db"]
    load_reference(database, PACKAGE_DIR / "data")
    with database.session() as session:
        load_curated(session)
        session.commit()
    from guichet.search import rebuild_index as rebuild_programmes

    rebuild_programmes(app)

    with database.session() as session:
        communes = session.execute(select(Commune.code, Commune.population).where(Commune.population.is_not(None))).all()
    rng = random.Random(5)
    sample = [code for code, _population in rng.sample(communes, args.communes)]
    # The towns of the Villes de France colloquium are always in.
    sample[:4] = ["60057", "58194", "54329", "18197"]
    mix = query_mix(args.searches)

    print("0. Before: the pages without funded projects")
    before = pages(app, sample, args.rounds)
    for name, values in before.items():
        print(f"   {name:18} {summary_ms(values)}")

    print("1. Import (store with the full commune reference)")
    total_rows, total_seconds = 0, 0.0
    for label in ("first import", "same files again"):
        for kind, path in SHIPPED:
            started = time.perf_counter()
            with database.session() as session:
                report = import_file(session, kind, path)
                session.commit()
            seconds = time.perf_counter() - started
            if label == "first import":
                total_rows += report.rows
                total_seconds += seconds
            print(f"   {label:17} {path.name:50} {report.rows:6d} rows in {seconds:5.2f} s "
                  f"({report.rows / seconds:8,.0f} rows/s): +{report.added} ~{report.updated} ={report.unchanged} "
                  f"!{report.errors}")
    print(f"   import throughput: {total_rows} rows in {total_seconds:.2f} s = {total_rows / total_seconds:,.0f} rows/s")
    started = time.perf_counter()
    count = rebuild_index(app)
    seconds = time.perf_counter() - started
    print(f"   index rebuild: {count} projects in {seconds:.2f} s ({count / seconds:,.0f} projects/s)")

    print(f"2. After: end to end over HTTP ({args.rounds} rounds)")
    timings = pages(app, sample, args.rounds)
    timings["/projets page"], timings["/api/v1/projects"] = [], []
    first_round = {"/projets page": [], "/api/v1/projects": []}
    with Server(app, threads=4) as server, requests.Session() as http:
        timed_get(http, f"{server.url}/api/v1/projects")  # warm-up: the index snapshot
        for round_number in range(args.rounds):
            for params in mix:
                for name, path in (("/projets page", "/projets"), ("/api/v1/projects", "/api/v1/projects")):
                    elapsed = timed_get(http, f"{server.url}{path}", params)
                    timings[name].append(elapsed)
                    if round_number == 0:
                        first_round[name].append(elapsed)
    targets = {"commune page": 0.100, "programme page": 0.100, "/projets page": 0.100, "/api/v1/projects": 0.020}
    for name, values in timings.items():
        p95 = percentile(values, 0.95)
        verdict = "ok" if p95 <= targets[name] else "OVER TARGET"
        print(f"   {name:18} {summary_ms(values)}  (target p95 ≤ {targets[name] * 1000:.0f} ms: {verdict})")
    for name, values in first_round.items():
        print(f"   {name:18} {summary_ms(values)}  (first round only: no cached word look-ups)")
    section = []
    with app.test_request_context():
        from guichet.db import get_session
        from guichet.projects import services

        for code in sample:
            commune = get_session().get(Commune, code)
            started = time.perf_counter()
            services.similar_towns(commune)
            services.commune_projects(commune)
            section.append(time.perf_counter() - started)
    print(f"   commune section alone (services, no rendering) {summary_ms(section)}")
    # The machine is shared: « before » and « after » minutes apart differ by the load. The same
    # pages, alternately with and without the projects' sections, in one run:
    with_section, without_section = [], []
    real_available = services.available
    with Server(app, threads=4) as server, requests.Session() as http:
        for code in sample:
            for sink, available in ((with_section, real_available), (without_section, lambda: False)):
                services.available = available
                sink.append(timed_get(http, f"{server.url}/communes/{code}"))
    services.available = real_available
    print(f"   commune page, interleaved, with the sections    {summary_ms(with_section)}")
    print(f"   commune page, interleaved, without the sections {summary_ms(without_section)}")
    print(f"   data in {directory}")


def pages(app, sample, rounds) -> dict[str, list[float]]:
    """p50/p95 of the commune page and the programme page (with a chosen commune)."""
    timings = {"commune page": [], "programme page": []}
    with Server(app, threads=4) as server, requests.Session() as http:
        # Warm-up: the snapshot of each index, the commune finder.
        timed_get(http, f"{server.url}/communes/58194")
        timed_get(http, f"{server.url}/programmes/curated-detr")
        for _round in range(rounds):
            for code in sample:
                timings["commune page"].append(timed_get(http, f"{server.url}/communes/{code}"))
            for index, code in enumerate(sample[:50]):
                programme = PROGRAMMES[index % len(PROGRAMMES)]
                timings["programme page"].append(timed_get(http, f"{server.url}/programmes/{programme}",
                                                           {"commune": code}))
    return timings


if __name__ == "__main__":
    main()
