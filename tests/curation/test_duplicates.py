"""Duplicates across sources: candidates for curators, automatic merge only on identical pages."""

import pytest
from sqlalchemy import select

from guichet.curation import duplicates as services
from guichet.curation import pairs
from guichet.curation.models import DuplicateCandidate
from guichet.programmes.models import Programme

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


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


def test_funders_are_compared_by_family():
    key = services.funder_key
    assert key("Ministère de la Transition écologique") == key("État") == key("Préfecture de la Drôme") == "etat"
    assert key("Conseil régional d'Occitanie") == key("Région Occitanie") == "region occitanie"
    assert key("Agence nationale de la cohésion des territoires (ANCT)") == key("ANCT") == "anct"
    assert key("Commission européenne") == key("Union européenne")
    assert key("Département de la Drôme") == key("Conseil départemental de la Drôme")
    assert key("Banque des Territoires") != key("État")


def test_a_national_programmes_local_edition_is_linked_not_a_duplicate(app, make_programme, db_session):
    national = make_programme(source="curated", title="Dotation d'équipement des territoires ruraux (DETR)",
                              funders=["État"], level="national")
    drome = make_programme(source="aides-territoires", title="Dotation d'équipement des territoires ruraux (DETR) 2027 — Drôme",
                           funders=["Préfecture de la Drôme"], level="departmental", departments=["26"])
    [candidate] = services.find_candidates(db_session, [drome])
    db_session.commit()
    assert (candidate.reason, candidate.status, candidate.kept_id) == ("local_edition", "linked", national)
    assert candidate.reason_label == "Édition locale d’un programme national"
    assert {_programme(db_session, pid).state for pid in (national, drome)} == {"published"}


def test_a_measure_of_a_programme_is_a_volet(app, make_programme, db_session):
    programme = make_programme(source="curated", title="Petites villes de demain", funders=["ANCT", "Banque des Territoires"])
    measure = make_programme(source="aides-territoires", title="Petites villes de demain : financement d'un chef de projet",
                             funders=["Agence nationale de la cohésion des territoires (ANCT)"])
    [candidate] = services.find_candidates(db_session, [measure])
    assert (candidate.reason, candidate.status) == ("volet", "pending")
    assert {candidate.programme_a_id, candidate.programme_b_id} == {programme, measure}


def test_the_same_call_relayed_by_another_funder_is_proposed(app, make_programme, db_session):
    state = make_programme(source="curated", title="Fonds vert — Recyclage foncier des friches (ex-Fonds friches)",
                           funders=["État"])
    relay = make_programme(source="banque-des-territoires", title="Appel à projets Recyclage foncier des friches 2027",
                           funders=["Banque des Territoires"])
    [candidate] = services.find_candidates(db_session, [relay])
    assert candidate.reason == "similar_title_other_funder"
    assert {candidate.programme_a_id, candidate.programme_b_id} == {state, relay}


def test_programmes_of_other_territories_or_other_parts_are_not_duplicates(app, make_programme, db_session):
    # The same aid in two overseas regions: two programmes, one per territory.
    martinique = make_programme(source="aides-territoires", title="Favoriser la rénovation thermique des logements sociaux",
                                funders=["Ministère des Outre-mer"], level="regional", regions=["02"])
    guyane = make_programme(source="aides-territoires", title="Favoriser la rénovation thermique des logements sociaux",
                            funders=["Ministère des Outre-mer"], level="regional", regions=["03"])
    # The studies and the works of one funder's aid: two aids.
    studies = make_programme(source="aides-territoires", title="Financer les études pour développer des réseaux de chaleur",
                             funders=["Région Bourgogne-Franche-Comté"], level="regional", regions=["27"])
    works = make_programme(source="aides-territoires", title="Financer les investissements pour développer des réseaux de chaleur",
                           funders=["Région Bourgogne-Franche-Comté"], level="regional", regions=["27"])
    # A regional aid and a national one with words in common, different funders.
    regional = make_programme(source="ile-de-france", title="Équipements sportifs de proximité", funders=["Région Île-de-France"],
                              level="regional", regions=["11"])
    national = make_programme(source="curated", title="Plan 5 000 équipements sportifs de proximité — Génération 2024",
                              funders=["Agence nationale du sport"])
    # Local programmes whose territory the source gave no code for cannot be told apart.
    gal_a = make_programme(source="aides-territoires", title="Soutenir le développement rural - programme LEADER",
                           funders=["Commission européenne"], level="local")
    gal_b = make_programme(source="aides-territoires", title="Soutenir le développement rural - Programme LEADER",
                           funders=["Commission européenne"], level="local")
    ids = [martinique, guyane, studies, works, regional, national, gal_a, gal_b]
    assert services.find_candidates(db_session, ids) == []


def test_one_source_entering_an_aid_twice_is_proposed(app, make_programme, db_session):
    first = make_programme(source="aides-territoires", title="Développer des chaufferies biomasse et des réseaux de chaleur",
                           funders=["Conseil régional d'Occitanie"], level="regional", regions=["76"])
    second = make_programme(source="aides-territoires", title="Développer des chaufferies biomasse et réseaux de chaleur",
                            funders=["Conseil régional d'Occitanie"], level="regional", regions=["76"])
    [candidate] = services.find_candidates(db_session, [second])
    assert candidate.reason == "similar_title" and {candidate.programme_a_id, candidate.programme_b_id} == {first, second}


def test_within_one_source_a_shared_page_is_a_portal(app, make_programme, db_session):
    ids = [make_programme(source="curated", title=title, funders=["État"], source_url="https://www.ecologie.gouv.fr/fonds-vert")
           for title in ("Fonds vert — Renaturation des villes", "Fonds vert — Rénovation de l'éclairage public")]
    assert services.find_candidates(db_session, ids) == []
    assert {_programme(db_session, pid).state for pid in ids} == {"published"}


def test_successive_editions_are_not_duplicates(app, make_programme, db_session):
    first = make_programme(source="ademe-agir", title="Territoires zéro déchet", funders=["ADEME"],
                           opens_on="2025-01-01", deadlines=["2025-06-30"])
    second = make_programme(source="aides-territoires", title="Territoires zéro déchet", funders=["ADEME"],
                            opens_on="2026-01-01", deadlines=["2026-06-30"])
    assert services.find_candidates(db_session, [first, second]) == []
