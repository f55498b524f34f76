"""Relevance of the search on real aids, judged: nDCG@10, success@5, recall@10, zero results.

The corpus is the curated programmes plus the real aids of ../shared/reference (converted by
bench/relevance/corpus.py into JSON Lines in a temporary folder and loaded with
``guichet import``); the queries and their graded judgments (0/1/2) are
bench/relevance/judgments.json (from bench/relevance/queries.py). Each backend answers through
the JSON API, every status included (most real aids are past their deadline). A naive baseline
runs in the same process over the same documents: SQLite FTS5 with its default tokenizer, the
raw words of the query OR-ed, BM25, no French analysis, no synonyms.

Figures per backend (and for the baseline):
- nDCG@10 with gains 2^grade - 1, the ideal ranking taken from every judgment of the query;
- success@5: share of queries with a relevant result (grade ≥ 1) in the first five;
- recall@10: relevant results in the first ten over min(10, relevant results judged);
- zero results: share of queries that return nothing.
Targets: nDCG@10 ≥ 0.70 and ≥ 1.25 × the baseline, zero results ≤ 2 %, on both backends.

    .venv/bin/python bench/bench_relevance.py [--backends sqlite,elasticsearch] [--verbose]

The Elasticsearch node is the test node (tools/elasticsearch/node.py) unless
GUICHET_ELASTICSEARCH_URL is set.
"""

import argparse
import importlib.util
import json
import math
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import make_app  # noqa: E402
from bench.relevance import corpus  # noqa: E402

JUDGMENTS = REPO / "bench" / "relevance" / "judgments.json"
ALL_STATUSES = ["ouvert", "a_venir", "clos"]
CUT = 10


def load_judgments() -> list[dict]:
    return json.loads(JUDGMENTS.read_text(encoding="utf-8"))


