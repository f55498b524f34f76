"""The programme page that answers first (issue 17, point 3): « L'essentiel » on top in the
order funds / for whom / how much / until when / how to apply, one wording per deadline case,
Paris time, the breadcrumb back to the search and commune, and no raw vocabulary value or slug
on the page of any programme the project ships (every recorded response parsed by its real
parser, and the curated data)."""

import json
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from bs4 import BeautifulSoup

from guichet.programmes import vocabulary
from guichet.programmes.conditions import CRITERIA
from guichet.programmes.services import CURATED_DATA, upsert_source_record
from guichet.programmes.themes import all_theme_slugs
from guichet.sources.services import run_source
from guichet.web.programme_page import deadline_wording, paris_time
from scrapers.registry import all_sources
from tests.fixtures.replay import replay_server, replay_settings  # noqa: F401

TODAY = date(2026, 11, 30)


def _programme(deadlines=(), recurrence=None, closed_at=None):
    programme = SimpleNamespace(deadlines=list(deadlines), recurrence=recurrence, closed_at=closed_at)
    programme.deadline_dates = lambda: sorted(date.fromisoformat(value) for value in programme.deadlines)
    return programme


def test_one_wording_per_deadline_case():
    assert deadline_wording(_programme(["2027-03-30"]), TODAY) == "clôture dans 120 jours (30 mars 2027)"
    assert deadline_wording(_programme(["2026-11-30"]), TODAY) == "clôture aujourd’hui (30 novembre 2026)"
    assert deadline_wording(_programme(["2026-12-01"]), TODAY) == "clôture demain (1er décembre 2026)"
    assert deadline_wording(_programme(["2026-06-30"]), TODAY) == "clos depuis le 30 juin 2026"
    assert deadline_wording(_programme([], "permanente"), TODAY) == "permanent"
    assert deadline_wording(_programme([], "ponctuelle"), TODAY) == "date non communiquée par la source"
    assert deadline_wording(_programme([]), TODAY) == "date non communiquée par la source"
    # Closed by its source before its date: closed, not « clôture dans ».
    assert deadline_wording(_programme(["2027-03-30"], closed_at=datetime(2026, 10, 2, 8)), TODAY) \
        == "clos depuis le 2 octobre 2026"


def test_times_are_read_in_paris_time():
    assert paris_time(datetime(2026, 7, 1, 22, 30)) == "2 juillet 2026 à 0 h 30"  # summer: UTC+2
    assert paris_time(datetime(2026, 1, 15, 9, 5)) == "15 janvier 2026 à 10 h 05"  # winter: UTC+1


def test_the_essentials_come_first_in_order_and_the_breadcrumb_leads_back(client, make_programme):
    deadline = (date.today() + timedelta(days=40)).isoformat()
    programme_id = make_programme(title="Fonds d’essai", summary="Résumé.", deadlines=[deadline],
                                  themes=["mobilite"], rate_max=80, application_url="https://depot.example/")
    search = "/?q=essai&theme=mobilite"
    response = client.get(f"/programmes/{programme_id}", headers={"Referer": f"http://guichet.test{search}"})
    html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    article = html.select_one("article.guichet-programme")
    headings = [tag.get_text(strip=True) for tag in article.find_all("h2")]
    assert headings[0] == "L’essentiel" and headings.index("Description") > 0
    assert [tag.get_text(strip=True) for tag in html.select("#essentiel dt")] == [
        "Ce qui est financé", "Pour qui", "Combien", "Jusqu’à quand", "Comment déposer une demande"]
    assert html.select_one("#programme-echeance").get_text(" ", strip=True).startswith("clôture dans 40 jours (")
    crumbs = html.select(".fr-breadcrumb__link")
    assert crumbs[0]["href"] == search and crumbs[0].get_text(strip=True) == "Votre recherche"
    provenance = html.select_one("#programme-provenance").get_text(" ", strip=True)
    assert "Collecté le" in provenance and "heure de Paris" in provenance and "vérifi" not in provenance
    # Another site's page is no way back: the plain search.
    response = client.get(f"/programmes/{programme_id}", headers={"Referer": "https://ailleurs.example/?q=x"})
    crumbs = BeautifulSoup(response.get_data(as_text=True), "html.parser").select(".fr-breadcrumb__link")
    assert crumbs[0]["href"] == "/"


