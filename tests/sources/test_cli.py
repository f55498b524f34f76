"""`guichet scrape` and `guichet sources`."""

import json
import re

import pytest

from tests.fixtures.replay import FIXTURES, RECORDED, SHARED_SOURCES, replay_server, scraper_app, scraper_runner  # noqa: F401

# The real payloads beside the project, one per issue-4 source: (slug, file, records it holds).
SHARED_PAYLOADS = [
    ("eu-funding-tenders", "eu-funding-tenders-search-response.json", 8),  # 9 results, one of them twice
    ("ademe-agir", "aides-territoires-fixture-ademe_agir_data.json", 5),
    ("culture", "aides-territoires-fixture-ministere_de_la_culture_data.json", 3),
    ("ile-de-france", "aides-territoires-fixture-ile_de_france_data.json", 3),
    # Aides-territoires' closest sample: its older field names (a departmental catalogue)
    ("aides-territoires", "aides-territoires-fixture-departement_drome_data.json", 3),
]
RECORD_FIELDS = {"id", "source", "source_id", "source_url", "title", "summary", "description_html", "funders", "level",
                 "regions", "departments", "beneficiaries", "population_min", "population_max", "themes", "aid_types",
                 "is_call_for_projects", "opens_on", "deadlines", "recurrence", "rate_min", "rate_max", "amount_min",
                 "amount_max", "contact", "application_url", "next_deadline", "status", "source_updated_at"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def json_lines(output):
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def check_records(records, slug):
    for record in records:
        assert RECORD_FIELDS <= set(record), RECORD_FIELDS - set(record)
        assert record["source"] == slug and record["id"] == f"{slug}-{record['source_id']}"
        assert record["title"] and record["status"] in ("a_venir", "ouvert", "clos")
        for value in record["deadlines"] + [record["opens_on"], record["next_deadline"]]:
            assert value is None or ISO_DATE.match(value)


@pytest.mark.skipif(not SHARED_SOURCES.is_dir(), reason="the shared reference payloads are not on this machine")
@pytest.mark.parametrize("slug, name, count", SHARED_PAYLOADS)
def test_dry_run_from_file_parses_each_real_payload(runner, slug, name, count):
    result = runner.invoke(args=["scrape", slug, "--from-file", str(SHARED_SOURCES / name), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    records = json_lines(result.stdout)
    assert len(records) == count  # every record, closed ones included
    check_records(records, slug)
    assert "erreur" not in result.stderr


def test_shared_payload_details(runner):
    if not SHARED_SOURCES.is_dir():
        pytest.skip("the shared reference payloads are not on this machine")
    result = runner.invoke(args=["scrape", "eu-funding-tenders", "--from-file",
                                 str(SHARED_SOURCES / "eu-funding-tenders-search-response.json"), "--dry-run", "--json"])
    records = {record["source_id"]: record for record in json_lines(result.stdout)}
    soil = records["HORIZON-MISS-2027-05-SOIL-01-two-stage"]
    assert soil["deadlines"] == ["2027-04-08", "2027-09-14"] and soil["opens_on"] == "2027-02-04"
    # "Open" at the source but past its deadline: the status comes from the dates.
    assert records["HORIZON-CL2-2024-TRANSFORMATIONS-01-08"]["status"] == "clos"
    result = runner.invoke(args=["scrape", "culture", "--from-file",
                                 str(SHARED_SOURCES / "aides-territoires-fixture-ministere_de_la_culture_data.json"),
                                 "--dry-run", "--json"])
    culture = {record["source_id"]: record for record in json_lines(result.stdout)}
    assert culture["315790"]["deadlines"] == ["2022-04-15"]
    assert culture["303980"]["source_url"].startswith("https://www.culture.gouv.fr/")  # "https: //" repaired
    assert culture["315795"]["departments"] == ["976"]


@pytest.mark.parametrize("slug, name", [
    ("eu-funding-tenders", "search-page-1.json"), ("aides-territoires", "aids-page-1.json"),
    ("ademe-agir", "liste-dispositif.json"), ("culture", "online-procedures-page-1.json"),
    ("ile-de-france", "aides.json")])
def test_dry_run_from_file_on_our_recorded_responses(runner, app, slug, name):
    result = runner.invoke(args=["scrape", slug, "--from-file", str(RECORDED / slug / name), "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    records = json_lines(result.stdout)
    check_records(records, slug)
    assert records
    with app.app_context():
        from guichet.db import get_session
        from guichet.programmes.models import Programme

        assert get_session().query(Programme).filter_by(source=slug).count() == 0  # touching nothing


def test_from_file_reports_malformed_records_on_stderr(runner):
    result = runner.invoke(args=["scrape", "culture", "--from-file", str(FIXTURES / "culture" / "malformed.json"),
                                 "--dry-run", "--json"])
    assert result.exit_code == 0
    assert len(json_lines(result.stdout)) == 1
    assert "erreur (parse)" in result.stderr


def test_scrape_every_enabled_source_with_progress_then_list_them(scraper_runner):
    result = scraper_runner.invoke(args=["scrape", "eu-funding-tenders", "aides-territoires", "ademe-agir", "culture",
                                         "ile-de-france"])
    assert result.exit_code == 0, result.output
    assert "Source aides-territoires…" in result.output
    assert "réussie : 6 ajoutés, 0 mis à jour, 0 inchangés, 0 en erreur, 0 clos" in result.output

    listing = scraper_runner.invoke(args=["sources"])
    assert listing.exit_code == 0
    assert "eu-funding-tenders — Portail Funding & Tenders de la Commission européenne · niveau européen" in listing.output
    assert "chaque nuit à 1 h 15" in listing.output and "réussie — 5 ajoutés" in listing.output
    assert "prochaine collecte" in listing.output

    as_json = json_lines(scraper_runner.invoke(args=["sources", "--json"]).output)
    by_slug = {item["slug"]: item for item in as_json}
    assert by_slug["ile-de-france"]["last_run"]["added"] == 4 and by_slug["ile-de-france"]["level"] == "regional"


def test_scrape_without_arguments_runs_the_enabled_sources(scraper_runner, scraper_app):
    from guichet.sources.services import enabled_slugs

    with scraper_app.app_context():
        from guichet.db import get_session

        slugs = enabled_slugs(get_session())
    assert {"eu-funding-tenders", "aides-territoires", "ademe-agir", "culture", "ile-de-france"} <= set(slugs)
    assert "curated" not in slugs


def test_unknown_source_and_bad_options(runner):
    result = runner.invoke(args=["scrape", "nulle-part"])
    assert result.exit_code == 2 and "source inconnue : nulle-part" in result.output
    result = runner.invoke(args=["scrape", "--from-file", str(RECORDED / "culture" / "online-procedures-page-1.json")])
    assert result.exit_code == 2 and "exactement une SOURCE" in result.output


def test_a_failed_source_makes_the_command_fail(scraper_runner, replay_server):
    replay_server.add("GET", "https://www.culture.gouv.fr/api/online-procedures?page=1", status=500)
    result = scraper_runner.invoke(args=["scrape", "culture"])
    assert result.exit_code == 1
    assert "échouée" in result.output and "aucun programme n’a été clos" in result.output


def test_scheduler_has_one_job_per_source_staggered(app):
    from guichet.scheduler import jobs

    scrape_jobs = {job_id: job for job_id, job in jobs(app).items() if job_id.startswith("scrape:")}
    assert {"scrape:eu-funding-tenders", "scrape:aides-territoires", "scrape:ademe-agir", "scrape:culture",
            "scrape:ile-de-france"} <= set(scrape_jobs)
    assert "scrape:curated" not in scrape_jobs
    times = [str(job.trigger) for job in scrape_jobs.values()]
    assert len(set(times)) == len(times)  # no two sources start together


def test_a_saved_body_is_read_as_the_answer_to_the_sources_first_request(tmp_path):
    from guichet.sources.services import saved_response
    from scrapers.registry import get_source

    saved = tmp_path / "list.html"
    saved.write_text("<html></html>", encoding="utf-8")
    grand_est = get_source("grand-est")({})
    response = saved_response(grand_est, saved)
    assert response.url == grand_est.first_request().full_url  # relative links resolve as they would online
    assert response.content == b"<html></html>"
    assert saved_response(get_source("curated")({}), saved).url == saved.resolve().as_uri()  # a local source
