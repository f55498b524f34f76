"""Benchmark of eligibility over EVERY commune: how many open programmes each can apply for,
by town size and by official list or zoning, and the commune page's speed.

Programmes: the curated ones (guichet/programmes/data/curated.jsonl, with their territorial
conditions) plus every source's recorded responses (scrapers/recorded/, served by the replay
server and parsed by the real scrapers), all published, as `make run` shows them offline.

1. Loading the official lists (`guichet init` step): first load, then the skip.
2. Over all ~35,000 communes, the number of open programmes the search keeps for the commune
   (population, geography, beneficiary type and territorial conditions), distributed by
   size band and by label; beside it, the same count if territorial conditions were ignored
   (what the search did before them). On a sample, the three states of the page.
3. The commune page, end to end over HTTP: p50/p95 on a sample of communes (target p95 ≤ 100 ms).

    .venv/bin/python bench/bench_eligibility.py [--pages 200] [--sample 2000]
"""

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import Server, make_app, percentile, summary_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("acv", "pvd", "villages-avenir", "qpv", "frr", "montagne", "territoires-industrie", "ort", "rural")


def load_programmes(app) -> int:
    """Curated programmes, then every source's recorded responses, all published."""
    from scrapers.registry import all_sources
    from scrapers.replay import ReplayServer

    from guichet.programmes.services import import_records, load_curated
    from guichet.sources.services import run_source

    database = app.extensions["guichet.db"]
    with database.session() as session:
        load_curated(session)
        session.commit()
    server = ReplayServer()
    server.load_dir(ROOT / "scrapers" / "recorded")
    server.start()
    app.config.update(SOURCES_REPLAY_URL=server.url, SCRAPER_DELAY=0, SCRAPER_BACKOFF=0)
    import json

    try:
        for slug in all_sources():
            if slug == "curated":
                continue
            with app.app_context():
                try:
                    records = run_source(app, slug, dry_run=True)
                except Exception as error:  # a source that cannot replay offline is reported, not fatal
                    print(f"  {slug}: not replayed ({type(error).__name__}: {error})")
                    continue
            with database.session() as session:
                counts = import_records(session, (json.dumps(record) for record in records),
                                        default_state="published")
                session.commit()
            print(f"  {slug}: {len(records)} records, {counts['added']} added, {len(counts['errors'])} refused")
    finally:
        server.stop()
    from sqlalchemy import func, select

    from guichet.programmes.models import Programme

    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Programme).where(Programme.state == "published"))


