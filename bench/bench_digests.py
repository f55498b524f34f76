"""Benchmark of email digests on the embedded backend (SQLite FTS5).

10,000 confirmed daily subscriptions with varied saved searches, a catalogue of older
programmes and 200 programmes published since the last digest. Measures:

* the time to compute every digest (``plan_digests``: the searches, the digest log, the
  pending deliveries), target <= 30 s, and its peak memory (tracemalloc, in a second
  identical pass because tracing slows Python down);
* messages rendered per second (subject + text + HTML + headers of every planned digest,
  exactly what ``send_pending`` hands to the SMTP relay);
* optionally (``--send N``) the rate of sending N of them to a local aiosmtpd server.

Subscriptions sharing one saved search are searched once (``plan_digests`` groups them):
the figures say how many distinct searches that left.

    .venv/bin/python bench/bench_digests.py [--subscriptions 10000] [--new 200] [--catalogue 3000]
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import THEME_VOCABULARY, load  # noqa: E402

POPULATIONS = ["moins-2000", "2000-20000", "20000-100000", "plus-100000", "800", "3500", "12000", "45000"]
LEVELS = ["europe", "national", "regional", "departmental", "local"]
AID_TYPES = ["subvention", "pret", "ingenierie", "avance_remboursable"]
BENEFICIARIES = ["commune", "epci", "association"]


def varied_searches(count: int, seed: int) -> list[str]:
    """Saved searches as mayors make them: words, themes, town size, level, geography ...
    A few very common ones (a theme alone, a town size alone) are shared by many people."""
    from urllib.parse import urlencode

    from guichet import geo
    from guichet.digests.subscriptions import canonical_search

    rng = random.Random(seed)
    regions, departments = list(geo.REGIONS), list(geo.DEPARTMENTS)
    themes = list(THEME_VOCABULARY)
    words = [word for _titles, vocabulary in THEME_VOCABULARY.values() for word in vocabulary]
    searches = []
    for _ in range(count):
        params: dict[str, list[str] | str] = {}
        shape = rng.random()
        if shape < 0.25:  # the popular ones: one theme, maybe a size
            params["theme"] = rng.choice(themes)
            if rng.random() < 0.5:
                params["population"] = rng.choice(POPULATIONS[:4])
        else:
            if rng.random() < 0.6:
                params["q"] = rng.choice(words)
            if rng.random() < 0.5:
                params["theme"] = rng.sample(themes, rng.choice([1, 1, 2]))
            if rng.random() < 0.5:
                params["population"] = rng.choice(POPULATIONS)
            if rng.random() < 0.3:
                params["level"] = rng.sample(LEVELS, rng.choice([1, 2]))
            if rng.random() < 0.3:
                params["department"] = rng.choice(departments)
            elif rng.random() < 0.2:
                params["region"] = rng.choice(regions)
            if rng.random() < 0.15:
                params["aid_type"] = rng.choice(AID_TYPES)
            if rng.random() < 0.1:
                params["beneficiary"] = rng.choice(BENEFICIARIES)
        searches.append(canonical_search(urlencode(params, doseq=True)))
    return searches


def setup(directory: Path, subscriptions: int, new: int, catalogue: int, seed: int):
    from sqlalchemy import insert, update

    from guichet import create_app, migrations
    from guichet.digests.models import Subscription
    from guichet.programmes.models import Programme, utcnow
    from guichet.search import rebuild_index

    os.environ["GUICHET_INSTANCE_PATH"] = str(directory / "instance")
    app = create_app({"DATABASE_URL": f"sqlite:///{directory / 'guichet.sqlite3'}",
                      "SEARCH_BACKEND": "sqlite", "SEARCH_SQLITE_PATH": str(directory / "search.sqlite3"),
                      "SECRET_KEY": "bench", "BASE_URL": "https://guichet.example", "SCHEDULER_ENABLED": False,
                      "OFFLINE": True})
    database = app.extensions["guichet.db"]
    migrations.upgrade(database)

    started = time.perf_counter()
    load(app, catalogue + new, seed=seed, rebuild=False)
    now = utcnow()
    last_digest = now - timedelta(days=1)
    with database.engine.begin() as connection:
        # The catalogue was there before the last digest; the last `new` ones came since.
        connection.execute(update(Programme).where(Programme.id.not_in([f"bench-{n}" for n in range(catalogue,
                                                                                                  catalogue + new)]))
                           .values(published_at=now - timedelta(days=30)))
        for number in range(catalogue, catalogue + new):
            connection.execute(update(Programme).where(Programme.id == f"bench-{number}")
                               .values(published_at=now - timedelta(hours=20) + timedelta(seconds=number)))
    with app.app_context():
        rebuild_index(app)
    searches = varied_searches(subscriptions, seed)
    rows = [{"email": f"maire{number}@commune{number % 3500}.example", "search": search, "frequency": "daily",
             "status": "active", "link_key": f"{number:032x}", "created_at": last_digest, "updated_at": last_digest,
             "confirmed_at": last_digest - timedelta(days=7), "digest_since": last_digest, "permanent_failures": 0}
            for number, search in enumerate(searches)]
    with database.engine.begin() as connection:
        connection.execute(insert(Subscription), rows)
    print(f"set-up: {catalogue + new} programmes ({new} new), {subscriptions} subscriptions, "
          f"{len(set(searches))} distinct saved searches, in {time.perf_counter() - started:.1f} s")
    return app, last_digest


def reset(app, last_digest):
    from sqlalchemy import delete, update

    from guichet.digests.models import Delivery, DigestLogEntry, Subscription

    with app.extensions["guichet.db"].engine.begin() as connection:
        connection.execute(delete(DigestLogEntry))
        connection.execute(delete(Delivery))
        connection.execute(update(Subscription).values(digest_since=last_digest))


def compute(app):
    from guichet.digests.planning import plan_digests

    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            started = time.perf_counter()
            report = plan_digests(session, "daily")
            return report, time.perf_counter() - started


def render_all(app):
    from sqlalchemy import select

    from guichet.digests.models import Delivery
    from guichet.digests.rendering import DigestRenderer

    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            ids = session.scalars(select(Delivery.id).where(Delivery.status == "pending").order_by(Delivery.id)).all()
            started = time.perf_counter()
            renderer = DigestRenderer(session)  # one a run, as send_pending does
            size = 0
            for delivery_id in ids:
                size += len(renderer.message(session.get(Delivery, delivery_id)).as_bytes())
            elapsed = time.perf_counter() - started
    return len(ids), elapsed, size


def send_some(app, count: int):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    from guichet.digests.mailer import Mailer
    from guichet.digests.sending import send_pending

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        sent = []

        class Enough(Exception):
            pass

        def stop_after(_delivery):
            sent.append(1)
            if len(sent) >= count:
                raise Enough

        with app.app_context():
            with app.extensions["guichet.db"].session() as session, Mailer(app.config) as mailer:
                started = time.perf_counter()
                try:
                    send_pending(session, mailer, after_each=stop_after)
                except Enough:
                    pass
                elapsed = time.perf_counter() - started
    finally:
        controller.stop()
    return len(sent), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--catalogue", type=int, default=3_000, help="older programmes (not new)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--send", type=int, default=0, help="also send this many digests to a local aiosmtpd")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="guichet-bench-digests-") as directory:
        app, last_digest = setup(Path(directory), arguments.subscriptions, arguments.new, arguments.catalogue,
                                 arguments.seed)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report, elapsed = compute(app)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"compute every digest: {elapsed:.2f} s (target <= 30 s) for {report.subscriptions} subscriptions, "
              f"{report.searches} distinct searches run once each; {report.planned} digests planned "
              f"with {report.programmes} programmes in all "
              f"({report.programmes / max(report.planned, 1):.1f} a digest); "
              f"{report.subscriptions - report.planned} subscriptions had nothing new")
        print(f"  {report.subscriptions / elapsed:,.0f} subscriptions/s, {report.searches / elapsed:,.0f} searches/s; "
              f"peak RSS of the process {rss_after / 1024:.0f} MiB (+{(rss_after - rss_before) / 1024:.0f} MiB)")

        rendered, render_seconds, size = render_all(app)
        print(f"render: {rendered} messages in {render_seconds:.2f} s = {rendered / render_seconds:,.0f} messages/s "
              f"(average {size / max(rendered, 1) / 1024:.1f} KiB a message, multipart text + HTML)")

        if arguments.send:
            sent, send_seconds = send_some(app, arguments.send)
            print(f"send: {sent} messages to a loopback aiosmtpd in {send_seconds:.2f} s = "
                  f"{sent / send_seconds:,.0f} messages/s (render + SMTP + digest log update)")

        reset(app, last_digest)
        tracemalloc.start()
        traced_report, traced_seconds = compute(app)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert traced_report.planned == report.planned
        print(f"peak Python memory while computing every digest (tracemalloc): {peak / 1024 / 1024:.1f} MiB "
              f"(that pass, slowed by tracing: {traced_seconds:.2f} s)")
        app.extensions["guichet.db"].dispose()


if __name__ == "__main__":
    main()
