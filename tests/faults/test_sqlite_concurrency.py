"""H4 (+ issue point 4): the embedded default takes concurrent work. Separate processes at
once on one SQLite store and index: three curators editing (read, then write: the pattern
that upgraded a deferred transaction and failed « database is locked »), a bulk writer as
a scrape is, and a full index rebuild. 0 errors, 0 lost edits, every edit searchable after
the sync (or the repair)."""

import json
import os
import subprocess
import sys

from guichet import ROOT
from guichet.programmes.models import Programme

WORKER = r"""
import json, sys, time
from guichet import create_app
from guichet.programmes.models import Programme
from guichet.programmes.services import upsert_source_record
from guichet.search import rebuild_index

role, argument = sys.argv[1], json.loads(sys.argv[2])
app = create_app()
database = app.extensions["guichet.db"]
with app.app_context():
    if role == "curator":
        for round_number in range(argument["rounds"]):
            for programme_id in argument["ids"]:
                with database.session() as session:
                    programme = session.get(Programme, programme_id)   # read first ...
                    time.sleep(0.002)
                    programme.title = f"Corrigé {round_number} {programme_id}"  # ... then write
                    session.commit()
    elif role == "scrape":
        for start in range(0, argument["count"], 50):
            with database.session() as session:
                for number in range(start, start + 50):
                    upsert_source_record(session, {**argument["record"], "id": f"bulk-{number}",
                                                   "source_id": str(number), "title": f"Collecte {number}"})
                session.commit()
    elif role == "rebuild":
        for _ in range(argument["times"]):
            rebuild_index(app)
print("ok")
"""


def test_curators_a_scrape_and_a_rebuild_at_once(app, app_config, tmp_path, make_programme, client):
    from tests.conftest import programme_data

    ids = [make_programme(title=f"Programme {number}") for number in range(30)]
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env.update(GUICHET_DATABASE_URL=app_config["DATABASE_URL"],
               GUICHET_SEARCH_SQLITE_PATH=app_config["SEARCH_SQLITE_PATH"],
               GUICHET_INSTANCE_PATH=str(tmp_path / "instance"), GUICHET_SECRET_KEY="x" * 40,
               GUICHET_SCHEDULER_ENABLED="false")
    record = {key: value for key, value in programme_data().items() if key not in ("id", "source_id", "title")}
    jobs = [("curator", {"ids": ids[number::3], "rounds": 4}) for number in range(3)]
    jobs += [("scrape", {"count": 600, "record": record}), ("rebuild", {"times": 3})]
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, role, json.dumps(argument)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for role, argument in jobs]
    outputs = [process.communicate(timeout=240) for process in processes]
    for (role, _argument), process, (stdout, stderr) in zip(jobs, processes, outputs):
        assert process.returncode == 0 and stdout.strip() == "ok", f"{role}: {stderr[-3000:]}"
        assert "database is locked" not in stderr, f"{role}: {stderr[-3000:]}"

    with app.extensions["guichet.db"].session() as session:
        titles = {programme.id: programme.title for programme in session.query(Programme)}
    assert all(titles[programme_id] == f"Corrigé 3 {programme_id}" for programme_id in ids)  # no lost edit
    assert sum(programme_id.startswith("bulk-") for programme_id in titles) == 600

    from guichet.search.outbox import repair_index

    repair_index(app)  # what the scheduler does every few minutes
    found = client.get("/api/v1/programmes", query_string={"q": "Corrigé", "per_page": 100}).get_json()
    assert found["total"] == 30
    assert client.get("/api/v1/programmes", query_string={"q": "Collecte"}).get_json()["total"] == 600
