"""Duplicates across sources: candidates for curators, automatic merge only on identical pages."""

from sqlalchemy import select

from guichet.curation import duplicates as services
from guichet.curation import pairs
from guichet.curation.models import DuplicateCandidate
from guichet.programmes.models import Programme


def _programme(session, programme_id):
    session.expire_all()
    return session.get(Programme, programme_id)


def test_urls_are_compared_on_what_identifies_the_page():
    normalise = services.normalise_url
    assert normalise("https://www.GrandEst.fr/aides/climaxion/") == normalise("http://grandest.fr/aides/climaxion")
    assert normalise("https://site.fr/aide?b=2&a=1&utm_source=lettre") == normalise("https://site.fr/aide?a=1&b=2")
    assert normalise("https://site.fr/aide#contact") == normalise("https://site.fr/aide")
    # A single-page application routes with the fragment: two different pages.
    assert (normalise("https://aides.grandest.fr/aides/#/crge/connecte/F_A/depot")
            != normalise("https://aides.grandest.fr/aides/#/crge/connecte/F_B/depot"))
    assert normalise("") is None and normalise("/relative/only") is None


def test_titles_are_compared_without_accents_small_words_nor_genre():
    assert services.title_similarity("Appel à projets « Cœur de village »", "Coeur de village") == 1.0
    assert services.title_similarity("Fonds de soutien aux tiers-lieux", "Fonds de soutien aux tiers lieux 2027") > 0.86
    assert services.title_similarity("Soutien aux équipements sportifs", "Soutien à l'équipement sportif") == 1.0
    assert services.title_similarity("Soutien aux équipements sportifs", "Restauration des cours d'eau") < 0.5


def test_identical_source_pages_are_merged_automatically(app, make_programme, db_session):
    kept = make_programme(source="departement-drome", title="Soutien aux bibliothèques",
                          source_url="https://collectivites.ladrome.fr/service/soutien-aux-bibliotheques/",
                          state="published")
    dropped = make_programme(source="aides-territoires", title="Soutien aux bibliothèques et médiathèques",
                             source_url="https://www.collectivites.ladrome.fr/service/soutien-aux-bibliotheques",
                             state="pending")

    created = services.find_candidates(db_session, [dropped])
    db_session.commit()

    assert [(c.reason, c.status, c.kept_id, c.decided_by) for c in created] == [
        ("same_source_url", "merged", kept, services.AUTOMATIC)]
    assert _programme(db_session, dropped).state == "merged"
    assert _programme(db_session, dropped).merged_into == kept
    assert _programme(db_session, kept).state == "published"


def test_the_published_programme_is_the_one_kept(app, make_programme, db_session):
    pending = make_programme(source="grand-est", source_url="https://www.grandest.fr/aides/climaxion/", state="pending")
    published = make_programme(source="aides-territoires", source_url="https://www.grandest.fr/aides/climaxion/",
                               state="published")
    services.find_candidates(db_session, [published, pending])
    db_session.commit()
    assert _programme(db_session, pending).merged_into == published
    assert _programme(db_session, published).state == "published"


def test_same_application_address_is_a_candidate_not_a_merge(app, make_programme, db_session):
    first = make_programme(source="departement-drome", title="Eau potable 2027",
                           application_url="https://www.demarches-simplifiees.fr/commencer/cd26-eau-potable-2027")
    second = make_programme(source="aides-territoires", title="Sécuriser la ressource en eau (Drôme)",
                            funders=["Département de la Drôme"],
                            application_url="https://demarches-simplifiees.fr/commencer/cd26-eau-potable-2027/")
    created = services.find_candidates(db_session, [second])
    db_session.commit()
    assert [(c.programme_a_id, c.programme_b_id, c.reason, c.status) for c in created] == [
        (min(first, second), max(first, second), "same_application_url", "pending")]
    assert _programme(db_session, first).state == "published"
    assert _programme(db_session, second).state == "published"


