"""EU Funding & Tenders: the language the portal states for a topic's text reaches the record."""

from tests.scrapers.regional_support import dry_run_json, fixture_path

SLUG = "eu-funding-tenders"


def test_topics_carry_the_language_the_portal_states(runner):
    records = dry_run_json(runner, SLUG, fixture_path(SLUG, "search-page-1-of-2.json"))
    assert records and {record["language"] for record in records} == {"en"}
