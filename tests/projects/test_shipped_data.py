"""The lists the service ships, against the full commune reference: every row is read and
linked (codes without their leading zero, old codes of merged communes, EPCI, départements)."""

import pytest

from guichet.projects.cli import SHIPPED
from guichet.projects.importer import parse_file
from tests.communes.conftest import full_reference_store, with_full_reference  # noqa: F401  (fixture)


@pytest.fixture
def app_config(app_config, full_reference_store, tmp_path):
    return with_full_reference(app_config, full_reference_store, tmp_path)


def test_the_shipped_lists_are_read_whole(db_session):
    parsed = {}
    for kind, path in SHIPPED:
        report, projects = parse_file(db_session, kind, path.read_bytes(), 2023 if kind == "fonds-vert" else 2019)
        assert report.problems == [], report.problems[:5]
        parsed[kind] = projects
    fonds_vert, dotations = parsed["fonds-vert"], parsed["dotations"]
    assert (len(fonds_vert), len(dotations)) == (10_782, 24_811)
    # Projects with neither commune nor EPCI are the syndicates' and the départements' ones.
    assert sum(1 for project in fonds_vert if project["commune_code"]) > 9_900  # 827 rows say NULL
    assert sum(1 for project in dotations if project["level"] == "epci") == 2_440
    assert sum(1 for project in dotations if project["level"] == "departement") == 357  # 349 DSID + 8 DSIL
    grants = {project["programme_key"] for project in dotations}
    assert grants == {"curated-detr", "curated-dsil", "dsid"}
    curated = {project["programme_id"] for project in fonds_vert if project["programme_id"]}
    assert curated == {"curated-fonds-vert-eclairage-public", "curated-fonds-vert-renovation-batiments",
                       "curated-fonds-vert-renaturation", "curated-fonds-vert-recyclage-friches",
                       "curated-fonds-vert-biodiversite"}
    ambérieu = next(project for project in fonds_vert if project["source_code"] == "1004")
    assert ambérieu["commune_code"] == "01004" and ambérieu["region"] == "84"
