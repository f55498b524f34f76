"""Duplicate detection measured on a labelled set: precision and recall.

The corpus is what a curator really faces: the curated programmes, every recorded source
response of ``scrapers/recorded/`` (replayed through the real scrapers), and the real
Aides-territoires API records of ``../shared/reference/sources/*-real.json`` (read, never
copied: they are wrapped here into one API page and run through the real Aides-territoires
importer, as a scrape would). The store then holds what the run pipeline found; a full scan
completes it. Every pair the detector proposes is compared with ``bench/duplicates/pairs.csv``:
the pairs a person judged to be the same programme (``duplicate``), a measure of another
(``volet``) or a local edition of a national programme (``local_edition``); every other pair
of the corpus is not one.

    .venv/bin/python bench/bench_duplicates.py [--shared ../shared] [--show]

Targets (issue 16): precision ≥ 0.9 and recall ≥ 0.8 on the pairs to show curators; a local
edition is never called a duplicate.
"""

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import make_app  # noqa: E402

REAL_FILES = ("aides-territoires-api-v1-2021-11-results-real.json", "aides-territoires-api-v1-2022-05-results-real.json",
              "aides-territoires-api-2024-records-real.json")


def real_aides_territoires_page(shared: Path, directory: Path) -> Path | None:
    """One API page of every real record (the newest version of each id), as the API sends it."""
    records = {}
    for name in REAL_FILES:
        path = shared / "reference" / "sources" / name
        if path.exists():
            for record in json.loads(path.read_text(encoding="utf-8")):
                records[record["id"]] = record
    if not records:
        return None
    page = directory / "aides-territoires-page.json"
    page.write_text(json.dumps({"count": len(records), "next": None, "previous": None,
                                "results": list(records.values())}, ensure_ascii=False), encoding="utf-8")
    return page


def load_labels() -> dict[frozenset, str]:
    with (ROOT / "bench" / "duplicates" / "pairs.csv").open(encoding="utf-8") as handle:
        return {frozenset((row["programme_a"], row["programme_b"])): row["relation"] for row in csv.DictReader(handle)}


def build_corpus(app, shared: Path, directory: Path) -> dict:
    from guichet.commands import initialise
    from guichet.sources.services import run_source
    from scrapers.registry import all_sources

    timings = {}
    with app.app_context():
        started = time.perf_counter()
        initialise(app, echo=lambda *args, **kwargs: None)
        timings["init"] = time.perf_counter() - started
        app.config["SOURCES_REPLAY_DIR"] = str(ROOT / "scrapers" / "recorded")
        started = time.perf_counter()
        for slug in all_sources():
            if slug != "curated":
                run_source(app, slug)
        timings["recorded"] = time.perf_counter() - started
        app.config["SOURCES_REPLAY_DIR"] = None
        page = real_aides_territoires_page(shared, directory)
        if page is not None:
            started = time.perf_counter()
            run_source(app, "aides-territoires", from_file=str(page))
            timings["real"] = time.perf_counter() - started
    return timings


def detected_pairs(app) -> tuple[dict[frozenset, str], int, float]:
    from sqlalchemy import func, select

    from guichet.curation import duplicates
    from guichet.curation.models import DuplicateCandidate
    from guichet.db import get_database
    from guichet.programmes.models import Programme

    with app.app_context(), get_database().session() as session:
        started = time.perf_counter()
        duplicates.scan(session)
        session.commit()
        elapsed = time.perf_counter() - started
        count = session.scalar(select(func.count()).select_from(Programme))
        pairs = {frozenset((candidate.programme_a_id, candidate.programme_b_id)): candidate.reason
                 for candidate in session.scalars(select(DuplicateCandidate))}
        titles = dict(session.execute(select(Programme.id, Programme.title)).all())
    return pairs, count, elapsed, titles


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder beside the project")
    parser.add_argument("--show", action="store_true", help="list every false positive and false negative")
    options = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="guichet-bench-duplicates-"))
    app, _ = make_app(str(directory))
    timings = build_corpus(app, Path(options.shared), directory)
    found, programmes, scan_time, titles = detected_pairs(app)
    labels = load_labels()
    present = {pair: relation for pair, relation in labels.items() if all(member in titles for member in pair)}
    missing_labels = len(labels) - len(present)

    true_positive = [pair for pair in found if pair in present]
    false_positive = [pair for pair in found if pair not in present]
    false_negative = [pair for pair in present if pair not in found]
    precision = len(true_positive) / len(found) if found else 1.0
    recall = len(true_positive) / len(present) if present else 1.0
    editions_called_duplicates = [pair for pair in true_positive
                                  if present[pair] == "local_edition" and found[pair] != "local_edition"]

    print(f"Corpus: {programmes} programmes (curated + recorded responses + real Aides-territoires records); "
          f"built in {sum(timings.values()):.1f} s; full scan {scan_time:.2f} s")
    print(f"Labelled pairs: {len(present)} present in the corpus ({missing_labels} labelled pairs absent)")
    print(f"Detected pairs: {len(found)} — true {len(true_positive)}, false {len(false_positive)}, "
          f"missed {len(false_negative)}")
    print(f"precision {precision:.2f} (target ≥ 0.90: {'met' if precision >= 0.9 else 'NOT met'}) · "
          f"recall {recall:.2f} (target ≥ 0.80: {'met' if recall >= 0.8 else 'NOT met'})")
    for relation in ("duplicate", "volet", "local_edition"):
        wanted = [pair for pair, kind in present.items() if kind == relation]
        caught = [pair for pair in wanted if pair in found]
        print(f"  {relation:14s} {len(caught)}/{len(wanted)} found")
    print(f"local editions reported as duplicates: {len(editions_called_duplicates)}")
    if options.show:
        for label, pairs in (("false positives", false_positive), ("missed", false_negative)):
            print(f"-- {label}")
            for pair in sorted(pairs, key=sorted):
                first, second = sorted(pair)
                print(f"   {found.get(pair, present.get(pair))}: {first} « {titles.get(first, '?')[:70]} » ~ "
                      f"{second} « {titles.get(second, '?')[:70]} »")


if __name__ == "__main__":
    main()
