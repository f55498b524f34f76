"""The « Projets financés » search: words with the programmes' French analysis and synonyms,
filters, facets, sorts, CSV export, French 400s."""

import csv
import html as html_module
import io

import pytest


@pytest.fixture
def client(projects):
    return projects.test_client()


def search(client, **params):
    response = client.get("/api/v1/projects", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def titles(body):
    return [result["title"] for result in body["results"]]


def test_every_valid_project_is_searchable(client):
    body = search(client)
    assert body["total"] == 15  # 7 Fonds vert + 8 dotations


def test_words_use_the_programmes_analysis_and_synonyms(client):
    # « LED » finds « éclairage public » (synonyms.txt); « vélo » finds « piste cyclable ».
    led = titles(search(client, q="LED"))
    assert "Rénovation de l'éclairage public du bourg" in led
    assert "Remplacement des luminaires par des LED dans le centre-ville" in led
    velo = titles(search(client, q="vélo"))
    assert "Aménagement d'une piste cyclable le long du canal" in velo
    assert "Création d'un chemin pour les vélos vers le collège" in velo
    # Plurals, accents and elisions.
    assert titles(search(client, q="ecoles")) == titles(search(client, q="l'école"))
    assert "Rénovation de l'école Lucie Aubrac" in titles(search(client, q="ecoles"))


def test_filters_combine_and_facets_count_without_their_own_filter(client):
    body = search(client, programme="curated-fonds-vert-eclairage-public")
    assert body["total"] == 3
    programmes = {value["value"]: value["count"] for value in body["facets"]["programme"]}
    assert programmes["curated-fonds-vert-eclairage-public"] == 3
    assert programmes["curated-dsil"] == 3  # counted as if the programme filter were not there
    years = {value["value"]: value["count"] for value in body["facets"]["year"]}
    assert years == {"2023": 3}

    body = search(client, department="60", year="2019")
    assert {result["commune_name"] or result["epci_name"] for result in body["results"]} == {"Allonne", "CA du Beauvaisis"}
    departments = {value["value"]: value["count"] for value in body["facets"]["department"]}
    assert departments["58"] == 2  # Nevers' DSIL and the Nièvre's DSID, in 2019


def test_town_size_region_commune_and_amount_range(client):
    small = search(client, population="moins-2000")
    assert {result["commune"] for result in small["results"]} == {"60009", "01015"}
    assert search(client, population="1767")["total"] == small["total"]  # a number of inhabitants → its band
    assert {result["region"] for result in search(client, region="27")["results"]} == {"27"}
    # The commune's own projects and those of its EPCI.
    beauvais = search(client, commune="60057")
    assert {result["title"] for result in beauvais["results"]} == {
        "Désimperméabilisation et végétalisation de la cour de l'école Jules-Ferry", "Réseau de chaleur intercommunal"}
    # An old code leads to the current commune (Saint-Bois → Arboys en Bugey).
    assert search(client, commune="01340")["total"] == search(client, commune="01015")["total"] == 1
    ranged = search(client, amount_min="20000", amount_max="130 000")
    assert ranged["results"] and all(20000 <= result["amount"] <= 130000 for result in ranged["results"])
    assert ranged["total"] == 6


def test_sorts(client):
    amounts = [result["amount"] for result in search(client, sort="montant")["results"]]
    assert amounts == sorted(amounts, reverse=True)
    years = [(result["year"], result["amount"]) for result in search(client, sort="annee")["results"]]
    assert years == sorted(years, reverse=True)
    # Relevance: every word is needed; those in the project's own words first (largest first),
    # before projects where a word is only in the measure's name or the place.
    relevant = titles(search(client, q="école rénovation", sort="pertinence"))
    assert relevant == ["Rénovation thermique de l'école élémentaire", "Rénovation de l'école Lucie Aubrac"]
    renovation = titles(search(client, q="rénovation", sort="pertinence"))
    assert renovation[0] == "Rénovation énergétique de la médiathèque"  # in its own words, 200 000 €
    # Only their measure (« Rénovation des parcs de luminaires … ») says it: last.
    assert renovation[-2:] == ["Remplacement des luminaires par des LED dans le centre-ville",
                               "Extinction nocturne et luminaires basse consommation"]
    page_two = search(client, sort="montant", per_page=5, page=2)
    assert [result["amount"] for result in page_two["results"]] == amounts[5:10]


@pytest.mark.parametrize("params, parameter, message", [
    ({"year": "deux-mille"}, "year", "Année invalide"),
    ({"sort": "prix"}, "sort", "Tri inconnu"),
    ({"amount_min": "beaucoup"}, "amount_min", "nombre entier d’euros"),
    ({"amount_min": "5000", "amount_max": "100"}, "amount_min", "dépasse le montant maximal"),
    ({"commune": "99999"}, "commune", "Commune inconnue"),
    ({"commune": "abc"}, "commune", "Code INSEE de commune invalide"),
    ({"programme": "inexistant"}, "programme", "Programme inconnu"),
    ({"population": "grande"}, "population", "tranche proposée"),
    ({"department": "999"}, "department", "Code de département inconnu"),
    ({"q": 'école "rurale"'}, "q", "guillemets"),
    ({"per_page": "1000"}, "per_page", "entre 1 et 100"),
])
def test_bad_parameters_are_french_400s(client, params, parameter, message):
    response = client.get("/api/v1/projects", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and message in error["message"]
    page = client.get("/projets", query_string=params)
    # On the page, what is not an INSEE code is a commune's name (test_a_commune_typed_by_name_on_the_page).
    page_message = "Aucune commune ne correspond" if params.get("commune") == "abc" else message
    assert page.status_code == 400 and page_message in html_module.unescape(page.get_data(as_text=True))


def test_the_page_is_a_shareable_url_with_facets_and_an_export_link(client):
    response = client.get("/projets?q=LED&population=moins-2000&sort=montant")
    html = html_module.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Rénovation de l’éclairage public du bourg" in html
    assert "2 projets financés" in html  # Allonne and Arboys en Bugey (« luminaires »)
    assert 'value="moins-2000" checked' in html
    assert "/projets.csv?q=LED&population=moins-2000&sort=montant" in html


def test_csv_export_has_a_bom_and_french_columns(client):
    response = client.get("/projets.csv?department=58&sort=montant")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Année", "Programme", "Mesure ou dotation", "Catégorie", "Projet"]
    assert "Montant de l’aide (€)" in rows[0] and "Part du coût financée (%)" in rows[0]
    assert len(rows) == 1 + 4
    school = next(row for row in rows if row[4] == "Rénovation de l'école Lucie Aubrac")
    assert school[rows[0].index("Montant de l’aide (€)")] == "120000"
    assert school[rows[0].index("Part du coût financée (%)")] == "30"
    bad = client.get("/projets.csv?year=x")
    assert bad.status_code == 400 and "Année invalide" in bad.get_data(as_text=True)


def test_a_large_export_is_read_in_chunks(client, monkeypatch):
    from guichet.projects import index

    monkeypatch.setattr(index, "ROWS_PER_QUERY", 2)
    rows = list(csv.reader(io.StringIO(client.get("/projets.csv").get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 15 and len({row[4] for row in rows[1:]}) == 15
    bad = client.get("/projets.csv?year=x")
    assert bad.status_code == 400 and "Année invalide" in bad.get_data(as_text=True)


def test_openapi_lists_the_projects_search(client):
    document = client.get("/api/v1/openapi.json").get_json()
    names = {parameter["name"] for parameter in document["paths"]["/projects"]["get"]["parameters"]}
    assert {"q", "programme", "year", "region", "department", "commune", "population", "amount_min", "amount_max",
            "sort"} <= names


def test_bitmap_walks_agree_with_sorting():
    import random

    from guichet.projects.index import rowids_descending
    from guichet.search.bitmaps import bitmap_of

    rng = random.Random(3)
    rowids = sorted(rng.sample(range(1, 40_000), 900))
    bitmap = bitmap_of(rowids)
    assert rowids_descending(bitmap, 0, 20) == rowids[::-1][:20]
    assert rowids_descending(bitmap, 130, 20) == rowids[::-1][130:150]
    assert rowids_descending(bitmap, 890, 20) == rowids[::-1][890:]
    assert rowids_descending(0, 0, 5) == [] and rowids_descending(bitmap, 900, 5) == []


def test_an_index_of_an_older_version_is_emptied_then_rebuilt(projects, tmp_path):
    import sqlite3

    from guichet.projects.index import ProjectIndex, SCHEMA_VERSION, rebuild_index

    old = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(old)
    connection.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                             "INSERT INTO meta VALUES ('schema_version', '0'), ('generation', '4');"
                             "CREATE TABLE projects (rowid INTEGER PRIMARY KEY, id INTEGER, title TEXT);"
                             "INSERT INTO projects VALUES (1, 1, 'ancien');")
    connection.commit()
    connection.close()
    index = ProjectIndex(old)
    assert index.meta("schema_version") == str(SCHEMA_VERSION)
    assert index.snapshot().size == 0
    projects.config["PROJECTS_INDEX_PATH"] = str(old)
    projects.extensions.pop("guichet.projects.index")
    assert rebuild_index(projects) == 15
    assert projects.test_client().get("/api/v1/projects").get_json()["total"] == 15


def test_a_broken_index_file_is_a_503_and_pages_leave_the_section_out(projects, tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"ceci n'est pas une base SQLite" * 200)
    projects.config["PROJECTS_INDEX_PATH"] = str(broken)
    projects.extensions.pop("guichet.projects.index")
    client = projects.test_client()
    response = client.get("/api/v1/projects?q=école")
    assert response.status_code == 503
    assert "momentanément indisponible" in response.get_json()["error"]["message"]
    assert client.get("/projets").status_code == 503
    page = client.get("/communes/58194")
    assert page.status_code == 200 and "Ce que des communes comme la vôtre" not in page.get_data(as_text=True)
    assert client.get("/programmes/curated-detr").status_code == 200


def test_a_commune_typed_by_name_on_the_page(client):
    found = client.get("/projets?commune=Nevers&sort=montant")
    assert found.status_code == 303 and found.headers["Location"].endswith("/projets?commune=58194&sort=montant")
    several = client.get("/projets?commune=Allonne")
    body = html_module.unescape(several.get_data(as_text=True))
    assert several.status_code == 400 and "Plusieurs communes correspondent à « Allonne »" in body
    assert "Allonne (60)" in body and "Allonne (79)" in body
    unknown = client.get("/projets?commune=Zzyzx")
    assert unknown.status_code == 400 and "Aucune commune ne correspond" in html_module.unescape(unknown.get_data(as_text=True))
    # The API takes INSEE codes only.
    assert client.get("/api/v1/projects?commune=Nevers").status_code == 400


def test_the_summary_of_a_project_is_searched_as_its_words(projects):
    from guichet.projects.index import rebuild_index
    from tests.projects.conftest import FIXTURES, import_fixture

    import_fixture(projects, "fonds-vert", FIXTURES / "projects" / "fonds-vert-2024-test.csv")
    rebuild_index(projects)
    client = projects.test_client()
    # Only its summary says « désimperméabiliser » (the other one's title, by the stem).
    assert "Végétalisation des cours d'école" in titles(search(client, q="désimperméabiliser"))
    assert titles(search(client, q="trois cours")) == ["Végétalisation des cours d'école"]


def test_a_formula_in_a_list_is_text_in_the_export(projects, tmp_path):
    from guichet.projects.index import rebuild_index
    from tests.projects.conftest import DOTATIONS, import_fixture

    header = DOTATIONS.read_text(encoding="utf-8").splitlines()[0]
    hostile = tmp_path / "dotations-2019-formule.csv"
    hostile.write_text(header + '\ndi19_com09999,58,58194,Nevers,33279,DETR,commune,5,"=HYPERLINK(""http://x"")",1000,500\n',
                       encoding="utf-8")
    import_fixture(projects, "dotations", hostile)
    rebuild_index(projects)
    data = projects.test_client().get("/projets.csv?commune=58194").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert "'=HYPERLINK(\"http://x\")" in [row[4] for row in rows]