def test_the_aid_programmes_lead_to_the_search_of_their_aids(client, make_programme):
    one = make_programme(title="Renaturation", aid_programmes=["Fonds vert - Édition 2024"])
    other = make_programme(title="Centres-bourgs", aid_programmes=["Fonds vert - Édition 2024",
                                                                  "Petites villes de demain"])
    make_programme(title="Autre chose")
    html = BeautifulSoup(client.get(f"/programmes/{one}").get_data(as_text=True), "html.parser")
    term = html.find("dt", string="Programme d’aides")
    assert term is not None and term.find_next_sibling("dd")["id"] == "programme-programmes-aides"
    (link,) = html.select("#programme-programmes-aides a")
    assert link.get_text(strip=True) == "Fonds vert - Édition 2024"
    # the link is the search of that programme's aids, its filter shown and checked
    results = BeautifulSoup(client.get(link["href"]).get_data(as_text=True), "html.parser")
    found = {anchor["href"].split("/programmes/")[1].split("?")[0] for anchor in results.select("a[href*='/programmes/']")}
    assert {one, other} <= found and len(found & {one, other}) == 2
    assert "Programme d’aides : Fonds vert - Édition 2024" in results.get_text(" ", strip=True)
    several = BeautifulSoup(client.get(f"/programmes/{other}").get_data(as_text=True), "html.parser")
    assert several.find("dt", string="Programmes d’aides") is not None
    assert len(several.select("#programme-programmes-aides a")) == 2
    plain = BeautifulSoup(client.get("/programmes/" + make_programme(title="Sans")).get_data(as_text=True),
                          "html.parser")
    assert plain.select_one("#programme-programmes-aides") is None


def _raw_values():
    """Every vocabulary value whose label differs from it, and every source slug."""
    raw = set(all_sources()) | {"curated"}
    for vocab in (vocabulary.LEVELS, vocabulary.STATUSES, vocabulary.RECURRENCES, vocabulary.AID_TYPES,
                  vocabulary.BENEFICIARIES, vocabulary.TERRITORIAL_CONDITIONS):
        raw |= {value for value, label in vocab.items() if str(label).lower() != value}
    raw |= {slug for slug in all_theme_slugs()}
    return raw


def _labels():
    """Every French label a page may show, longest first (« Organismes de recherche » holds a raw
    value as a word of its own)."""
    labels = set(all_theme_slugs().values())
    for vocab in (vocabulary.LEVELS, vocabulary.STATUSES, vocabulary.RECURRENCES, vocabulary.AID_TYPES,
                  vocabulary.BENEFICIARIES, vocabulary.TERRITORIAL_CONDITIONS, vocabulary.CRITERIA):
        labels |= {str(label) for label in vocab.values()}
    # The criteria's phrases are our wording too (« … où se trouve la commune »: a French word, not a value)
    labels |= {criterion.phrase for criterion in CRITERIA.values()}
    return sorted(labels, key=len, reverse=True)


def test_no_programme_shipped_shows_a_raw_value(app_config, replay_server, request):  # noqa: F811
    app_config.update(replay_settings(replay_server))
    app = request.getfixturevalue("app")  # built after the replay settings (no politeness delay)
    records = []
    for slug in all_sources():
        records += run_source(app, slug, dry_run=True)
    records += [json.loads(line) for line in CURATED_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    with app.app_context():
        database = app.extensions["guichet.db"]
        with database.session() as session:
            for record in records:
                upsert_source_record(session, dict(record), default_state="published")
            session.commit()
            from guichet.programmes.models import Programme

            ids = [row.id for row in session.query(Programme).filter_by(state="published")]
    assert len(ids) == len({record["id"] for record in records}) > 100, len(ids)
    raw, labels = _raw_values(), _labels()
    word = re.compile(r"[\w./@:-]*[\w/-]")  # a host or address stays one token
    client = app.test_client()
    faults = []
    for programme_id in ids:
        response = client.get(f"/programmes/{programme_id}")
        assert response.status_code == 200, programme_id
        html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        # The structured parts are ours: none of their words may be a raw value.
        for part in html.select("#essentiel dd, .guichet-facts dd, #programme-provenance, .fr-badges-group"):
            for code in part.select("code, .guichet-contact"):  # ids and contacts are not ours to word
                code.decompose()
            text = part.get_text(" ", strip=True)
            if part.find_previous_sibling("dt") and part.find_previous_sibling("dt").get_text() in (
                    "Financeurs", "Programme d’aides", "Programmes d’aides"):
                continue  # funders' and aid programmes' names are the source's own words
            for label in labels:  # « Réservé aux communes de montagne » is the label, in a sentence
                text = re.sub(re.escape(label), " ", text, flags=re.IGNORECASE)
            faults += [(programme_id, token, text[:200]) for token in word.findall(text) if token in raw]
        # Nowhere on the page, the free text included, may a slug with a separator show.
        article = html.select_one("article.guichet-programme")
        for code in article.find_all("code"):
            code.decompose()
        text = article.get_text(" ", strip=True)
        faults += [(programme_id, token) for token in word.findall(text)
                   if token in raw and re.search(r"[-_/]", token) and token not in ("tiers-lieux",)]
        # No metadata prefix (« Programme: », « Type of action: ») opening the summary.
        lead = html.select_one(".fr-text--lead")
        if lead and re.match(r"^\s*[A-Z][\w ]{1,30}\s?:\s", lead.get_text()):
            faults.append((programme_id, lead.get_text()[:40]))
    assert faults == []
