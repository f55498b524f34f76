"""Turn the needs of queries.py into explicit judgments by id (judgments.json).

    .venv/bin/python bench/relevance/judge.py            # writes bench/relevance/judgments.json
    .venv/bin/python bench/relevance/judge.py --show "lampadaires"   # what a need selects

Run it again when the corpus or a need changes, and review the diff: the committed judgments
are what the benchmark measures against.
"""

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.relevance.corpus import records  # noqa: E402
from bench.relevance.queries import NEEDS  # noqa: E402
from guichet.programmes.services import CURATED_DATA  # noqa: E402
from guichet.search.analysis import fold  # noqa: E402
from guichet.search.documents import html_to_text  # noqa: E402

JUDGMENTS = HERE / "judgments.json"


def judged_corpus() -> list[dict]:
    curated = [json.loads(line) for line in CURATED_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return curated + records()


def grades(need, corpus) -> dict[str, int]:
    title_pattern = re.compile(need.title)
    text_pattern = re.compile(need.text or need.title)
    exclude = re.compile(need.exclude) if need.exclude else None
    judged = {}
    for record in corpus:
        title = fold(record["title"])
        if exclude and exclude.search(title):
            continue
        body = fold((record.get("summary") or "") + " " + html_to_text(record.get("description_html") or ""))
        if title_pattern.search(title):
            judged[record["id"]] = 2
        elif text_pattern.search(body):
            judged[record["id"]] = 1
    return judged


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", help="print what the need of this query selects")
    args = parser.parse_args()
    corpus = judged_corpus()
    titles = {record["id"]: record["title"] for record in corpus}
    if args.show:
        [need] = [need for need in NEEDS if need.query == args.show]
        for doc_id, grade in sorted(grades(need, corpus).items(), key=lambda item: -item[1]):
            print(grade, doc_id[:50].ljust(50), titles[doc_id][:100])
        return
    output = []
    for need in NEEDS:
        judged = grades(need, corpus)
        twos = sum(1 for grade in judged.values() if grade == 2)
        print(f"{need.query[:40]:40} {twos:4} × 2 {len(judged) - twos:4} × 1")
        output.append({"query": need.query, "kind": need.kind, "judgments": dict(sorted(judged.items()))})
    JUDGMENTS.write_text(json.dumps(output, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(output)} queries → {JUDGMENTS}")


if __name__ == "__main__":
    main()
