"""Duplicates side by side, merging (301 from the merged programme, provenance kept), dismissing."""

import pytest
from sqlalchemy import select

from guichet.curation.models import AuditEntry
from guichet.curation.models import DuplicateCandidate
from guichet.programmes.models import Programme
from tests.admin.conftest import post_form

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def candidate(store, first, second, reason="similar_title", score=0.93):
    low, high = sorted((first, second))
    store.add(DuplicateCandidate(programme_a_id=low, programme_b_id=high, reason=reason, score=score, status="pending"))
    store.commit()


def test_candidates_are_listed_and_compared_side_by_side(curator_client, make_programme, store):
    first = make_programme(title="Fonds friches", source="aides-territoires", rate_max=40.0)
    second = make_programme(title="Fonds pour le recyclage des friches", source="ademe-agir", rate_max=50.0)
    candidate(store, first, second)
    page = curator_client.get("/admin/doublons").get_data(as_text=True)
    assert "Fonds friches" in page and "Fonds pour le recyclage des friches" in page
    assert "Titre très proche, même financeur (93 %)" in page

    page = curator_client.get(f"/admin/doublons/comparer?a={first}&b={second}").get_data(as_text=True)
    assert page.count('class="guichet-different"') >= 2  # title, rate
    assert "aides-territoires" in page and "ademe-agir" in page
    assert "Garder « Fonds friches » (aides-territoires) et fusionner l’autre" in page

    response = curator_client.get(f"/admin/doublons/comparer?a={first}&b=inconnu")
    assert response.status_code == 404 and "inconnu" in response.get_data(as_text=True)


def test_merging_keeps_one_redirects_the_other_and_keeps_its_provenance(app, curator_client, make_programme, store):
    keep = make_programme(title="Fonds friches", source="aides-territoires")
    drop = make_programme(title="Fonds friches (ADEME)", source="ademe-agir",
                          source_url="https://agirpourlatransition.ademe.fr/friches")
    older = make_programme(title="Ancien doublon", state="merged")
    with app.extensions["guichet.db"].session() as session:
        session.get(Programme, older).merged_into = drop
        session.commit()
    candidate(store, keep, drop)

    response = post_form(curator_client, "/admin/doublons/fusionner", {"keep": keep, "drop": drop})
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/programmes/{keep}"
    store.expire_all()
    merged = store.get(Programme, drop)
    assert merged.state == "merged" and merged.merged_into == keep
    assert merged.source == "ademe-agir" and merged.source_url == "https://agirpourlatransition.ademe.fr/friches"
    assert store.get(Programme, older).merged_into == keep  # one redirect, not two

    public = app.test_client()
    response = public.get(f"/programmes/{drop}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/programmes/{keep}")
    assert public.get(f"/programmes/{keep}").status_code == 200

    pair = store.scalar(select(DuplicateCandidate))
    assert pair.status == "merged" and pair.kept_id == keep and pair.decided_by == "curatrice@anct.test"
    entries = store.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).all()
    assert {entry.programme_id for entry in entries} == {keep, drop}
    assert entries[0].details["merged"]["source_url"] == "https://agirpourlatransition.ademe.fr/friches"

    page = curator_client.get(f"/admin/programmes/{keep}").get_data(as_text=True)
    assert "Doublons fusionnés dans ce programme" in page and "Fonds friches (ADEME)" in page
    assert "Aucune paire en attente." in curator_client.get("/admin/doublons").get_data(as_text=True)

    # A merged programme cannot be merged again.
    response = post_form(curator_client, "/admin/doublons/fusionner", {"keep": keep, "drop": drop})
    page = curator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "a déjà été fusionné avec un autre programme" in page


def test_merging_a_published_programme_into_a_pending_one_publishes_the_kept_one(curator_client, make_programme,
                                                                                 store):
    keep = make_programme(state="pending", title="Version complète")
    drop = make_programme(title="Version publiée")
    post_form(curator_client, "/admin/doublons/fusionner", {"keep": keep, "drop": drop})
    store.expire_all()
    assert store.get(Programme, keep).state == "published"


