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
    assert ("Réservé aux communes de l'un de ces programmes ou zonages : Action Cœur de ville, Petites villes de "
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
