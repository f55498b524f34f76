"""Duplicates side by side, merging (301 from the merged programme, provenance kept), dismissing."""

from sqlalchemy import select

from guichet.curation.models import AuditEntry
from guichet.curation.models import DuplicateCandidate
from guichet.programmes.models import Programme
from tests.admin.conftest import post_form


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
    assert "Garder « Fonds friches » (aides-territoires) et fusionner l'autre" in page

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
