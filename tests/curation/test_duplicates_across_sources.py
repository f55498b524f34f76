"""Duplicates found after a real run: the scraping pipeline calls find_candidates on what it stored."""

from sqlalchemy import select

from guichet.curation.models import DuplicateCandidate
from guichet.programmes.models import Programme
from guichet.sources.services import run_source
from tests.fixtures.replay import replay_server, scraper_app  # noqa: F401 (fixtures)


def _store(app):
    return app.extensions["guichet.db"].session()


def test_a_run_merges_identical_pages_and_proposes_similar_titles(scraper_app, make_programme):
    # Already known from the national catalogue: the same Drôme page, and a Grand Est call under another name.
    same_page = make_programme(source="aides-territoires", title="Voirie des communes rurales (Drôme)",
                               funders=["Département de la Drôme"],
                               source_url="https://collectivites.ladrome.fr/service/aide-aux-communes-rurales-voirie",
                               state="published")
    similar = make_programme(source="aides-territoires", title="Fonds de soutien aux tiers lieux",
                             funders=["Région Grand Est"], source_url="https://aides-territoires.beta.gouv.fr/aides/x1/",
                             state="published")

    assert run_source(scraper_app, "departement-drome").status == "success"
    assert run_source(scraper_app, "grand-est").status == "success"

    with _store(scraper_app) as session:
        candidates = list(session.scalars(select(DuplicateCandidate).order_by(DuplicateCandidate.id)))
        summary = {(c.reason, c.status): {c.programme_a_id, c.programme_b_id} for c in candidates}
        assert summary == {
            ("same_source_url", "merged"): {same_page, "departement-drome-412"},
            ("similar_title", "pending"): {similar, "grand-est-fonds-de-soutien-aux-tiers-lieux-2025"},
        }
        # The published programme stays; the scraped copy of the same page is merged into it.
        scraped = session.get(Programme, "departement-drome-412")
        assert (scraped.state, scraped.merged_into) == ("merged", same_page)
        assert session.get(Programme, same_page).state == "published"
        # A similar title is only proposed: both programmes stay as they were.
        assert session.get(Programme, "grand-est-fonds-de-soutien-aux-tiers-lieux-2025").state == "pending"
        assert session.get(Programme, similar).state == "published"

    # A second run stores nothing new and proposes nothing again.
    run_source(scraper_app, "grand-est")
    with _store(scraper_app) as session:
        assert session.scalar(select(DuplicateCandidate.id).order_by(DuplicateCandidate.id.desc())) == candidates[-1].id
