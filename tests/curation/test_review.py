"""The review queue: new programmes, programmes changed at the source (with a readable diff),
decisions on one or many, filters and pagination."""

import pytest
from sqlalchemy import select

from guichet.curation.models import AuditEntry, ProgrammeReview
from guichet.programmes.models import Programme
from guichet.programmes.services import upsert_source_record
from guichet.sources.pipeline import store_record
from tests.admin.conftest import post_form
from tests.conftest import programme_data

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def rescrape(app, programme_id, **changes):
    """What a scraper does: the source's whole record again, some fields changed."""
    with app.extensions["guichet.db"].session() as session:
        programme = session.get(Programme, programme_id)
        data = {**programme.source_values, "id": programme.id, "source": programme.source,
                "source_id": programme.source_id, **changes}
        outcome = store_record(session, data)
        session.commit()
    return outcome


def test_new_programmes_wait_in_the_queue_and_are_published(app, curator_client, make_programme, store):
    waiting = make_programme(state="pending", title="Fonds vert : renaturation des villes")
    published = make_programme(title="Déjà publié")
    page = curator_client.get("/admin/").get_data(as_text=True)
    assert "Fonds vert : renaturation des villes" in page and "Déjà publié" not in page
    assert "Nouveau" in page

    response = post_form(curator_client, "/admin/revue", {"action": "publish", "ids": [waiting], "next": "/admin/"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "1 programme publié." in curator_client.get("/admin/").get_data(as_text=True)
    programme = store.get(Programme, waiting)
    assert programme.state == "published" and programme.published_at is not None
    entry = store.scalar(select(AuditEntry).where(AuditEntry.programme_id == waiting))
    assert entry.action == "publish" and entry.user_email == "curatrice@anct.test"
    assert app.test_client().get(f"/programmes/{waiting}").status_code == 200
    # Published from the back office: in the search index too.
    assert f'href="/programmes/{waiting}"' in app.test_client().get("/?q=renaturation").get_data(as_text=True)
    assert "Fonds vert" not in curator_client.get("/admin/").get_data(as_text=True)
    assert store.get(Programme, published).state == "published"


def test_publish_or_reject_many_at_once(curator_client, make_programme, store):
    first, second, third = (make_programme(state="pending") for _ in range(3))
    refused = post_form(curator_client, "/admin/revue", {"action": "reject", "ids": [first, second]})
    assert "Indiquez le motif du rejet" in curator_client.get(refused.headers["Location"]).get_data(as_text=True)
    assert store.get(Programme, first).state == "pending"
    response = post_form(curator_client, "/admin/revue", {"action": "reject", "ids": [first, second],
                                                          "reject_reason": "Réservés aux entreprises."})
    assert response.status_code == 302
    store.expire_all()
    assert [store.get(Programme, pid).state for pid in (first, second, third)] == ["rejected", "rejected", "pending"]
    assert "2 programmes rejetés." in curator_client.get("/admin/").get_data(as_text=True)
    response = post_form(curator_client, "/admin/revue", {"action": "publish"})
    assert "Cochez au moins un programme." in curator_client.get(response.headers["Location"]).get_data(as_text=True)


def test_filters_by_source_theme_and_level(curator_client, make_programme):
    make_programme(state="pending", title="Vélo région", source="region-test", themes=["mobilite"], level="regional")
    make_programme(state="pending", title="Fibre nationale", themes=["numerique", "numerique/tres-haut-debit"])
    make_programme(state="pending", title="Eau Europe", themes=["environnement"], level="europe")

    def titles(query):
        page = curator_client.get(f"/admin/?{query}").get_data(as_text=True)
        return {title for title in ("Vélo région", "Fibre nationale", "Eau Europe") if title in page}

    assert titles("") == {"Vélo région", "Fibre nationale", "Eau Europe"}
    assert titles("source=region-test") == {"Vélo région"}
    assert titles("theme=numerique") == {"Fibre nationale"}
    assert titles("level=europe") == {"Eau Europe"}
    assert titles("level=national&theme=mobilite") == set()
    # Unknown filter values are ignored rather than failing.
    assert curator_client.get("/admin/?level=lune&theme=inconnu").status_code == 200


def test_queue_pages(curator_client, make_programme):
    # A hundred a page: a national service reviews thousands of records.
    for number in range(130):
        make_programme(state="pending", title=f"Programme en attente numéro {number:03d}")
    first = curator_client.get("/admin/").get_data(as_text=True)
    second = curator_client.get("/admin/?page=2").get_data(as_text=True)
    count = lambda page: page.count('name="ids"')  # noqa: E731
    assert count(first) == 100 and count(second) == 30
    assert "130 programmes à revoir" in first
    assert "Tout sélectionner (les 130 programmes de ce filtre" in first
    assert curator_client.get("/admin/?page=abc").status_code == 400


def test_a_change_at_the_source_brings_a_published_programme_back_with_a_diff(app, curator_client,
                                                                              make_programme, store):
    programme_id = make_programme(title="Aide aux tiers-lieux ruraux", summary="Pour les communes rurales.",
                                  themes=["revitalisation-commerce"], deadlines=["2030-03-01"])
    assert rescrape(app, programme_id) == "unchanged"
    assert programme_id not in curator_client.get("/admin/").get_data(as_text=True)

    assert rescrape(app, programme_id, summary="Pour les communes rurales et les petites villes.",
                    themes=["revitalisation-commerce", "numerique"], deadlines=["2030-04-15"]) == "updated"
    page = curator_client.get("/admin/?type=modifies").get_data(as_text=True)
    assert "Aide aux tiers-lieux ruraux" in page and "Modifié à la source" in page
    assert "Modifiés à la source (1)" in page
    # The readable diff: words added, list items added, dates before → after, in French.
    assert ('<del><span class="fr-sr-only">[supprimé : </span>rurales.<span class="fr-sr-only">]</span></del> '
            '<ins><span class="fr-sr-only">[ajouté : </span>rurales et les petites villes.') in page
    assert "Ajouté : Numérique et ville intelligente" in page
    assert "1er mars 2030" in page and "15 avril 2030" in page
    # Still published meanwhile: mayors keep seeing it.
    assert store.get(Programme, programme_id).state == "published"

    detail = curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    assert "Ce qui a changé à la source depuis la dernière revue" in detail

    # Published: the date followed the source at once, the summary and themes wait (issue 16.3).
    store.expire_all()
    live = store.get(Programme, programme_id)
    assert [str(d)[:10] for d in live.deadlines] == ["2030-04-15"]
    assert live.summary == "Pour les communes rurales." and live.themes == ["revitalisation-commerce"]
    assert "Appliquer « Résumé » de la source" in detail and "Garder « Thèmes » publié" in detail
    logged = store.scalars(select(AuditEntry).where(AuditEntry.programme_id == programme_id,
                                                    AuditEntry.action == "source_update")).one()
    assert "appliqué : Dates limites" in logged.summary and "en attente d’un gestionnaire : Résumé, Thèmes" in logged.summary

    response = post_form(curator_client, f"/admin/programmes/{programme_id}/etat", {"action": "publish"})
    assert response.status_code == 302
    # Seen, but the held changes are still to decide: it stays in the queue with them.
    assert "Appliquer « Résumé » de la source" in curator_client.get("/admin/").get_data(as_text=True)
    for field, decision in (("summary", "appliquer"), ("themes", "refuser")):
        version = store.get(Programme, programme_id).version
        response = post_form(curator_client, f"/admin/programmes/{programme_id}/changement-source?field={field}"
                                             f"&decision={decision}&version={version}", {"next": "/admin/"})
        assert response.status_code == 302 and response.headers["Location"] == "/admin/"
        store.expire_all()
    assert programme_id not in curator_client.get("/admin/").get_data(as_text=True)
    live = store.get(Programme, programme_id)
    assert live.summary == "Pour les communes rurales et les petites villes."
    assert live.themes == ["revitalisation-commerce"] and "themes" in live.curated_fields
    review = store.get(ProgrammeReview, programme_id)
    assert review.changed_at is None and review.reviewed_by == "curatrice@anct.test"
    entry = store.scalars(select(AuditEntry).where(AuditEntry.programme_id == programme_id,
                                                   AuditEntry.action == "publish")).one()
    assert "modifié à la source : Résumé, Thèmes, Dates limites" in entry.summary
    assert set(store.scalars(select(AuditEntry.action).where(AuditEntry.programme_id == programme_id))) == {
        "source_update", "publish", "accept_source", "refuse_source"}

    # The next change is compared with what was just reviewed.
    rescrape(app, programme_id, title="Aide aux tiers-lieux")
    page = curator_client.get("/admin/?type=modifies").get_data(as_text=True)
    assert "Titre" in page and "Résumé" not in page.split("Ce qui a changé")[1]


def test_a_source_going_back_to_what_was_reviewed_leaves_the_queue(app, curator_client, make_programme):
    programme_id = make_programme(title="Programme stable")
    rescrape(app, programme_id, title="Programme instable")
    assert programme_id in curator_client.get("/admin/").get_data(as_text=True)
    rescrape(app, programme_id, title="Programme stable")
    assert programme_id not in curator_client.get("/admin/").get_data(as_text=True)


def test_acknowledge_changes_of_a_rejected_programme(app, curator_client, make_programme, store):
    programme_id = make_programme(state="rejected", title="Hors sujet")
    rescrape(app, programme_id, summary="Toujours hors sujet.")
    assert programme_id in curator_client.get("/admin/?type=modifies").get_data(as_text=True)
    post_form(curator_client, "/admin/revue", {"action": "acknowledge", "ids": [programme_id]})
    assert programme_id not in curator_client.get("/admin/").get_data(as_text=True)
    assert store.get(Programme, programme_id).state == "rejected"


def test_a_new_programme_cannot_be_merely_acknowledged(curator_client, make_programme, store):
    programme_id = make_programme(state="pending", title="Tout neuf")
    response = post_form(curator_client, "/admin/revue", {"action": "acknowledge", "ids": [programme_id]})
    assert "est nouveau : publiez-le ou rejetez-le" in curator_client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert store.get(Programme, programme_id).state == "pending"


def test_scrapes_of_new_programmes_do_not_count_as_changes(app, store):
    with app.extensions["guichet.db"].session() as session:
        store_record(session, programme_data(id="neuf-1", state=None), default_state="pending")
        session.commit()
    assert store.get(ProgrammeReview, "neuf-1") is None


def test_noting_source_changes_queries_nothing_for_edits_and_once_for_a_batch_of_rewrites(app, make_programme):
    from sqlalchemy import event

    from guichet.curation.review import note_source_changes

    ids = [make_programme(title=f"Programme relu {number}") for number in range(3)]
    database = app.extensions["guichet.db"]
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as session:
            programmes = [session.get(Programme, programme_id) for programme_id in ids]
            records = [{**p.source_values, "id": p.id, "source": p.source, "source_id": p.source_id}
                       for p in programmes]
            statements.clear()
            programmes[0].title = "Corrigé par une curatrice"
            session.flush()
            # The search outbox row is written in the same transaction by design (issue 12);
            # what this test watches is the review listener: no query for an edit.
            assert [s.split()[0] for s in statements if "search_outbox" not in s] == ["UPDATE"]
            assert sum("INSERT INTO search_outbox" in s for s in statements) == 1

            statements.clear()
            previous = [dict(p.source_values) for p in programmes]
            with session.no_autoflush:
                for record in records:
                    assert upsert_source_record(session, {**record, "summary": "Changé à la source."}) == "updated"
                note_source_changes(session, list(zip(programmes, previous)))
            session.flush()
            assert sum("FROM programme_reviews" in s for s in statements) == 1
            session.commit()
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    with database.session() as session:
        assert all(session.get(ProgrammeReview, programme_id).changed_at is not None for programme_id in ids)


def test_publish_all_of_a_filter_leaves_closed_ones_aside(curator_client, make_programme, store):
    open_ids = [make_programme(state="pending", source="region-test", title=f"Ouvert {n}") for n in range(3)]
    closed = make_programme(state="pending", source="region-test", title="Déjà clos", deadlines=["2020-01-01"])
    other = make_programme(state="pending", source="autre", title="Autre source")
    page = curator_client.get("/admin/?source=region-test").get_data(as_text=True)
    assert "Clos</span>" in page and "1 sur cette page" in page
    response = post_form(curator_client, "/admin/revue", {"action": "publish", "all_matching": "1", "type": "tous",
                                                          "source": "region-test", "next": "/admin/"})
    assert response.status_code == 302
    store.expire_all()
    assert [store.get(Programme, pid).state for pid in open_ids] == ["published"] * 3
    assert store.get(Programme, closed).state == "pending" and store.get(Programme, other).state == "pending"
    message = curator_client.get("/admin/").get_data(as_text=True)
    assert "3 programmes publiés." in message and "1 programme clos laissé de côté" in message
    post_form(curator_client, "/admin/revue", {"action": "publish", "all_matching": "1", "source": "region-test",
                                               "include_closed": "1"})
    store.expire_all()
    assert store.get(Programme, closed).state == "published"


def test_held_source_changes_decided_in_bulk_and_bad_decisions_answered_in_french(app, curator_client,
                                                                                  make_programme, store):
    applied = make_programme(title="Aide aux haltes fluviales", summary="Avant.")
    kept = make_programme(title="Aide aux ports de plaisance", summary="Avant.")
    for programme_id in (applied, kept):
        rescrape(app, programme_id, summary="Après.", application_url="https://depot.example.fr/nouveau")
    store.expire_all()
    # The address followed the source at once; the summary waits.
    assert store.get(Programme, applied).application_url == "https://depot.example.fr/nouveau"
    assert store.get(Programme, applied).summary == "Avant."
    version = store.get(Programme, applied).version
    wrong = post_form(curator_client, f"/admin/programmes/{applied}/changement-source?field=title"
                                      f"&decision=appliquer&version={version}", {})
    assert "n’a pas (ou plus) de changement de la source en attente" in curator_client.get(
        wrong.headers["Location"]).get_data(as_text=True)
    post_form(curator_client, f"/admin/programmes/{applied}/changement-source?field=summary&decision=peut-etre"
                              f"&version={version}", {})
    store.expire_all()
    assert store.get(Programme, applied).summary == "Avant."

    post_form(curator_client, "/admin/revue", {"action": "apply_source", "ids": [applied], "next": "/admin/"})
    post_form(curator_client, "/admin/revue", {"action": "keep_published", "ids": [kept], "next": "/admin/"})
    store.expire_all()
    assert store.get(Programme, applied).summary == "Après."
    assert store.get(Programme, kept).summary == "Avant." and "summary" in store.get(Programme, kept).curated_fields
    page = curator_client.get("/admin/").get_data(as_text=True)
    assert "haltes fluviales" not in page and "ports de plaisance" not in page
    # Refused once, the source's value is still offered beside the field, never applied.
    rescrape(app, kept, summary="Après, encore.")
    store.expire_all()
    assert store.get(Programme, kept).summary == "Avant."
    assert "Nouvelle valeur de la source :</strong> Après, encore." in curator_client.get(
        f"/admin/programmes/{kept}").get_data(as_text=True)


def test_the_queue_shows_each_sources_verification(curator_client, make_programme):
    make_programme(state="pending", source="grand-est", title="Aide régionale non vérifiée")
    make_programme(state="pending", source="aides-territoires", title="Aide vérifiée sur réponses")
    make_programme(state="pending", source="source-inconnue", title="Aide d’une source disparue")
    page = curator_client.get("/admin/").get_data(as_text=True)
    items = {title: page.split(title)[1].split("guichet-queue-item")[0]
             for title in ("Aide régionale non vérifiée", "Aide vérifiée sur réponses", "Aide d’une source disparue")}
    assert 'fr-badge--warning guichet-verification">format non vérifié' in items["Aide régionale non vérifiée"]
    assert "format vérifié sur des réponses réelles" in items["Aide vérifiée sur réponses"]
    assert "guichet-verification" not in items["Aide d’une source disparue"]
