"""The territorial condition in the back office: checkboxes, saved as a curator-owned field,
an unknown condition refused in French."""

import re

from guichet.programmes.models import Programme
from tests.admin.conftest import curator_client, staff, staff_hashes, store  # noqa: F401
from tests.curation.test_editing import _unescape, form_of, save


def test_a_curator_restricts_a_programme_to_lists(curator_client, make_programme, store):  # noqa: F811
    programme_id = make_programme(title="Fonds de revitalisation")
    data = form_of(curator_client, programme_id)
    page = curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    assert 'name="territories" value="acv"' in page and "Petites villes de demain" in page
    response = save(curator_client, programme_id, data, territories=["pvd", "acv"])
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    programme = store.get(Programme, programme_id)
    store.refresh(programme)
    assert programme.territories == ["acv", "pvd"] and "territories" in programme.curated_fields
    detail = curator_client.get(f"/programmes/{programme_id}").get_data(as_text=True)
    assert ("Réservé aux communes de l’un de ces programmes ou zonages : Action Cœur de ville, Petites villes de "
            "demain") in _unescape(detail)


def test_an_unknown_condition_is_a_french_error(curator_client, make_programme, store):  # noqa: F811
    programme_id = make_programme()
    data = form_of(curator_client, programme_id)
    response = save(curator_client, programme_id, data, territories=["acv", "quartiers-nord"])
    assert response.status_code == 400
    error = re.search(r'<p class="fr-error-text" id="territories-erreur">(.*?)</p>', response.get_data(as_text=True),
                      re.S)
    assert error and "Condition territoriale inconnue : « quartiers-nord »" in _unescape(error.group(1))
    assert store.get(Programme, programme_id).territories == []


def test_a_curator_writes_population_bands_and_criteria(curator_client, make_programme, store):  # noqa: F811
    programme_id = make_programme(title="Dotation rurale")
    data = form_of(curator_client, programme_id)
    page = curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    assert 'name="criteria" value="potentiel-financier"' in page and 'name="population_bands"' in page
    bands = ("jusqu'à 2 000\n2 001 à 20 000 sous condition potentiel-financier\n"
             "outre-mer : jusqu'à 3 500\noutre-mer : 3 501 à 35 000 habitants sous condition Potentiel financier "
             "par habitant")
    response = save(curator_client, programme_id, data, population_bands=bands, criteria=["dsu"])
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    programme = store.get(Programme, programme_id)
    store.refresh(programme)
    assert programme.population_bands == [
        {"min": None, "max": 2000, "criterion": None, "overseas": False},
        {"min": 2001, "max": 20000, "criterion": "potentiel-financier", "overseas": False},
        {"min": None, "max": 3500, "criterion": None, "overseas": True},
        {"min": 3501, "max": 35000, "criterion": "potentiel-financier", "overseas": True}]
    # The widest metropolitan band is the programme's, for search; a band's criterion is one of its criteria.
    assert (programme.population_min, programme.population_max) == (None, 20000)
    assert programme.criteria == ["potentiel-financier", "dsu"]
    assert {"population_bands", "criteria"} <= set(programme.curated_fields)
    # The form shows the bands back as it reads them.
    page = _unescape(curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True))
    assert "2\u202f001 à 20\u202f000 sous condition potentiel-financier" in page
    detail = _unescape(curator_client.get(f"/programmes/{programme_id}").get_data(as_text=True))
    assert ("Communes de 2\u202f000 habitants au plus ; de 2\u202f001 à 20\u202f000 habitants sous condition de "
            "potentiel financier par habitant. En outre-mer : communes de 3\u202f500 habitants au plus") in detail
    assert ("Sous condition d’éligibilité à la dotation de solidarité urbaine (DSU) : critère que le Guichet ne "
            "peut pas vérifier") in detail


def test_an_unreadable_band_or_unknown_criterion_is_a_french_error(curator_client, make_programme,  # noqa: F811
                                                                    store):  # noqa: F811
    programme_id = make_programme()
    data = form_of(curator_client, programme_id)
    for typed, message in (("environ 5 000", "Ligne 1 : tranche illisible « environ 5 000 »"),
                           ("jusqu'à 2 000\n20 000 à 2 000", "le minimum (20\u202f000) dépasse le maximum"),
                           ("jusqu'à 2 000 sous condition richesse", "Ligne 1 : critère inconnu « richesse »")):
        response = save(curator_client, programme_id, data, population_bands=typed)
        assert response.status_code == 400
        error = re.search(r'<p class="fr-error-text" id="population_bands-erreur">(.*?)</p>',
                          response.get_data(as_text=True), re.S)
        assert error and message in _unescape(error.group(1)), typed
    response = save(curator_client, programme_id, data, criteria=["richesse"])
    assert response.status_code == 400
    assert "Critère inconnu : « richesse »" in _unescape(response.get_data(as_text=True))
    assert store.get(Programme, programme_id).population_bands == []


def test_the_review_diff_reads_bands_and_criteria_in_french():
    from guichet.curation.diff import diff_values

    before = {"population_bands": [], "criteria": []}
    after = {"population_bands": [{"min": None, "max": 2000, "criterion": None, "overseas": False},
                                  {"min": 2001, "max": 20000, "criterion": "potentiel-financier", "overseas": False}],
             "criteria": ["potentiel-financier"]}
    changes = {change.field: change for change in diff_values(before, after)}
    assert changes["population_bands"].label == "Tranches de population"
    assert changes["population_bands"].added == ["jusqu'à 2\u202f000",
                                                 "2\u202f001 à 20\u202f000 sous condition potentiel-financier"]
    assert changes["criteria"].added == ["Potentiel financier par habitant"]
    # The same bands written in another key order are no change.
    reordered = {"population_bands": [dict(reversed(list(band.items()))) for band in after["population_bands"]],
                 "criteria": ["potentiel-financier"]}
    assert diff_values(after, reordered) == []
