"""The search page, the detail page and the error pages, as a browser without JavaScript sees them."""

from datetime import date, timedelta

from bs4 import BeautifulSoup


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def test_search_page_lists_results_with_facets_and_highlight(client, make_programme):
    make_programme(title="Rénovation de l'éclairage public", funders=["État", "ADEME"], level="national",
                   themes=["energie-climat"], deadlines=[(date.today() + timedelta(days=12)).isoformat()],
                   recurrence="recurrente")
    make_programme(title="Maisons de santé", themes=["solidarites-sante-education"])
    html = page(client.get("/?q=éclairage"))
    results = html.select("article.guichet-result")
    assert len(results) == 1
    text = results[0].get_text(" ", strip=True)
    assert "clôture dans 12 jours" in text
    assert "État, ADEME" in text and "National" in text and "Récurrente" in text and "Énergie et climat" in text
    assert results[0].select_one("mark").get_text() == "éclairage"
    assert html.select_one("h2[aria-live]").get_text(" ", strip=True).startswith("1 programme trouvé")
    theme_labels = [label.get_text(" ", strip=True) for label in html.select("#facette-theme label")]
    assert theme_labels == ["Énergie et climat (1)"]


def test_the_aid_programme_filter_lists_the_programmes_present_with_their_counts(client, make_programme):
    make_programme(title="Renaturation", aid_programmes=["Fonds vert - Édition 2024"])
    make_programme(title="Centres-bourgs", aid_programmes=["Fonds vert - Édition 2024", "Petites villes de demain"])
    make_programme(title="Sans programme")
    html = page(client.get("/"))
    legend = html.select_one("#facette-aid_programme legend").get_text(strip=True)
    assert legend == "Programme d’aides"
    labels = [label.get_text(" ", strip=True) for label in html.select("#facette-aid_programme label")]
    assert labels == ["Fonds vert - Édition 2024 (2)", "Petites villes de demain (1)"]
    chosen = page(client.get("/", query_string={"aid_programme": "Petites villes de demain"}))
    assert [item.get_text(" ", strip=True) for item in chosen.select("article.guichet-result h3")] == ["Centres-bourgs"]
    checked = [box["value"] for box in chosen.select("#facette-aid_programme input[checked]")]
    assert checked == ["Petites villes de demain"]
    # no programme of the search belongs to one: no such filter
    assert page(client.get("/?q=programme")).select_one("#facette-aid_programme") is None


def test_every_field_has_a_label_and_the_page_has_landmarks(client, make_programme):
    make_programme(title="Plan vélo", themes=["mobilite"])
    html = page(client.get("/"))
    assert html.html["lang"] == "fr"
    assert html.select_one(".fr-skiplinks a[href='#contenu']")
    assert html.select_one("main#contenu") and html.select_one("header[role=banner]")
    for field in html.select("input:not([type=hidden]), select"):
        assert html.select_one(f"label[for='{field['id']}']"), field
    levels = [int(heading.name[1]) for heading in html.select("h1, h2, h3, h4")]
    assert levels[0] == 1 and all(after - before <= 1 for before, after in zip(levels, levels[1:]))


def test_empty_state_suggests_filters_to_remove(client, make_programme):
    make_programme(title="Plan vélo", themes=["mobilite"])
    html = page(client.get("/?q=vélo&theme=tourisme"))
    callout = html.select_one("#aucun-resultat")
    links = {link.get_text(strip=True): link["href"] for link in callout.select("a")}
    assert links["Retirer « Thème : Tourisme »"] == "/?q=v%C3%A9lo"
    assert client.get(links["Retirer « Thème : Tourisme »"]).status_code == 200


def test_pagination_links_keep_the_search(client, make_programme):
    for number in range(25):
        make_programme(title=f"Plan vélo {number}")
    html = page(client.get("/?q=vélo&sort=date_limite"))
    next_link = html.select_one("a[rel=next]")
    assert next_link["href"] == "/?q=v%C3%A9lo&sort=date_limite&page=2"
    second = page(client.get(next_link["href"]))
    assert len(second.select("article.guichet-result")) == 5
    assert second.select_one(".fr-pagination a[aria-current=page]").get_text() == "2"


