"""Offline machines: SOURCES_REPLAY_DIR replays scrapers/recorded through the real stack;
the scheduler's job and the per-source lock."""

import sys

import pytest
from sqlalchemy import select

from guichet.programmes.models import Programme
from guichet.programmes.vocabulary import LEVELS
from guichet.sources.models import ScrapeRun
from scrapers.registry import all_sources
from tests.fixtures.replay import RECORDED


@pytest.fixture
def offline_app(app_config, request):
    app_config.update(SOURCES_REPLAY_DIR=str(RECORDED), SCRAPER_DELAY=0, SCRAPER_BACKOFF=0)
    return request.getfixturevalue("app")


def test_the_scheduled_job_replays_recorded_responses_offline(offline_app):
    from guichet.scheduler import jobs

    job = jobs(offline_app)["scrape:ile-de-france"]
    with offline_app.app_context():
        job.func()
    with offline_app.extensions["guichet.db"].session() as session:
        run = session.scalars(select(ScrapeRun).where(ScrapeRun.source == "ile-de-france")).one()
        assert (run.status, run.added) == ("success", 4)
        assert run.details["recorded_response"] is True
        programmes = session.scalars(select(Programme).where(Programme.source == "ile-de-france")).all()
        assert programmes and all(programme.recorded_response for programme in programmes)
        rural = session.get(Programme, "ile-de-france-HkPr7c2Lq")
        assert (rural.population_min, rural.population_max) == (None, 1999)


def test_one_run_of_a_source_at_a_time(offline_app):
    from guichet.sources.services import SourceBusy, run_source, source_lock

    with source_lock(offline_app, "culture"):
        with pytest.raises(SourceBusy):
            run_source(offline_app, "culture")
    assert run_source(offline_app, "culture").status == "success"


def test_every_source_module_describes_itself():
    sources = all_sources()
    assert {"eu-funding-tenders", "aides-territoires", "ademe-agir", "culture", "ile-de-france", "curated"} <= set(sources)
    for slug, source_class in sources.items():
        assert source_class.slug == slug and source_class.name and source_class.level in LEVELS
        assert source_class.__module__.startswith("scrapers.sources.")
        assert sys.modules[source_class.__module__].__doc__  # the module describes its source
