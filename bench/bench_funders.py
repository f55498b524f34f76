"""Benchmark of the funders' facet of the embedded search (« porteur d’aide », issue 17).

Aides-territoires alone names thousands of funders (communes, EPCI, syndicats, agencies),
a few very frequent and a long tail. This builds an index of that shape (20,000 programmes,
3,000 funders, Zipf-like frequencies) and times, over the same bitmaps, the counts of the
facet's FUNDER_FACET_SIZE most frequent funders for searches of every size: counting every
funder's bitmap (« before ») and ``Snapshot.funder_counts`` (« after »: document by document
for small result sets, funder by funder with an early stop for large ones), checking that both
give the same counts. Then the whole search in the backend, and the autocomplete's count of
every funder.

    .venv/bin/python bench/bench_funders.py [--count 20000] [--funders 3000] [--rounds 20]
"""

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import summary_ms  # noqa: E402
from guichet.search.params import FUNDER_FACET_SIZE  # noqa: E402
from guichet.search.bitmaps import rowids_of  # noqa: E402
from guichet.search.query import SearchQuery  # noqa: E402
from guichet.search.sqlite import SQLiteBackend  # noqa: E402

WORDS = "vélo école mairie éclairage patrimoine eau forêt sport santé culture".split()


def documents(count: int, funders: int, rng: random.Random):
    names = [f"Financeur {number:04d}" for number in range(funders)]
    deadline = (date.today() + timedelta(days=60)).isoformat()
    for number in range(count):
        # half the funders named from a few frequent ones (the State, ADEME, the regions ...),
        # half from the long tail (communes, EPCI, syndicats: a handful of aids each)
        chosen = {names[min(int(rng.paretovariate(1.0)) - 1, funders - 1)] if rng.random() < 0.5
                  else names[rng.randrange(funders)] for _ in range(rng.randint(1, 3))}
        title = " ".join(rng.sample(WORDS, 2))
        yield {
            "id": f"bench-{number}", "source": "bench", "title": title, "summary": "", "description": "",
            "funders": sorted(chosen), "level": "national", "regions": [], "departments": [], "nationwide": True,
            "available_regions": [], "available_departments": [], "beneficiaries": ["commune"],
            "population_min": None, "population_max": None, "themes": [], "aid_types": ["subvention"],
            "is_call_for_projects": False, "opens_on": None, "deadlines": [deadline], "last_deadline": deadline,
            "next_deadline": deadline, "closed": False, "recurrence": "ponctuelle",
            "first_seen_at": "2027-01-01T00:00:00", "published_at": "2027-01-01T00:00:00", "territories": [],
            "language": "fr", "max_rate": None, "max_amount": None,
        }


def every_funder(snapshot, base: int) -> dict[str, int]:
    """Before: every funder's bitmap counted, then the most frequent kept."""
    counts = {value: (base & bitmap).bit_count() for (name, value), bitmap in snapshot.values.items()
              if name == "funder"}
    ranked = sorted(((name, count) for name, count in counts.items() if count), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:FUNDER_FACET_SIZE])


def timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--funders", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="guichet-bench-funders-") as directory:
        backend = SQLiteBackend(Path(directory) / "search.sqlite3")
        backend.rebuild(documents(args.count, args.funders, rng))
        backend.search(SearchQuery())  # loads the snapshot
        snapshot = backend._snapshot
        distinct = sum(1 for name, _value in snapshot.values if name == "funder")
        print(f"Index: {args.count} programmes, {distinct} funders")
        with_word = 0
        for (rowid,) in backend._connection().connection.execute("SELECT rowid FROM docs WHERE title LIKE '%vélo%'"):
            with_word |= 1 << rowid
        a_tenth = 0
        for position, rowid in enumerate(rowids_of(with_word)):
            if position % 10 == 0:
                a_tenth |= 1 << rowid
        for label, base in (("every programme", snapshot.all_docs), ("one word", with_word),
                            ("a tenth of those", a_tenth), ("a few", a_tenth & ((1 << 2000) - 1))):
            assert every_funder(snapshot, base) == snapshot.funder_counts(base, FUNDER_FACET_SIZE)
            before = timed(lambda: every_funder(snapshot, base), args.rounds)
            after = timed(lambda: snapshot.funder_counts(base, FUNDER_FACET_SIZE), args.rounds)
            by_document = timed(lambda: snapshot._funders_by_document(base), args.rounds)
            print(f"  (document by document  {summary_ms(by_document)})")
            print(f"Facet over {base.bit_count():>6} programmes ({label}):")
            print(f"  before (every funder)  {summary_ms(before)}")
            print(f"  after  (funder_counts) {summary_ms(after)}")
        search = timed(lambda: backend.search(SearchQuery()), args.rounds)
        print(f"Whole search, every programme, facets included: {summary_ms(search)}")
        backend._snapshot._every_funder.cache_clear()  # as in a new generation: the first keystroke counts
        first = timed(lambda: backend.search(SearchQuery(per_page=1, funder_facet_size=None)), 1)
        everyone = timed(lambda: backend.search(SearchQuery(per_page=1, funder_facet_size=None)), args.rounds)
        print(f"Autocomplete's count of every funder: first {first[0] * 1000:.2f} ms, then {summary_ms(everyone)}")
        backend.close()


if __name__ == "__main__":
    main()
