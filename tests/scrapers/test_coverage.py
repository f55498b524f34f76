"""scrapers/coverage.py and the « Sources et couverture » page: each source says honestly how its
format was verified and which regions it covers."""

from scrapers.coverage import VERIFICATIONS, source_coverage, verification_text
from scrapers.registry import all_sources


def test_every_source_declares_how_its_format_was_verified():
    for slug, source_class in all_sources().items():
        assert source_class.verified in VERIFICATIONS, slug
        if source_class.verified in ("responses", "importer"):
            assert source_class.verified_on and source_class.verified_by, slug
        if source_class.level == "regional":
            assert source_class.regions, f"{slug} is regional but names no region"


def test_verification_texts_are_french():
    sources = all_sources()
    assert verification_text(sources["aides-territoires"]) == "vérifié sur des réponses réelles (1er décembre 2026)"
    assert verification_text(sources["ademe-agir"]).startswith("d’après le code public d’un importeur (")
    assert verification_text(sources["banque-des-territoires"]) == "non vérifié"


def test_regions_without_a_regional_source_are_listed():
    coverage = source_coverage(all_sources())
    assert "Bretagne" in coverage["uncovered_regions"]
    assert "Île-de-France" not in coverage["uncovered_regions"]
    # a département's catalogue does not make its region covered
    assert "Normandie" in coverage["uncovered_regions"]


def test_the_public_sources_page(client):
    response = client.get("/sources")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Sources et couverture</h1>" in page
    assert "vérifié sur des réponses réelles (1er décembre 2026)" in page
    assert "non vérifié" in page and "Bretagne" in page
    assert 'href="/sources"' in client.get("/a-propos").get_data(as_text=True)  # the footer links to it