def ndcg(ranked: list[str], judgments: dict[str, int], cut: int = CUT) -> float:
    gains = [(2 ** judgments.get(doc_id, 0)) - 1 for doc_id in ranked[:cut]]
    dcg = sum(gain / math.log2(position + 2) for position, gain in enumerate(gains))
    ideal = sorted(((2 ** grade) - 1 for grade in judgments.values()), reverse=True)[:cut]
    idcg = sum(gain / math.log2(position + 2) for position, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def figures(runs: list[tuple[dict, list[str], int]]) -> dict:
    """runs: (judged query, ranked ids, total) for each query."""
    count = len(runs)
    relevant = [{doc_id for doc_id, grade in judged["judgments"].items() if grade >= 1} for judged, _r, _t in runs]
    return {
        "ndcg@10": sum(ndcg(ranked, judged["judgments"]) for judged, ranked, _total in runs) / count,
        "success@5": sum(1 for (_j, ranked, _t), good in zip(runs, relevant) if set(ranked[:5]) & good) / count,
        "recall@10": sum(len(set(ranked[:CUT]) & good) / min(CUT, len(good))
                         for (_j, ranked, _t), good in zip(runs, relevant) if good) / count,
        "zero results": sum(1 for _j, _r, total in runs if total == 0) / count,
    }


def print_figures(name: str, result: dict, baseline: dict | None = None) -> None:
    line = " · ".join(f"{key} {value:.3f}" if key != "zero results" else f"{key} {value:.1%}"
                      for key, value in result.items())
    if baseline:
        line += f" · ×{result['ndcg@10'] / baseline['ndcg@10']:.2f} baseline nDCG"
    print(f"{name:<14} {line}")


def prepared_app(backend: str, jsonl: Path, url: str | None):
    from guichet.db import get_database
    from guichet.programmes.services import load_curated
    from guichet.search import rebuild_index

    config = {"SEARCH_BACKEND": backend}
    if backend == "elasticsearch":
        config.update(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX="bench-relevance")
    app, _directory = make_app(tempfile.mkdtemp(prefix=f"guichet-relevance-{backend}-"), **config)
    with app.app_context():
        with get_database().session() as session:
            load_curated(session)
            session.commit()
    result = app.test_cli_runner().invoke(args=["import", str(jsonl)])
    if result.exit_code != 0:
        raise SystemExit(f"guichet import failed: {result.output}")
    with app.app_context():
        rebuild_index(app)
    return app


def backend_runs(app, judged_queries) -> list[tuple[dict, list[str], int]]:
    client = app.test_client()
    runs = []
    for judged in judged_queries:
        response = client.get("/api/v1/programmes", query_string={"q": judged["query"], "per_page": CUT,
                                                                  "status": ALL_STATUSES})
        payload = response.get_json()
        if response.status_code != 200:
            raise SystemExit(f"{judged['query']!r}: {response.status_code} {payload}")
        runs.append((judged, [result["id"] for result in payload["results"]], payload["total"]))
    return runs


def baseline_runs(app, judged_queries) -> list[tuple[dict, list[str], int]]:
    """Naive FTS5: default tokenizer (unicode61), raw words OR-ed, plain BM25."""
    from guichet.db import get_database
    from guichet.search import programme_documents

    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE naive USING fts5(id UNINDEXED, title, summary, description)")
    with app.app_context(), get_database().session() as session:
        connection.executemany("INSERT INTO naive VALUES (?, ?, ?, ?)", (
            (document["id"], document["title"], document["summary"], document["description"])
            for document in programme_documents(session)))
    runs = []
    for judged in judged_queries:
        words = [word for word in re.split(r"\W+", judged["query"]) if word]
        expression = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
        rows = connection.execute("SELECT id FROM naive WHERE naive MATCH ? ORDER BY bm25(naive)",
                                  (expression,)).fetchall()
        runs.append((judged, [row[0] for row in rows[:CUT]], len(rows)))
    return runs


def start_node():
    url = os.environ.get("GUICHET_ELASTICSEARCH_URL")
    if url:
        return url.rstrip("/"), None
    spec = importlib.util.spec_from_file_location("node", REPO / "tools" / "elasticsearch" / "node.py")
    node_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(node_module)
    node = node_module.start_node()
    return node.url, node


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,elasticsearch")
    parser.add_argument("--verbose", action="store_true", help="nDCG@10 of every query")
    args = parser.parse_args()
    backends = [name for name in args.backends.split(",") if name]
    judged_queries = load_judgments()
    jsonl = Path(tempfile.mkdtemp(prefix="guichet-relevance-")) / "aids.jsonl"
    count = corpus.write_jsonl(jsonl)
    print(f"Corpus: {count} real aids + curated programmes · {len(judged_queries)} judged queries")
    url, node = (start_node() if "elasticsearch" in backends else (None, None))
    try:
        results, per_query = {}, {}
        baseline = None
        for backend in backends:
            app = prepared_app(backend, jsonl, url)
            if baseline is None:
                baseline = baseline_runs(app, judged_queries)
                results["naive FTS5"] = figures(baseline)
                per_query["naive FTS5"] = baseline
            runs = backend_runs(app, judged_queries)
            results[backend] = figures(runs)
            per_query[backend] = runs
            if backend == "elasticsearch":
                app.extensions["guichet.search"].drop()
        if args.verbose:
            names = list(per_query)
            print(f"{'query':<42}" + "".join(f"{name[:12]:>13}" for name in names))
            for index, judged in enumerate(judged_queries):
                cells = []
                for name in names:
                    _j, ranked, total = per_query[name][index]
                    cells.append(f"{ndcg(ranked, judged['judgments']):6.2f} ({total:4})")
                print(f"{judged['query'][:41]:<42}" + "".join(f"{cell:>13}" for cell in cells))
        base = results["naive FTS5"]
        print_figures("naive FTS5", base)
        for backend in backends:
            print_figures(backend, results[backend], base)
        if len(backends) == 2:
            gap = abs(results[backends[0]]["ndcg@10"] - results[backends[1]]["ndcg@10"])
            print(f"nDCG@10 gap between backends: {gap:.3f} (target ≤ 0.05)")
    finally:
        if node is not None:
            node.stop()


if __name__ == "__main__":
    main()