def describe(values) -> str:
    if not values:
        return "—"
    return (f"median {statistics.median(values):5.1f} · p10 {percentile(values, 0.1):4.0f} · "
            f"p90 {percentile(values, 0.9):4.0f} · min {min(values):3d} · max {max(values):3d} · "
            f"n={len(values)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200, help="commune pages requested over HTTP")
    parser.add_argument("--sample", type=int, default=2000, help="communes whose three states are counted")
    args = parser.parse_args()

    from sqlalchemy import select

    from guichet.communes import services as communes
    from guichet.communes.models import Commune
    from guichet.communes.reference import PACKAGE_DIR, load_reference
    from guichet.search import get_backend, rebuild_index
    from guichet.search.query import Eligibility, SearchQuery
    from guichet.territories.eligibility import verdict
    from guichet.territories.loader import load_territories
    from guichet.territories.models import CommuneTerritory
    from guichet.territories.services import verdict_details
    from guichet.programmes.conditions import CONDITIONS

    app, directory = make_app()
    database = app.extensions["guichet.db"]
    load_reference(database, PACKAGE_DIR / "data")
    first = load_territories(database, app.instance_path)
    again = load_territories(database, app.instance_path)
    print(f"Official lists: {first.communes} communes from {len(first.lists)} lists loaded in {first.seconds:.2f} s; "
          f"`guichet init` again (unchanged): {again.seconds * 1000:.0f} ms")

    print("Programmes:")
    published = load_programmes(app)
    with app.app_context():
        rebuild_index(app)
    print(f"  {published} published programmes indexed")

    today = date.today()
    with app.app_context(), database.session() as session:
        backend = get_backend()
        territories = {row.code: row for row in session.scalars(select(CommuneTerritory))}
        rows = session.scalars(select(Commune)).all()
        eligibilities = {}
        for commune in rows:
            territory = territories.get(commune.code)
            eligibilities[commune.code] = Eligibility(
                commune.code, commune.name, commune.population, commune.department, commune.region,
                frozenset({"commune", "epci"}) if commune.epci_code else frozenset({"commune"}),
                frozenset(territory.conditions) if territory else frozenset(),
                frozenset(territory.partial_conditions) if territory else frozenset())
        open_total = backend.search(SearchQuery(statuses=frozenset({"ouvert"}), per_page=1, today=today)).total
        print(f"Open programmes: {open_total}")

        started = time.perf_counter()
        counted, ignoring = {}, {}
        for code, eligibility in eligibilities.items():
            query = SearchQuery(eligibility=eligibility, statuses=frozenset({"ouvert"}), per_page=1, today=today)
            counted[code] = backend.search(query).total
            as_before = eligibility.__class__(**{**eligibility.__dict__, "territories": frozenset(CONDITIONS)})
            ignoring[code] = backend.search(query.without(eligibility=as_before)).total
        seconds = time.perf_counter() - started
        print(f"Counted for {len(counted)} communes in {seconds:.1f} s ({seconds / len(counted) / 2 * 1000:.2f} ms a search)")

        by_band, by_band_before = defaultdict(list), defaultdict(list)
        for commune in rows:
            band = communes.population_band(commune.population)
            name = band[1] if band else "Population inconnue"
            by_band[name].append(counted[commune.code])
            by_band_before[name].append(ignoring[commune.code])
        print("\nEligible open programmes per commune, by size band (with territorial conditions | ignoring them):")
        for name in ("Petite commune", "Petite ville", "Ville moyenne", "Grande ville", "Population inconnue"):
            if by_band[name]:
                print(f"  {name:20} {describe(by_band[name])}\n  {'':20} {describe(by_band_before[name])}")

        print("\nBy label (communes of that list or zoning | the others):")
        for slug in LABELS:
            inside = [counted[code] for code, eligibility in eligibilities.items() if slug in eligibility.territories]
            outside = [counted[code] for code, eligibility in eligibilities.items()
                       if slug not in eligibility.territories]
            print(f"  {CONDITIONS[slug].label:52} {describe(inside)}\n  {'':52} {describe(outside)}")
        none = [counted[code] for code, eligibility in eligibilities.items() if not eligibility.territories]
        print(f"  {'No list or zoning at all':52} {describe(none)}")

        # The three states the page shows, on a sample (verdicts of every kept programme).
        from guichet.programmes.models import Programme

        rng = random.Random(3)
        sample = rng.sample(sorted(eligibilities), min(args.sample, len(eligibilities)))
        states = defaultdict(list)
        bands_of = {commune.code: communes.population_band(commune.population) for commune in rows}
        states_by_band = defaultdict(lambda: defaultdict(list))
        with app.test_request_context():
            for code in sample:
                eligibility = eligibilities[code]
                page = backend.search(SearchQuery(eligibility=eligibility, statuses=frozenset({"ouvert"}),
                                                  per_page=500, today=today))
                programmes = session.scalars(select(Programme).where(Programme.id.in_([hit.id for hit in page.hits])))
                details = verdict_details(territories.get(code))
                tally = defaultdict(int)
                for programme in programmes:
                    tally[verdict(programme, eligibility, details).state] += 1
                tally["not_eligible"] += open_total - page.total
                band = bands_of[code][1] if bands_of[code] else "Population inconnue"
                for state in ("eligible", "to_check", "not_eligible"):
                    states[state].append(tally[state])
                    states_by_band[band][state].append(tally[state])
        print(f"\nThe commune page's three states, over {len(sample)} communes:")
        for state, label in (("eligible", "Éligible"), ("to_check", "À vérifier"), ("not_eligible", "Non éligible")):
            print(f"  {label:14} {describe(states[state])}")
        print("  by size band:")
        for name in ("Petite commune", "Petite ville", "Ville moyenne", "Grande ville"):
            if states_by_band[name]["eligible"]:
                print(f"  {name:20} " + " · ".join(
                    f"{label} {statistics.median(states_by_band[name][state]):.0f}"
                    for state, label in (("eligible", "éligible"), ("to_check", "à vérifier"),
                                         ("not_eligible", "non éligible")))
                      + f" (median, n={len(states_by_band[name]['eligible'])})")

    print(f"\nCommune page end to end over HTTP ({args.pages} communes):")
    colloquium = ["54329", "58194", "18197", "60057", "09061", "97411"]
    pages = colloquium + random.Random(5).sample(sorted(eligibilities), max(0, args.pages - len(colloquium)))
    with Server(app) as server:
        http = requests.Session()
        for code in pages[:20]:  # warm-up
            http.get(f"{server.url}/communes/{code}").raise_for_status()
        timings = []
        for code in pages:
            started = time.perf_counter()
            response = http.get(f"{server.url}/communes/{code}")
            timings.append(time.perf_counter() - started)
            response.raise_for_status()
    print(f"  GET /communes/<insee>  {summary_ms(timings)}  (target p95 ≤ 100 ms)")
    # The same pages inside the process (no HTTP server): what the page itself costs.
    client = app.test_client()
    inside = []
    for code in pages:
        started = time.perf_counter()
        response = client.get(f"/communes/{code}")
        inside.append(time.perf_counter() - started)
        assert response.status_code == 200, code
    print(f"  the same, in process    {summary_ms(inside)}")
    import os

    print(f"  (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