def test_dismissing_a_pair(curator_client, make_programme, store):
    first, second = make_programme(title="Aide A"), make_programme(title="Aide B")
    candidate(store, first, second)
    response = post_form(curator_client, "/admin/doublons/ecarter", {"a": second, "b": first})
    assert response.status_code == 302
    store.expire_all()
    assert store.scalar(select(DuplicateCandidate)).status == "dismissed"
    assert {store.get(Programme, pid).state for pid in (first, second)} == {"published"}
    assert "Aucune paire en attente." in curator_client.get("/admin/doublons").get_data(as_text=True)


def test_the_curator_picks_each_field_and_can_undo_the_merge(app, curator_client, make_programme, store):
    from guichet.curation.models import AuditEntry, DuplicateCandidate
    from guichet.curation.duplicates import find_candidates

    keep = make_programme(title="Fonds vert — Recyclage foncier des friches", source="curated", rate_max=50.0,
                          deadlines=["2099-03-31"])
    drop = make_programme(title="Recyclage foncier des friches — édition 2027", source="aides-territoires",
                          rate_max=60.0, deadlines=["2099-05-15"])
    find_candidates(store, [drop])
    store.commit()
    page = curator_client.get(f"/admin/doublons/comparer?a={keep}&b={drop}").get_data(as_text=True)
    assert 'name="field-rate_max"' in page and 'name="field-deadlines"' in page
    response = post_form(curator_client, "/admin/doublons/fusionner",
                         {"a": keep, "b": drop, "keep": keep, "field-deadlines": "second", "field-rate_max": "kept"})
    assert response.status_code == 302
    store.expire_all()
    kept = store.get(Programme, keep)
    assert kept.deadlines == ["2099-05-15"] and kept.rate_max == 50.0 and "deadlines" in kept.curated_fields
    assert store.get(Programme, drop).state == "merged"
    assert curator_client.get(f"/programmes/{drop}").status_code == 301

    entry = store.scalar(select(AuditEntry).where(AuditEntry.action == "merge", AuditEntry.programme_id == drop))
    journal = curator_client.get("/admin/journal").get_data(as_text=True)
    assert f"/admin/journal/{entry.id}/annuler" in journal and "Annuler cette fusion" in journal
    response = post_form(curator_client, f"/admin/journal/{entry.id}/annuler", {}, page="/admin/journal")
    assert response.status_code == 302
    store.expire_all()
    restored = store.get(Programme, drop)
    assert restored.state == "published" and restored.merged_into is None
    assert store.get(Programme, keep).deadlines == ["2099-03-31"]
    assert curator_client.get(f"/programmes/{drop}").status_code == 200  # the redirect went with it
    pair = store.scalar(select(DuplicateCandidate))
    assert pair.status == "pending"
    assert store.scalar(select(AuditEntry).where(AuditEntry.action == "unmerge", AuditEntry.programme_id == keep))
    # Undoing twice is refused in French.
    again = post_form(curator_client, f"/admin/journal/{entry.id}/annuler", {}, page="/admin/journal")
    assert "déjà été annulée" in curator_client.get(again.headers["Location"]).get_data(as_text=True)


def test_compare_finds_programmes_by_their_title(curator_client, make_programme):
    first = make_programme(title="Micro-Folie — musée numérique", source="curated")
    second = make_programme(title="Appel à projets Micro-Folies 2027", source="culture")
    make_programme(title="Micro-Folie mobile", source="culture")
    page = curator_client.get("/admin/doublons/comparer?a=musée numérique&b=Micro-Folies 2027")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Garder « Micro-Folie — musée numérique »" in text and second in text
    several = curator_client.get("/admin/doublons/comparer?a=micro-folie&b=Micro-Folies 2027").get_data(as_text=True)
    assert "Plusieurs programmes correspondent" in several and f"a={first}" in several
    assert "ou le titre « rien de tel »" in curator_client.get(
        "/admin/doublons/comparer?a=rien de tel&b=Micro-Folies").get_data(as_text=True)