def test_a_shared_portal_or_home_page_is_no_evidence(app, make_programme, db_session):
    portal = "https://aides.grandest.fr/portail"
    ids = [make_programme(source=f"source-{n}", title=f"Programme sans rapport {n} {word}", application_url=portal)
           for n, word in enumerate(("voirie", "culture", "eau"))]
    home = [make_programme(source=f"other-{n}", title=f"Autre {word}", application_url="https://www.google.fr")
            for n, word in enumerate(("sport", "école"))]
    assert services.find_candidates(db_session, ids + home) == []


def test_similar_title_with_the_same_funder_is_a_candidate(app, make_programme, db_session):
    region = make_programme(source="occitanie", title="Appel à projets « Cœur de village »",
                            funders=["Région Occitanie"])
    aggregator = make_programme(source="aides-territoires", title="Cœur de village",
                                funders=["Région Occitanie", "État"])
    other_funder = make_programme(source="departement-manche", title="Cœur de village", funders=["Département de la Manche"])
    same_source = make_programme(source="occitanie", title="Cœur de village 2027", funders=["Région Occitanie"])

    created = services.find_candidates(db_session, [aggregator, other_funder, same_source])
    db_session.commit()

    pairs = {(c.programme_a_id, c.programme_b_id): c for c in created}
    assert set(pairs) == {tuple(sorted((region, aggregator))), tuple(sorted((aggregator, same_source)))}
    assert all(c.reason == "similar_title" and c.status == "pending" and c.score >= 0.86 for c in created)
    assert {_programme(db_session, pid).state for pid in (region, aggregator, other_funder, same_source)} == {"published"}


def test_known_pairs_are_not_proposed_again(app, make_programme, db_session):
    first = make_programme(source="occitanie", title="Équipements culturels de proximité", funders=["Région Occitanie"])
    second = make_programme(source="aides-territoires", title="Equipements culturels de proximité",
                            funders=["Région Occitanie"])
    [candidate] = services.find_candidates(db_session, [second])
    db_session.commit()
    pairs.dismiss(db_session, candidate.id, "curatrice@anct.gouv.fr")
    db_session.commit()

    assert services.find_candidates(db_session, [first, second]) == []
    assert pairs.candidates(db_session) == []
    [dismissed] = pairs.candidates(db_session, status="dismissed")
    assert dismissed.decided_by == "curatrice@anct.gouv.fr" and dismissed.decided_at is not None
    pairs.reopen(db_session, dismissed.id)
    assert [c.id for c in pairs.candidates(db_session, programme_id=first)] == [dismissed.id]


def test_a_curators_merge_settles_the_pair(app, make_programme, db_session):
    first = make_programme(source="grand-est", title="Fonds tiers-lieux", funders=["Région Grand Est"])
    second = make_programme(source="aides-territoires", title="Fonds tiers lieux", funders=["Région Grand Est"])
    lonely = make_programme(source="bpifrance", title="Sans rapport")
    services.find_candidates(db_session, [second])
    pairs.mark_merged(db_session, first, second, "curateur@anct.gouv.fr")
    pairs.mark_merged(db_session, lonely, first, "curateur@anct.gouv.fr")
    db_session.commit()
    rows = {(c.programme_a_id, c.programme_b_id): c for c in db_session.scalars(select(DuplicateCandidate))}
    assert rows[tuple(sorted((first, second)))].status == "merged"
    assert rows[tuple(sorted((first, second)))].kept_id == first
    assert rows[tuple(sorted((lonely, first)))].reason == "manual"


def test_scan_finds_pairs_in_the_whole_store(app, make_programme, db_session):
    make_programme(source="bpifrance", title="IA au service des collectivités et des établissements publics",
                   funders=["Bpifrance"])
    make_programme(source="aides-territoires", title="L'IA au service des collectivités et établissements publics",
                   funders=["Bpifrance"])
    [candidate] = services.scan(db_session)
    assert candidate.reason == "similar_title"
    assert candidate.reason_label == "Titre très proche, même financeur"
