"""Source health: last runs with counts and errors, flagged runs, next run, « lancer maintenant »."""

from datetime import timedelta

from sqlalchemy import select

from guichet.admin import sources as source_health
from guichet.curation.models import AuditEntry
from guichet.programmes.models import utcnow
from guichet.sources.models import RunError, ScrapeRun
from guichet.sources.services import sync_sources
from tests.admin.conftest import post_form


def test_source_health_page(app, curator_client, store):
    sync_sources(store)
    now = utcnow()
    store.add(ScrapeRun(source="aides-territoires", started_at=now - timedelta(days=1), finished_at=now,
                        status="success", seen=120, added=3, updated=5, unchanged=112))
    flagged = ScrapeRun(source="aides-territoires", started_at=now, finished_at=now, status="flagged", flagged=True,
                        seen=4, message="La source a renvoyé 4 programmes contre 120 lors de la dernière collecte "
                                        "réussie : aucun programme n'a été clos ni dépublié. À vérifier.")
    store.add(flagged)
    partial = ScrapeRun(source="culture", started_at=now, finished_at=now, status="partial", seen=10, added=9,
                        errored=1)
    partial.errors.append(RunError(stage="parse", record_id="culture-42", message="date illisible : « bientôt »"))
    store.add(partial)
    store.commit()

    page = curator_client.get("/admin/sources").get_data(as_text=True)
    assert "Santé des sources" in page
    assert "1 collecte signalée parmi les dernières" in page
    assert "La source a renvoyé 4 programmes contre 120" in page
    assert "[parse] culture-42 : date illisible : « bientôt »" in page
    assert "Partielle (erreurs)" in page
    # The next scheduled run of a scheduled source, in French.
    section = page.split('id="source-aides-territoires"')[1].split("</section>")[0]
    assert "Prochaine collecte : " in section and "non planifiée" not in section
    assert " à " in section.split("Prochaine collecte : ")[1].split("\n")[0]
    assert page.count("Lancer maintenant") >= 2


def test_run_a_source_now(app, curator_client, store):
    sync_sources(store)
    store.commit()
    response = post_form(curator_client, "/admin/sources/curated/lancer", {}, page="/admin/sources")
    assert response.status_code == 302
    source_health.wait_for_runs(app, timeout=60)
    assert "Collecte lancée" in curator_client.get("/admin/sources").get_data(as_text=True)
    run = store.scalar(select(ScrapeRun).where(ScrapeRun.source == "curated"))
    assert run is not None and run.status == "success" and run.seen > 0
    entry = store.scalar(select(AuditEntry).where(AuditEntry.action == "run_source"))
    assert entry.user_email == "curatrice@anct.test" and entry.details == {"source": "curated"}

    response = post_form(curator_client, "/admin/sources/nulle-part/lancer", {}, page="/admin/sources")
    assert "Source inconnue." in curator_client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_source_already_running_is_not_started_twice(app, curator_client, store):
    sync_sources(store)
    store.add(ScrapeRun(source="culture", started_at=utcnow(), status="running"))
    store.commit()
    response = post_form(curator_client, "/admin/sources/culture/lancer", {}, page="/admin/sources")
    assert "Une collecte de cette source est déjà en cours." in curator_client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert store.scalar(select(AuditEntry)) is None
