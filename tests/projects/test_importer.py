"""Importing the State's lists: linking, malformed rows with their line numbers, idempotence."""

import pytest
from sqlalchemy import func, select

from guichet.projects.importer import ImportRefused, parse_amount, RowError
from guichet.projects.models import FundedProject, ProjectImport
from tests.projects.conftest import DOTATIONS, FONDS_VERT, import_fixture


def projects_by(app, **where):
    with app.extensions["guichet.db"].session() as session:
        query = select(FundedProject)
        for name, value in where.items():
            query = query.where(getattr(FundedProject, name) == value)
        return session.scalars(query.order_by(FundedProject.source_line)).all()


def test_fonds_vert_rows_are_linked_and_malformed_ones_reported_by_line(communes, curated):
    report = import_fixture(communes, "fonds-vert", FONDS_VERT)

    assert (report.rows, report.added, report.errors) == (11, 7, 4)
    problems = {problem.line: problem.message for problem in report.problems}
    assert "commune inconnue" in problems[6] and "99999" in problems[6]
    assert "non communiqué" in problems[7] and "n.c." in problems[7]
    assert problems[8] == "doublon de la ligne 2"
    assert "séparateur" in problems[9]
    assert set(problems) == {6, 7, 8, 9}

    nevers = projects_by(communes, commune_code="58194")
    assert [(project.amount, project.programme_id, project.year) for project in nevers] == [
        (21667.0, "curated-fonds-vert-eclairage-public", 2023)]
    assert nevers[0].programme_label == "Fonds vert — Rénovation de l'éclairage public"
    # « 1262 » lost its leading zero; « 1340 » (Saint-Bois) is now part of Arboys en Bugey.
    assert projects_by(communes, source_code="1262")[0].commune_code == "01262"
    assert projects_by(communes, source_code="1340")[0].commune_code == "01015"
    # No commune, but the SIREN of an EPCI: the project belongs to the CA de Nevers.
    papi = projects_by(communes, epci_code="245804406")
    assert len(papi) == 1 and papi[0].commune_code is None and papi[0].level == "epci"
    assert papi[0].department == "58" and papi[0].programme_id is None
    assert papi[0].programme_key.startswith("fonds-vert-renforcement")
    covoiturage = projects_by(communes, commune_code="72328")[0]
    assert covoiturage.programme_label == "Fonds vert — Développement du covoiturage"


def test_dotations_rows_are_linked_to_communes_epci_and_departments(communes, curated):
    report = import_fixture(communes, "dotations", DOTATIONS)

    assert (report.rows, report.added, report.errors) == (11, 8, 3)
    problems = {problem.line: problem.message for problem in report.problems}
    assert "58999" in problems[9] and "commune inconnue" in problems[9]
    assert "montant de la subvention non communiqué" in problems[10]
    assert problems[11] == "doublon de la ligne 2"

    nevers = projects_by(communes, commune_code="58194")[0]
    assert (nevers.programme_id, nevers.amount, nevers.total_cost, nevers.year) == ("curated-dsil", 120000, 400000, 2019)
    assert nevers.cost_share == pytest.approx(0.3)
    assert nevers.category == "Éducation"
    epci = projects_by(communes, epci_code="200067999")[0]
    assert (epci.level, epci.commune_code, epci.department) == ("epci", None, "60")
    dsid = projects_by(communes, measure="DSID")[0]
    assert (dsid.level, dsid.department, dsid.programme_id, dsid.programme_key) == ("departement", "58", None, "dsid")
    allonne = projects_by(communes, commune_code="60009")
    # A French amount in a DGCL file is read; a cost « n.c. » is unknown, not an error.
    assert [(project.amount, project.total_cost) for project in allonne] == [(21667.0, 60000.0), (15000.0, None)]


def test_importing_the_same_file_twice_changes_nothing(communes, curated):
    first = import_fixture(communes, "dotations", DOTATIONS)
    before = [(project.key, project.content_hash, project.amount) for project in projects_by(communes)]
    second = import_fixture(communes, "dotations", DOTATIONS)

    assert (first.added, second.added, second.updated, second.unchanged) == (8, 0, 0, 8)
    assert [(project.key, project.content_hash, project.amount) for project in projects_by(communes)] == before
    with communes.extensions["guichet.db"].session() as session:
        assert session.scalar(select(func.count(ProjectImport.id))) == 1


