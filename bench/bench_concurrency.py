"""H4 at the issue's size (issue 12, point 4): on the embedded default (SQLite store + SQLite
index), at once, in separate processes: a full index rebuild of 100,000 programmes, a scrape
of 3,000 records, a digest run (real aiosmtpd on loopback), three curators editing (read, then
write) and a reader searching. Prints errors, lost edits, curators' save latency, the
rebuild's time, searches answered during it, and whether every edit is searchable after one
repair cycle.

    .venv/bin/python bench/bench_concurrency.py [--count 100000] [--scrape 3000] [--edits 100]
"""

import argparse
import json
import os
import subprocess
import sys
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, make_app, percentile  # noqa: E402
from bench.corpus import load  # noqa: E402

WORKER = r"""
import json, sys, time, traceback
from guichet import create_app
from guichet.programmes.models import Programme
from guichet.programmes.services import upsert_source_record
from guichet.search import rebuild_index

role, argument = sys.argv[1], json.loads(sys.argv[2])
app = create_app()
database = app.extensions["guichet.db"]
result = {"role": role, "errors": [], "latencies": []}
started = time.perf_counter()
with app.app_context():
    if role == "curator":
        for round_number in range(argument["rounds"]):
            for programme_id in argument["ids"]:
                begin = time.perf_counter()
                try:
                    with database.session() as session:
                        programme = session.get(Programme, programme_id)   # read first ...
                        programme.title = f"Corrigé {round_number} {programme_id}"  # ... then write
                        session.commit()
                except Exception as error:
                    result["errors"].append(repr(error)[:300])
                result["latencies"].append(time.perf_counter() - begin)
    elif role == "scrape":
        for start in range(0, argument["count"], 50):
            try:
                with database.session() as session:
                    for number in range(start, start + 50):
                        upsert_source_record(session, {**argument["record"], "id": f"bulk-{number}",
                                                       "source_id": str(number), "title": f"Collecte {number}"},
                                             default_state="published")
                    session.commit()
            except Exception as error:
                result["errors"].append(repr(error)[:300])
    elif role == "rebuild":
        try:
            result["count"] = rebuild_index(app)
        except Exception as error:
            result["errors"].append(traceback.format_exc()[-600:])
    elif role == "digest":
        from aiosmtpd.controller import Controller
        from guichet.digests.sending import run_digests

        class Sink:
            received = 0
            async def handle_DATA(self, server, session, envelope):
                Sink.received += 1
                return "250 OK"

        controller = Controller(Sink(), hostname="127.0.0.1", port=argument["port"])
        controller.start()
        try:
            report = run_digests("daily", app=app)
            result["sent"] = report.sent
            result["errors"] += list(report.errors)
        except Exception as error:
            result["errors"].append(traceback.format_exc()[-600:])
        finally:
            controller.stop()
        result["received"] = Sink.received
    elif role == "reader":
        from guichet.search.query import parse_search
        backend = app.extensions["guichet.search"]
        deadline = time.monotonic() + argument["seconds"]
        while time.monotonic() < deadline:
            begin = time.perf_counter()
            try:
                total = backend.search(parse_search({"q": "rénovation énergétique"})).total
                if total == 0:
                    result["errors"].append("0 résultat")
            except Exception as error:
                result["errors"].append(repr(error)[:300])
            result["latencies"].append(time.perf_counter() - begin)
        # The first search loads the process's snapshot (seconds at 100,000): told apart.
        result["first"] = result["latencies"].pop(0) if result["latencies"] else None
        result["refreshes"] = getattr(backend, "refreshes", None)  # SQLite: snapshots patched / loaded
result["seconds"] = time.perf_counter() - started
print(json.dumps(result))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--scrape", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=100, help="programmes each curator edits per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--subscriptions", type=int, default=200)
    args = parser.parse_args()

    app, directory = make_app()
    print(f"loading {args.count:,} programmes …", flush=True)
    timings = load(app, args.count)
    print(f"  store {timings['store_seconds']:.1f} s, first index build {timings['index_seconds']:.1f} s")

    from sqlalchemy import select

    from guichet.digests.subscriptions import add_subscription
    from guichet.programmes.models import Programme

    with app.app_context(), app.extensions["guichet.db"].session() as session:
        ids = session.scalars(select(Programme.id).order_by(Programme.id).limit(3 * args.edits)).all()
        record = {key: value for key, value in session.get(Programme, ids[0]).__dict__.items()
                  if key in ("source", "summary", "description_html", "funders", "level", "beneficiaries",
                             "themes", "aid_types", "deadlines", "recurrence")}
        record = {**record, "source_url": "https://collecte.example/p", "regions": [], "departments": []}
        for number in range(args.subscriptions):
            subscription, _outcome = add_subscription(session, f"abonne{number}@commune.example", "q=rénovation",
                                                      "daily", confirmed=True)
            # Confirmed two days ago: the corpus's programmes are new for it, the run has work.
            for name in ("digest_since", "confirmed_at", "created_at"):
                setattr(subscription, name, getattr(subscription, name) - timedelta(days=2))
        session.commit()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env.update(GUICHET_DATABASE_URL=app.config["DATABASE_URL"], GUICHET_SEARCH_SQLITE_PATH=app.config["SEARCH_SQLITE_PATH"],
               GUICHET_INSTANCE_PATH=str(directory / "instance"), GUICHET_SECRET_KEY="b" * 40,
               GUICHET_SCHEDULER_ENABLED="false", GUICHET_SMTP_HOST="127.0.0.1", GUICHET_SMTP_PORT=str(port))
    jobs = [("rebuild", {})]
    jobs += [("curator", {"ids": ids[number::3], "rounds": args.rounds}) for number in range(3)]
    jobs += [("scrape", {"count": args.scrape, "record": record}), ("digest", {"port": port}),
             ("reader", {"seconds": 60})]
    print("running at once: " + ", ".join(role for role, _ in jobs), flush=True)
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, role, json.dumps(argument, default=str)],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for role, argument in jobs]
    results = []
    for (role, _argument), process in zip(jobs, processes):
        stdout, stderr = process.communicate(timeout=1800)
        try:
            results.append(json.loads(stdout.strip().splitlines()[-1]))
        except (IndexError, ValueError):
            results.append({"role": role, "errors": [f"exit {process.returncode}: {stderr[-800:]}"], "latencies": []})
        if "database is locked" in stderr:
            results[-1]["errors"].append("database is locked (stderr)")
    wall = time.perf_counter() - started

    errors = sum(len(result["errors"]) for result in results)
    curator_latencies = [value for result in results if result["role"] == "curator" for value in result["latencies"]]
    reader = next(result for result in results if result["role"] == "reader")
    rebuild = next(result for result in results if result["role"] == "rebuild")
    digest = next(result for result in results if result["role"] == "digest")
    for result in results:
        if result["errors"]:
            print(f"  {result['role']}: {len(result['errors'])} errors, first: {result['errors'][0]}")

    from guichet.search.outbox import repair_index

    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            titles = dict(session.execute(select(Programme.id, Programme.title).where(Programme.id.in_(ids))).all())
            scraped = session.scalar(select(Programme.id).where(Programme.id == f"bulk-{args.scrape - 1}"))
        last_title = f"Corrigé {args.rounds - 1}"
        lost = sum(1 for programme_id in ids if titles.get(programme_id) != f"{last_title} {programme_id}")
        repair = repair_index(app)
    index = sqlite3.connect(app.config["SEARCH_SQLITE_PATH"])
    indexed = dict(index.execute(f"SELECT id, title FROM docs WHERE id IN ({','.join('?' * len(ids))})", ids))
    searchable = sum(1 for programme_id in ids if indexed.get(programme_id) == titles.get(programme_id))
    collected = index.execute("SELECT count(*) FROM docs WHERE id LIKE 'bulk-%'").fetchone()[0]
    index.close()

    print(f"\nwall time {wall:.1f} s; rebuild of {rebuild.get('count', 0):,} programmes {rebuild['seconds']:.1f} s")
    print(f"errors: {errors} (every process, every kind)")
    print(f"curators: {len(curator_latencies)} saves, p50 {percentile(curator_latencies, .5) * 1000:.0f} ms, "
          f"p95 {percentile(curator_latencies, .95) * 1000:.0f} ms, max {max(curator_latencies) * 1000:.0f} ms; "
          f"lost edits: {lost} of {len(ids)}")
    print(f"reader: its first search (which loads the snapshot) {reader.get('first') or float('nan'):.1f} s; then "
          f"{len(reader['latencies'])} searches during the work, "
          f"p50 {percentile(reader['latencies'], .5) * 1000:.0f} ms, "
          f"p95 {percentile(reader['latencies'], .95) * 1000:.0f} ms, {len(reader['errors'])} failed or empty; "
          f"snapshot refreshes {reader.get('refreshes')}")
    print(f"scrape: {args.scrape:,} records stored: {'yes' if scraped else 'NO'}; searchable after repair: "
          f"{collected:,}")
    print(f"digest run: {digest.get('sent', 0)} sent, {digest.get('received', 0)} received by the SMTP server")
    print(f"after one repair cycle ({repair.outbox} from the outbox, {repair.missing} missing, {repair.extra} extra): "
          f"{searchable} of {len(ids)} edits in the index as the store has them")


if __name__ == "__main__":
    main()
