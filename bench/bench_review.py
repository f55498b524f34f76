"""How many actions a curator needs to publish hundreds of programmes.

The corpus of ``bench/bench_duplicates.py`` (curated programmes, every recorded source
response replayed through the real scrapers, and the real Aides-territoires API records of
``../shared/reference/sources/``) leaves hundreds of programmes « à revoir ». A scripted
curator then works through the back office over HTTP, as a person would: every page it opens
and every form it sends counts as one action. It logs in, opens the queue, filters it on
Aides-territoires, ticks « tout sélectionner (les N de ce filtre) » and publishes; closed calls
are left aside unless confirmed. A baseline measured in the same run counts the actions the
previous queue needed for the same programmes: 25 a page, one tick per programme and one
« publier la sélection » per page (ticks on one page are one action each, as clicks).

    .venv/bin/python bench/bench_review.py [--shared ../shared]

Target (issue 16): 200 programmes published in ≤ 10 actions.
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_duplicates import build_corpus  # noqa: E402
from bench.common import make_app  # noqa: E402

EMAIL, PASSWORD = "relectrice@anct.test", "un mot de passe assez long pour le banc"


class Curator:
    """A test client that counts what a person would do: each request is one action."""

    def __init__(self, client):
        self.client, self.actions = client, 0

    def get(self, path):
        self.actions += 1
        return self.client.get(path)

    def post(self, path, data, token_from):
        page = self.client.get(token_from).get_data(as_text=True)  # the form already on screen
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.actions += 1
        return self.client.post(path, data={"csrf_token": token, **data})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    options = parser.parse_args()

    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash

    from guichet.admin.models import User
    from guichet.db import get_database
    from guichet.programmes.models import Programme

    directory = Path(tempfile.mkdtemp(prefix="guichet-bench-review-"))
    app, _ = make_app(str(directory), WTF_CSRF_ENABLED=True)
    build_corpus(app, Path(options.shared), directory)
    with app.app_context(), get_database().session() as session:
        session.add(User(email=EMAIL, role="curator", password_hash=generate_password_hash(PASSWORD), active=True,
                         session_token=1))
        session.commit()
        waiting = session.scalar(select(func.count()).select_from(Programme).where(Programme.state == "pending"))
        from_source = session.scalar(select(func.count()).select_from(Programme).where(
            Programme.state == "pending", Programme.source == "aides-territoires"))

    curator = Curator(app.test_client())
    started = time.perf_counter()
    curator.get("/admin/login")
    curator.post("/admin/login", {"email": EMAIL, "password": PASSWORD}, "/admin/login")
    curator.get("/admin/")
    filtered = "/admin/?type=tous&source=aides-territoires"
    page = curator.get(filtered).get_data(as_text=True)
    shown = re.search(r"([\d\u202f ]+) programmes? à revoir", page).group(1)
    curator.post("/admin/revue", {"action": "publish", "all_matching": "1", "type": "tous",
                                  "source": "aides-territoires", "next": filtered}, filtered)
    elapsed = time.perf_counter() - started
    with app.app_context(), get_database().session() as session:
        published = session.scalar(select(func.count()).select_from(Programme).where(
            Programme.state == "published", Programme.source == "aides-territoires"))
        closed_left = session.scalar(select(func.count()).select_from(Programme).where(
            Programme.state == "pending", Programme.source == "aides-territoires"))

    pages_before = -(-published // 25)
    baseline_actions = 3 + published + pages_before  # log in, queue, filter; one tick each; one publish a page
    print(f"Queue: {waiting} programmes à revoir, {from_source} from Aides-territoires (the page said {shown.strip()})")
    print(f"Scripted curator: {published} programmes published in {curator.actions} actions "
          f"({elapsed:.1f} s); {closed_left} closed calls left aside, as the queue asks")
    print(f"Baseline (25 a page, a tick per programme): {baseline_actions} actions for the same "
          f"{published} programmes — {baseline_actions / curator.actions:.0f}× more")
    target = published >= 200 and curator.actions <= 10
    print(f"target 200 programmes in ≤ 10 actions: {'met' if target else 'NOT met'}")


if __name__ == "__main__":
    main()