def test_bad_parameter_gives_a_french_400_page(client):
    response = client.get("/?population=-12")
    assert response.status_code == 400
    alert = page(response).select_one(".fr-alert--error")
    assert "nombre d’habitants positif" in alert.get_text()


def test_detail_page_shows_every_field(client, make_programme):
    programme_id = make_programme(
        title="Dotation de test", summary="Résumé clair.", description_html="<p>Les <strong>dépenses</strong></p>",
        funders=["État"], level="national", beneficiaries=["commune", "epci"], population_min=2000,
        population_max=20000, themes=["numerique/tres-haut-debit"], aid_types=["subvention"], rate_min=20,
        rate_max=80, amount_max=500000, contact="Préfecture", application_url="https://demarches.example/depot",
        source_url="https://financeur.example/dotation", deadlines=["2027-01-31"], opens_on="2026-10-01",
        regions=["44"], is_call_for_projects=True)
    response = client.get(f"/programmes/{programme_id}")
    assert response.status_code == 200
    text = page(response).get_text(" ", strip=True)
    for expected in ("Dotation de test", "Résumé clair.", "dépenses", "Communes, Intercommunalités (EPCI)",
                     "Communes de 2 000 à 20 000 habitants", "Grand Est", "Subvention", "de 20 à 80 %",
                     "jusqu’à 500 000 €", "1er octobre 2026", "31 janvier 2027", "Très haut débit",
                     "Préfecture", "Appel à projets", "Collecté le", "Dernière mise à jour à la source",
                     "clôture dans"):
        assert expected in text.replace("\u202f", " "), expected
    html = page(response)
    assert html.select_one("a[href='https://demarches.example/depot']")
    assert html.select_one("a[href='https://financeur.example/dotation']")


def test_unknown_programme_is_a_french_404(client):
    response = client.get("/programmes/nulle-part")
    assert response.status_code == 404
    assert "Aucun programme ne correspond" in response.get_data(as_text=True)
    assert client.get("/une/page/inconnue").status_code == 404


def test_pending_programme_is_not_shown(client, make_programme):
    programme_id = make_programme(state="pending")
    assert client.get(f"/programmes/{programme_id}").status_code == 404
    assert client.get("/api/v1/programmes").get_json()["total"] == 0


def test_offline_notice(client):
    assert "Mode hors ligne" in client.get("/").get_data(as_text=True)


def test_healthz(client, make_programme):
    make_programme()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["store"]["programmes"] == 1 and body["search"]["documents"] == 1 and body["status"] == "ok"


def test_programmes_from_recorded_responses_say_so(app, client, make_programme):
    from guichet.programmes.models import Programme

    programme_id = make_programme(title="Plan vélo enregistré")
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            session.get(Programme, programme_id).recorded_response = True
            session.commit()
    assert "Réponse enregistrée" in client.get("/?q=vélo").get_data(as_text=True)
    assert "réponse enregistrée de la source" in client.get(f"/programmes/{programme_id}").get_data(as_text=True)


def test_the_sources_page_gives_level_last_collection_open_count_and_uncovered_departments(client, make_programme):
    make_programme(source="curated", title="Ouvert", deadlines=["2099-01-01"])
    make_programme(source="curated", title="Clos", deadlines=["2001-01-01"])
    html = page(client.get("/sources"))
    heads = [tag.get_text(strip=True) for tag in html.select("thead th")]
    assert heads == ["Source", "Échelon", "Couverture", "Dernière collecte réussie", "Programmes ouverts", "Format"]
    rows = {row.select("td")[0].get_text(strip=True): [cell.get_text(strip=True) for cell in row.select("td")]
            for row in html.select("tbody tr")}
    assert rows["Département de la Drôme"][1] == "Département"
    assert rows["Département de la Drôme"][3] == "aucune pour l’instant"
    assert rows["Programmes rédigés par l’équipe"][4] == "1"  # the open one, not the closed one
    uncovered = [item.get_text(strip=True) for item in html.select("#departements-sans-source li")]
    assert "Cher (18)" in uncovered and "Drôme (26)" not in uncovered and "Manche (50)" not in uncovered


