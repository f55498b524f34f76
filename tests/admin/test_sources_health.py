"""Source health: last runs with counts and errors, flagged runs, next run, « lancer maintenant »."""

from datetime import timedelta

from sqlalchemy import select

from guichet.admin import sources as source_health
from guichet.curation.models import AuditEntry
from guichet.programmes.models import utcnow
from guichet.sources.models import RunError, RunRequest, ScrapeRun
from guichet.sources.requests import carry_out_requests
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
    page = curator_client.get("/admin/sources").get_data(as_text=True)
    assert "Collecte demandée" in page and "Collecte en attente" in page
    # The web worker ran nothing: the scheduler process carries the request out.
    assert store.scalar(select(ScrapeRun).where(ScrapeRun.source == "curated")) is None
    assert carry_out_requests(app) == 1
    store.expire_all()
    request = store.scalar(select(RunRequest).where(RunRequest.source == "curated"))
    assert request.status == "done" and request.requested_by == "curatrice@anct.test"
    assert "Collecte en attente" not in curator_client.get("/admin/sources").get_data(as_text=True)
    run = store.scalar(select(ScrapeRun).where(ScrapeRun.source == "curated"))
    assert request.run_id == run.id
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


def test_a_second_request_waits_for_the_first_and_failures_read_in_french(app, curator_client, store):
    sync_sources(store)
    store.commit()
    post_form(curator_client, "/admin/sources/curated/lancer", {}, page="/admin/sources")
    again = post_form(curator_client, "/admin/sources/curated/lancer", {}, page="/admin/sources")
    assert "Une collecte de cette source est déjà demandée ou en cours." in curator_client.get(
        again.headers["Location"]).get_data(as_text=True)
    assert len(store.scalars(select(RunRequest)).all()) == 1
    # A scheduler that died mid-run leaves its request « running »: after a while it is closed,
    # in French, and a new request can be made.
    request = store.scalar(select(RunRequest))
    request.status, request.started_at = "running", utcnow() - timedelta(hours=4)
    store.commit()
    assert carry_out_requests(app) == 0
    store.expire_all()
    assert store.get(RunRequest, request.id).status == "failed"
    assert "planificateur s’est arrêté" in store.get(RunRequest, request.id).message
    assert post_form(curator_client, "/admin/sources/curated/lancer", {}, page="/admin/sources").status_code == 302
    assert store.scalar(select(RunRequest).where(RunRequest.status == "waiting")) is not None


def test_the_overview_table_and_french_names(app, curator_client, store):
    sync_sources(store)
    store.commit()
    page = curator_client.get("/admin/sources").get_data(as_text=True)
    table = page.split('id="vue-d-ensemble"')[1].split("</table>")[0]
    assert "Vue d’ensemble des sources" in table
    assert table.count("<tr>") >= 14  # the header and one row per source
    assert "la collecte de la Région Grand Est" in page
    assert "la collecte du ministère de la Culture" in page
    assert "la collecte d’Aides-territoires" in page
    assert "de ADEME" not in page and "de Aides" not in page


def test_an_admin_lets_a_trusted_source_publish_directly(app, admin_client, curator_client, make_programme, store):
    from guichet.programmes.models import Programme
    from guichet.sources.services import run_source

    sync_sources(store)
    store.commit()
    # Curators cannot change it; admins can.
    refused = post_form(curator_client, "/admin/sources/curated/politique", {"policy": "auto"}, page="/admin/sources")
    assert refused.status_code == 403
    response = post_form(admin_client, "/admin/sources/departement-drome/politique", {"policy": "auto"},
                         page="/admin/sources")
    assert response.status_code == 302
    page = admin_client.get("/admin/sources").get_data(as_text=True)
    assert "Publication des nouveaux programmes du Département de la Drôme" in page
    assert "Publié automatiquement, relu ensuite" in page
    entry = store.scalar(select(AuditEntry).where(AuditEntry.action == "source_policy"))
    assert entry.details == {"source": "departement-drome", "policy": ["review", "auto"]}
    bad = post_form(admin_client, "/admin/sources/departement-drome/politique", {"policy": "n'importe"},
                    page="/admin/sources")
    assert "Choisissez « à relire avant publication »" in admin_client.get(bad.headers["Location"]).get_data(as_text=True)

    # Its new programmes go live at once, and wait in the queue until a curator has read them.
    app.config["SOURCES_REPLAY_DIR"] = "scrapers/recorded"
    assert run_source(app, "departement-drome").status == "success"
    store.expire_all()
    states = set(store.scalars(select(Programme.state).where(Programme.source == "departement-drome")))
    assert states == {"published"}
    queue = curator_client.get("/admin/?source=departement-drome").get_data(as_text=True)
    assert "Publié automatiquement, à relire" in queue
    programme_id = store.scalar(select(Programme.id).where(Programme.source == "departement-drome"))
    post_form(curator_client, "/admin/revue", {"action": "acknowledge", "ids": [programme_id]})
    assert programme_id not in curator_client.get("/admin/?source=departement-drome").get_data(as_text=True)


def test_the_source_page_says_how_each_format_was_verified(app, curator_client, store):
    sync_sources(store)
    page = curator_client.get("/admin/sources").get_data(as_text=True)
    section = page.split('id="source-aides-territoires"')[1].split("</section>")[0]
    assert "Format : vérifié sur des réponses réelles (1er décembre 2026)" in section
    section = page.split('id="source-banque-des-territoires"')[1].split("</section>")[0]
    assert "Format : non vérifié" in section
