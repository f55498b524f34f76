"""What a first and a repeat visit of the search page cost a mayor on a rural line.

Headless Chromium (Debian's /usr/bin/chromium, through Playwright) opens the search page of
a Guichet served by waitress on loopback, over 2,000 generated programmes, and counts through
the DevTools protocol the bytes that really cross the wire (compressed, headers included) on
a first visit (empty cache) and on a repeat visit (same browser cache), per kind of resource;
then the median time from navigation to the first result drawn. A baseline measured in the
same run serves the same page with compression and fingerprinted caching switched off, as
the service did before (what the ratio compares).

    .venv/bin/python bench/bench_page_weight.py [--programmes 2000] [--runs 7]

Target (issue 17): first visit ≤ 350 KB compressed.
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus  # noqa: E402
from bench.common import Server, make_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
QUERY = "/?q=%C3%A9clairage+public&population=2000-20000"


def visit(context, url: str) -> tuple[dict[str, int], float]:
    """Bytes received per resource type (encoded, as on the wire) and time to first result."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    types, received = {}, defaultdict(int)
    cdp.on("Network.responseReceived", lambda event: types.__setitem__(event["requestId"], event["type"]))
    cdp.on("Network.loadingFinished",
           lambda event: received.__setitem__(event["requestId"], event["encodedDataLength"]))
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".guichet-results li, #aucun-resultat")
    first_result = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    by_type = defaultdict(int)
    for request_id, size in received.items():
        by_type[types.get(request_id, "Other")] += size
    page.close()
    return dict(by_type), first_result


def measure(browser, base_url: str, runs: int) -> dict:
    first_bytes, repeat_bytes, first_times, repeat_times = [], [], [], []
    for _ in range(runs):
        context = browser.new_context(locale="fr-FR")
        first, first_time = visit(context, base_url + QUERY)
        repeat, repeat_time = visit(context, base_url + QUERY)
        context.close()
        first_bytes.append(first)
        repeat_bytes.append(repeat)
        first_times.append(first_time)
        repeat_times.append(repeat_time)
    return {"first": first_bytes[-1], "repeat": repeat_bytes[-1],
            "first_time": statistics.median(first_times), "repeat_time": statistics.median(repeat_times)}


def as_before(app) -> None:
    """The baseline: assets sent whole by send_from_directory with a day of caching, no
    fingerprints, no compression of pages — how the service answered before issue 17."""
    from flask import send_from_directory

    from guichet.web import DSFR_DIST

    app.view_functions["dsfr_asset"] = lambda filename: send_from_directory(DSFR_DIST, filename, max_age=86400)
    app.view_functions["static"] = lambda filename: send_from_directory(app.static_folder, filename, max_age=86400)
    app.url_default_functions[None] = [function for function in app.url_default_functions[None]
                                       if function.__name__ != "add_fingerprint"]


def kb(value: int) -> str:
    return f"{value / 1000:8.1f} KB"


def report(name: str, figures: dict) -> None:
    first_total, repeat_total = sum(figures["first"].values()), sum(figures["repeat"].values())
    print(f"{name}")
    print(f"  first visit  {kb(first_total)}  ({', '.join(f'{kind} {value / 1000:.1f}' for kind, value in sorted(figures['first'].items()))})")
    print(f"  repeat visit {kb(repeat_total)}  ({', '.join(f'{kind} {value / 1000:.1f}' for kind, value in sorted(figures['repeat'].items()))})")
    print(f"  time to first result: first visit median {figures['first_time'] * 1000:.0f} ms, "
          f"repeat {figures['repeat_time'] * 1000:.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programmes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    app, _directory = make_app()
    corpus.load(app, options.programmes)
    baseline_app, _ = make_app(COMPRESS_REGISTER=False)
    corpus.load(baseline_app, options.programmes)
    as_before(baseline_app)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        with Server(baseline_app) as server:
            baseline = measure(browser, server.url, options.runs)
        with Server(app) as server:
            light = measure(browser, server.url, options.runs)
        browser.close()
    print(f"Search page {QUERY} over {options.programmes:,} programmes, {options.runs} runs, loopback")
    report("baseline (no compression, no fingerprints, as before)", baseline)
    report("Guichet", light)
    first_ratio = sum(baseline["first"].values()) / max(1, sum(light["first"].values()))
    repeat_ratio = sum(baseline["repeat"].values()) / max(1, sum(light["repeat"].values()))
    print(f"ratio baseline / Guichet: first visit {first_ratio:.1f}×, repeat visit {repeat_ratio:.1f}×; "
          f"target first visit ≤ 350 KB: {'met' if sum(light['first'].values()) <= 350_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
