"""guichet.curation.catalogue: the store as curators browse it, and two programmes side by side."""

from guichet.curation import catalogue
from guichet.curation.diff import FIELD_LABELS
from guichet.programmes.records import CONTENT_FIELDS
from guichet.programmes.models import Programme


def test_programmes_are_found_by_title_or_id_state_and_source(db_session, make_programme):
    velo = make_programme(id="velo-1", title="Plan vélo des communes", source="ademe-agir")
    make_programme(id="ecoles-1", title="Rénovation des écoles", source="ademe-agir", state="pending")
    make_programme(id="velo-2", title="Autre plan vélo", source="culture", state="rejected")

    assert [p.id for p in catalogue.programmes_page(db_session, text="VÉLO des").items] == [velo]
    assert {p.id for p in catalogue.programmes_page(db_session, text="velo-").items} == {"velo-1", "velo-2"}
    assert [p.id for p in catalogue.programmes_page(db_session, state="pending").items] == ["ecoles-1"]
    assert {p.id for p in catalogue.programmes_page(db_session, source="ademe-agir").items} == {"velo-1", "ecoles-1"}
    page = catalogue.programmes_page(db_session, per_page=2)
    assert (page.total, len(page.items)) == (3, 2)
    assert catalogue.programme_sources(db_session) == ["ademe-agir", "culture"]


def test_two_programmes_compared_field_by_field(db_session, make_programme):
    first = db_session.get(Programme, make_programme(title="Fonds friches", rate_max=40.0))
    second = db_session.get(Programme, make_programme(title="Fonds friches", rate_max=50.0))

    rows = {row.label: row for row in catalogue.compare(first, second)}

    assert rows["Titre"] == ("title", "Titre", "Fonds friches", "Fonds friches", False)
    rate = rows["Taux maximal (%)"]
    assert rate.differs and rate.first != rate.second
    assert [row.label for row in catalogue.compare(first, second)] == [FIELD_LABELS[name] for name in CONTENT_FIELDS]