# -- funders, aid rate and amount (issue 17) -------------------------------------------------
def test_search_page_offers_funders_rate_and_amount_with_their_counts(client, make_programme):
    make_programme(title="Fonds chaleur", funders=["ADEME"], rate_max=60, amount_max=200_000)
    make_programme(title="Rénovation", funders=["ADEME", "Région Grand Est"], rate_max=30)
    make_programme(title="Dotation", funders=["État"])
    html = page(client.get("/"))
    field = html.select_one("input#funder")
    assert field["name"] == "funder" and field["list"] == "porteurs" and field["data-porteurs"] == "/api/v1/porteurs"
    assert html.select_one("label[for=funder]").get_text(" ", strip=True).startswith("Nom du porteur d’aide")
    options = [(option["value"], option.get_text(strip=True)) for option in html.select("datalist#porteurs option")]
    assert options == [("ADEME", "ADEME (2 programmes)"), ("Région Grand Est", "Région Grand Est (1 programme)"),
                       ("État", "État (1 programme)")]
    rates = [option.get_text(strip=True) for option in html.select("select#rate_at_least option")]
    assert rates == ["Tous les taux", "25\u202f% ou plus (2)", "50\u202f% ou plus (1)", "80\u202f% ou plus (0)",
                     "100\u202f% (0)"]
    amounts = [option.get_text(strip=True) for option in html.select("select#amount_at_least option")]
    assert amounts[:3] == ["Tous les montants", "10\u202f000\u202f€ ou plus (1)", "50\u202f000\u202f€ ou plus (1)"]
    assert not html.select_one("#rate_at_least-sans")


def test_chosen_funders_rate_and_amount_show_as_removable_tags(client, make_programme):
    chaleur = make_programme(title="Fonds chaleur", funders=["ADEME"], rate_max=60, amount_max=200_000)
    make_programme(title="Rénovation", funders=["ADEME", "Région Grand Est"], rate_max=30)
    make_programme(title="Sans taux", funders=["ADEME"])
    html = page(client.get("/?funder=ademe&rate_at_least=50"))
    assert [result.select_one("a")["href"] for result in html.select("article.guichet-result")] == [
        f"/programmes/{chaleur}"]
    tags = {tag.get_text(strip=True).removesuffix("✕").strip(): tag["href"]
            for tag in html.select("ul[aria-label='Filtres actifs'] a")}
    # the funder as the index spells it, the URL as typed
    assert tags == {"Porteur d’aide : ADEME": "/?rate_at_least=50", "Taux d’aide : 50\u202f% ou plus": "/?funder=ademe"}
    # the chosen funder is a box to untick, with its count; the field adds another
    box = html.select_one("#facette-funder input[type=checkbox]")
    assert box["value"] == "ademe" and box.has_attr("checked")
    assert html.select_one(f"label[for={box['id']}]").get_text(" ", strip=True) == "ADEME (1)"
    assert html.select_one("label[for=funder]").get_text(" ", strip=True).startswith("Ajouter un porteur d’aide")
    assert html.select_one("select#rate_at_least option[selected]")["value"] == "50"
    # the programme the rate filter leaves out for lack of a rate is said, with the way back
    left_out = html.select_one("#rate_at_least-sans")
    assert left_out.get_text(" ", strip=True) == "1 programme sans taux d’aide connu n’est pas affiché : les voir aussi"
    assert left_out.select_one("a")["href"] == "/?funder=ademe"
    # a rate that is no threshold stays chosen, in French
    other = page(client.get("/?amount_at_least=12000"))
    assert other.select_one("select#amount_at_least option[selected]").get_text(strip=True) == "12\u202f000\u202f€ ou plus"
    assert other.select_one("#amount_at_least-sans").get_text(" ", strip=True).startswith(
        "2 programmes sans montant d’aide connu ne sont pas affichés")


def test_a_bad_rate_or_amount_is_a_french_400_page(client):
    response = client.get("/?rate_at_least=150")
    assert response.status_code == 400
    assert "taux d’aide minimum" in page(response).select_one(".fr-alert--error").get_text()
    response = client.get("/?amount_at_least=beaucoup")
    assert response.status_code == 400
    assert "montant d’aide minimum" in page(response).select_one(".fr-alert--error").get_text()
