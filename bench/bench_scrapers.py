"""Benchmark of the issue-4 sources against the local replay server.

2,300 records over five sources (synthetic pages built from scrapers/recorded/), 100 ms of
latency added to every response, the default politeness (SCRAPER_DELAY, 1 s unless
GUICHET_SCRAPER_DELAY says otherwise). Prints the wall time of a full run, of a second run
where everything answers 304, the highest requests per second seen per host, and peak memory.

    .venv/bin/python bench/bench_scrapers.py
"""

import copy
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapers.replay import ReplayServer  # noqa: E402

RECORDED = ROOT / "scrapers" / "recorded"
LATENCY = 0.1
ROBOTS = "User-agent: *\nAllow: /\n"


def load(slug, name):
    return json.loads((RECORDED / slug / name).read_text(encoding="utf-8"))


def add_json(server, method, url, body, etag):
    server.add(method, url, headers={"Content-Type": "application/json", "ETag": etag}, json_body=body)


def build(server) -> int:
    total = 0
    for host in ("api.tech.ec.europa.eu", "aides-territoires.beta.gouv.fr", "api.ademe.fr", "www.culture.gouv.fr",
                 "mesdemarches.iledefrance.fr"):
        server.add("GET", f"https://{host}/robots.txt", body=ROBOTS)
    # EU: 5 pages of 100
    eu = load("eu-funding-tenders", "search-page-1.json")
    topics = eu["results"][:5]
    for page in range(1, 6):
        results = []
        for index in range(100):
            topic = copy.deepcopy(topics[index % 5])
            identifier = f"BENCH-{page}-{index}-{topic['metadata']['identifier'][0]}"
            topic["metadata"]["identifier"] = [identifier]
            results.append(topic)
        add_json(server, "POST", "https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***"
                 f"&pageSize=100&pageNumber={page}", dict(eu, totalResults=500, pageNumber=page, results=results),
                 f'"eu{page}"')
        total += 100
    # Aides-territoires: 10 pages of 100
    at = load("aides-territoires", "aids-page-1.json")["results"]
    server.add("POST", "https://aides-territoires.beta.gouv.fr/api/connexion/", json_body={"token": "jwt"})
    for page in range(1, 11):
        results = []
        for index in range(100):
            aid = copy.deepcopy(at[index % len(at)])
            aid["id"] = page * 1000 + index
            results.append(aid)
        next_url = (f"https://aides-territoires.beta.gouv.fr/api/aids/?page={page + 1}&itemsPerPage=100"
                    if page < 10 else None)
        add_json(server, "GET", f"https://aides-territoires.beta.gouv.fr/api/aids/?page={page}&itemsPerPage=100",
                 {"count": 1000, "next": next_url, "previous": None, "results": results}, f'"at{page}"')
        total += 100
    # ADEME: one response of 200
    ademe = load("ademe-agir", "liste-dispositif.json")
    schemes = []
    for index in range(200):
        scheme = copy.deepcopy(ademe["ListeDispositifs"][index % 4])
        scheme["id"] = f"bench{index:04d}"
        schemes.append(scheme)
    add_json(server, "GET", "https://api.ademe.fr/r2da/listeDispositif", dict(ademe, ListeDispositifs=schemes), '"ad"')
    total += 200
    # Culture: 3 pages of 100, then an empty page
    culture = load("culture", "online-procedures-page-1.json")
    for page in range(1, 5):
        items = []
        if page < 4:
            for index in range(100):
                item = copy.deepcopy(culture[index % 4])
                item["id"] = page * 1000 + index
                items.append(item)
        add_json(server, "GET", f"https://www.culture.gouv.fr/api/online-procedures?page={page}", items, f'"cu{page}"')
    total += 300
    # Île-de-France: one response of 300
    idf = load("ile-de-france", "aides.json")
    aids = []
    for index in range(300):
        aid = copy.deepcopy(idf[index % 4])
        aid["reference"] = f"bench{index:04d}"
        aids.append(aid)
    add_json(server, "GET", "https://mesdemarches.iledefrance.fr/guide-des-aides/api/public/tenants/cridfprd/aides?top=2500",
             aids, '"idf"')
    total += 300
    return total


def highest_rates(requests) -> dict:
    by_host = {}
    for request in requests:
        by_host.setdefault(request.host, []).append(request.at)
    rates = {}
    for host, moments in by_host.items():
        moments.sort()
        gaps = [later - earlier for earlier, later in zip(moments, moments[1:])]
        rates[host] = round(1 / min(gaps), 2) if gaps else 0.0
    return rates


def main():
    from guichet import create_app, migrations
    from guichet.db import Database
    from guichet.sources.services import run_source

    server = ReplayServer(latency=LATENCY)
    total = build(server)
    server.start()
    workdir = Path(tempfile.mkdtemp(prefix="bench-scrapers-"))
    os.environ["GUICHET_INSTANCE_PATH"] = str(workdir / "instance")
    database_url = f"sqlite:///{workdir / 'guichet.sqlite3'}"
    database = Database(database_url)
    migrations.upgrade(database)
    database.dispose()
    delay = float(os.environ.get("GUICHET_SCRAPER_DELAY", 1.0))
    app = create_app({"DATABASE_URL": database_url, "SEARCH_SQLITE_PATH": str(workdir / "search.sqlite3"),
                      "SOURCES_REPLAY_URL": server.url, "SCRAPER_DELAY": delay, "SCRAPER_BACKOFF": 0,
                      "SCHEDULER_ENABLED": False})
    slugs = ["eu-funding-tenders", "aides-territoires", "ademe-agir", "culture", "ile-de-france"]
    print(f"{total} records over {len(slugs)} sources, {LATENCY * 1000:.0f} ms latency per response, "
          f"politeness {delay} s per host")
    import scrapers.http

    tracemalloc.start()
    for label in ("full run", "second run (304)"):
        started = time.perf_counter()
        first_request = len(server.requests)
        scrapers.http.SENT_LOG = []
        counts = {}
        for slug in slugs:
            run = run_source(app, slug)
            counts[slug] = (run.status, run.added, run.updated, run.unchanged, run.errored)
        elapsed = time.perf_counter() - started
        answered = server.requests[first_request:]
        print(f"{label}: {elapsed:.1f} s, {len(answered)} requests")
        for slug, figures in counts.items():
            print(f"  {slug}: status {figures[0]}, +{figures[1]} ~{figures[2]} ={figures[3]} !{figures[4]}")
        sent = scrapers.http.requests_per_second(scrapers.http.SENT_LOG)
        print("  highest requests per second per host, as sent: "
              f"{ {host: round(rate, 2) for host, rate in sent.items()} }")
        print(f"  ... as received by the server (thread scheduling adds jitter): {highest_rates(answered)}")
    _current, peak = tracemalloc.get_traced_memory()
    print(f"peak Python memory (tracemalloc): {peak / 1e6:.1f} MB; "
          f"max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    server.stop()


if __name__ == "__main__":
    main()
