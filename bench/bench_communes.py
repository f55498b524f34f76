"""Benchmark of the communes feature over the FULL official reference.

1. Loading the reference (`guichet init` step): first load, then the skip of a loaded version.
2. The autocomplete: p50/p95 of 200 realistic prefixes (names as mayors type them, with or without
   accents, « st » for « Saint », postcodes, INSEE codes), inside the finder and end to end through
   GET /api/v1/communes on a running server. Target: p95 ≤ 10 ms end to end.
3. Town size: the 50-query mix of bench/corpus.py on the 20,000-programme corpus, without and with
   ``commune=<INSEE>`` (the four towns of the Villes de France colloquium in turn).

    .venv/bin/python bench/bench_communes.py [--count 20000] [--rounds 3]
"""

import argparse
import random
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.common import Server, make_app, summary_ms  # noqa: E402
from bench.corpus import QUERY_MIX, load  # noqa: E402

COLLOQUIUM = ("60057", "58194", "54329", "18197")  # Beauvais, Nevers, Lunéville, Saint-Amand-Montrond


def strip_accents(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def realistic_prefixes(communes, count: int = 200, seed: int = 7) -> list[str]:
    """What people type into the field: mostly the start of a name (3 to 10 characters, half of
    them weighted towards larger towns, where more people live), typed loosely; some postcodes
    and INSEE codes, whole or partial."""
    rng = random.Random(seed)
    with_population = [commune for commune in communes if commune.population]
    weights = [commune.population ** 0.5 for commune in with_population]
    prefixes = []
    while len(prefixes) < count:
        kind = rng.random()
        commune = (rng.choices(with_population, weights)[0] if rng.random() < 0.5 else rng.choice(with_population))
        if kind < 0.80:
            name = commune.name
            if rng.random() < 0.4:
                name = strip_accents(name)
            if rng.random() < 0.5:
                name = name.lower()
            if name.lower().startswith("saint-") and rng.random() < 0.5:
                name = "St " + name[6:]
            if rng.random() < 0.3:
                name = name.replace("-", " ")
            prefixes.append(name[:rng.randint(3, 10)])
        elif kind < 0.90 and commune.postcodes:
            postcode = rng.choice(commune.postcodes)
            prefixes.append(postcode if rng.random() < 0.6 else postcode[:rng.randint(2, 4)])
        else:
            prefixes.append(commune.code if rng.random() < 0.7 else commune.code[:3])
    return prefixes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="programmes in the corpus (0: autocomplete only)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the prefixes and the query mix")
    args = parser.parse_args()

    from guichet.communes import services
    from guichet.communes.reference import PACKAGE_DIR, load_reference

    app, directory = make_app()
    database = app.extensions["guichet.db"]
    result = load_reference(database, PACKAGE_DIR / "data")
    print(f"Reference {result.version}: {result.counts['communes']} communes, {result.counts['aliases']} aliases, "
          f"{result.counts['epcis']} EPCI loaded in {result.seconds:.2f} s")
    again = load_reference(database, PACKAGE_DIR / "data")
    print(f"`guichet init` again (version already loaded): {again.seconds * 1000:.0f} ms")

    started = time.perf_counter()
    index = services.get_index(app)
    print(f"Finder built from the store in {time.perf_counter() - started:.2f} s ({len(index)} communes)")

    prefixes = realistic_prefixes(index.communes)
    print(f"{len(prefixes)} prefixes, e.g. {', '.join(repr(prefix) for prefix in prefixes[:12])}")
    inside = []
    for _round in range(args.rounds):
        for prefix in prefixes:
            started = time.perf_counter()
            index.search(prefix, limit=8)
            inside.append(time.perf_counter() - started)
    print(f"Autocomplete inside the finder:        {summary_ms(inside)}")

    with Server(app) as server:
        session = requests.Session()
        empty = 0
        for prefix in prefixes:  # warm-up (and count prefixes without any commune)
            response = session.get(f"{server.url}/api/v1/communes", params={"q": prefix, "limit": 8})
            response.raise_for_status()
            empty += not response.json()
        end_to_end = []
        for _round in range(args.rounds):
            for prefix in prefixes:
                started = time.perf_counter()
                response = session.get(f"{server.url}/api/v1/communes", params={"q": prefix, "limit": 8})
                end_to_end.append(time.perf_counter() - started)
                response.raise_for_status()
    print(f"Autocomplete end to end (HTTP):        {summary_ms(end_to_end)}  (target p95 ≤ 10 ms; "
          f"{empty} prefixes without any commune)")

    if not args.count:
        return
    print(f"Corpus: {args.count} programmes …")
    timings = load(app, args.count)
    print(f"  loaded in {timings['store_seconds']:.1f} s, indexed in {timings['index_seconds']:.1f} s")

    from guichet.search import get_backend
    from guichet.search.services import parse

    with app.test_request_context():
        backend = get_backend()
        plain = [parse(params) for params in QUERY_MIX]
        with_commune = [parse({**params, "commune": COLLOQUIUM[number % len(COLLOQUIUM)]})
                        for number, params in enumerate(QUERY_MIX)]
        for query in plain + with_commune:  # warm-up
            backend.search(query)
        timings = {"without commune": [], "with commune": []}
        results = {"without commune": 0, "with commune": 0}
        for _round in range(args.rounds):
            for without, with_town in zip(plain, with_commune):
                for name, query in (("without commune", without), ("with commune", with_town)):
                    started = time.perf_counter()
                    found = backend.search(query)
                    timings[name].append(time.perf_counter() - started)
                    results[name] += found.total
    print("Search inside the backend (search + facets), same 50 queries:")
    for name, values in timings.items():
        print(f"  {name:16} {summary_ms(values)} · {results[name] / len(values):.0f} results on average")

    with Server(app) as server:
        session = requests.Session()
        for params in QUERY_MIX:
            session.get(f"{server.url}/api/v1/programmes", params=params).raise_for_status()
        end_to_end = {"without commune": [], "with commune": []}
        for _round in range(args.rounds):
            for number, params in enumerate(QUERY_MIX):
                town = {**params, "commune": COLLOQUIUM[number % len(COLLOQUIUM)]}
                for name, query_params in (("without commune", params), ("with commune", town)):
                    started = time.perf_counter()
                    response = session.get(f"{server.url}/api/v1/programmes", params=query_params)
                    end_to_end[name].append(time.perf_counter() - started)
                    response.raise_for_status()
        print("Search end to end through GET /api/v1/programmes:")
        for name, values in end_to_end.items():
            print(f"  {name:16} {summary_ms(values)}")
        pages = []
        for code in COLLOQUIUM:
            for _round in range(args.rounds):
                started = time.perf_counter()
                session.get(f"{server.url}/communes/{code}").raise_for_status()
                pages.append(time.perf_counter() - started)
        print(f"Commune page /communes/<insee> (up to 300 programmes by theme): {summary_ms(pages)}")


if __name__ == "__main__":
    main()