def test_a_corrected_amount_updates_the_project(communes, curated, tmp_path):
    import_fixture(communes, "dotations", DOTATIONS)
    corrected = tmp_path / "dotations-2019-corrige.csv"
    corrected.write_text(DOTATIONS.read_text(encoding="utf-8").replace("400000,120000", "400000,130000", 1),
                         encoding="utf-8")
    report = import_fixture(communes, "dotations", corrected)

    assert (report.added, report.updated) == (0, 1)
    assert projects_by(communes, commune_code="58194")[0].amount == 130000


def test_a_file_of_the_wrong_kind_is_refused_whole(communes):
    with pytest.raises(ImportRefused, match="ne ressemble pas à une liste « dotations »"):
        import_fixture(communes, "dotations", FONDS_VERT)
    assert projects_by(communes) == []


def test_an_import_without_the_commune_reference_is_refused(app):
    with pytest.raises(ImportRefused, match="référentiel des communes"):
        import_fixture(app, "fonds-vert", FONDS_VERT)


@pytest.mark.parametrize("text, expected", [
    ("21\u00a0667,00 €", 21667.0), ("21 667,00 €", 21667.0), ("21\u202f667,5", 21667.5), ("23352.28", 23352.28),
    ("99977.22933", 99977.23), ("1.026.800,00 €", 1026800.0), ("300000", 300000.0),
])
def test_amounts_in_every_published_spelling(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text, message", [
    ("n.c.", "non communiqué"), ("", "absent"), ("NULL", "non communiqué"), ("environ 3000", "illisible"),
    ("0,00 €", "nul ou négatif"),
])
def test_unreadable_amounts_are_row_errors(text, message):
    with pytest.raises(RowError, match=message):
        parse_amount(text)


def test_the_later_yearly_files_of_data_gouv(communes, curated):
    """The DGCL's own yearly lists and the Fonds vert files from 2024 on have other columns."""
    from tests.projects.conftest import FIXTURES

    dgcl = import_fixture(communes, "dotations", FIXTURES / "projects" /
                          "dgcl-liste-projets-dotations-investissement-local-2024-test.csv")
    assert (dgcl.year, dgcl.rows, dgcl.added, dgcl.errors) == (2024, 5, 4, 1)
    assert dgcl.problems[0].line == 5 and "non communiqué" in dgcl.problems[0].message
    school, = projects_by(communes, title="Réfection de la toiture de l'école Jean-Macé")
    assert (school.year, school.programme_id, school.commune_code, school.amount, school.total_cost,
            school.level) == (2024, "curated-detr", "58194", 45000.0, 150000.0, "commune")
    greenway, = projects_by(communes, title="Création d'une voie verte intercommunale")
    assert (greenway.level, greenway.epci_code, greenway.commune_code, greenway.amount) == (
        "epci", "245804406", None, 200000.5)
    social, = projects_by(communes, commune_code="60057", year=2024)
    assert social.programme_id == "curated-dotation-politique-de-la-ville"
    canteen, = projects_by(communes, title="Cantine scolaire intercommunale")
    assert (canteen.level, canteen.commune_code, canteen.siren) == ("autre", "58194", "255800000")

    fonds_vert = import_fixture(communes, "fonds-vert", FIXTURES / "projects" / "fonds-vert-2024-test.csv")
    assert (fonds_vert.year, fonds_vert.added, fonds_vert.errors) == (2024, 2, 0)
    courtyards, = projects_by(communes, commune_code="54329")
    assert (courtyards.programme_id, courtyards.siren, courtyards.level, courtyards.amount) == (
        "curated-fonds-vert-renaturation", "215403297", "autre", 64000.0)
    assert courtyards.beneficiary == "COMMUNE DE LUNEVILLE"
    assert courtyards.extra["summary"] == "Désimperméabiliser trois cours d'école"
    lighting, = projects_by(communes, commune_code="18197")
    assert lighting.programme_id == "curated-fonds-vert-eclairage-public"
