"""The audit log: for each programme and for the whole service."""

import pytest

from tests.admin.conftest import post_form
from tests.curation.test_editing import form_of, save

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def test_the_journal_says_who_changed_what_and_when(curator_client, admin_client, make_programme):
    first = make_programme(state="pending", title="Premier programme")
    second = make_programme(title="Second programme")
    post_form(curator_client, "/admin/revue", {"action": "publish", "ids": [first]})
    save(admin_client, second, form_of(admin_client, second), title="Second programme, corrigé")

    page = curator_client.get("/admin/journal").get_data(as_text=True)
    assert "2 entrées." in page
    assert "curatrice@anct.test" in page and "admin@anct.test" in page
    assert "« Premier programme » publié" in page
    assert "Titre : « Second programme » → « Second programme, corrigé »" in page

    only_edits = curator_client.get("/admin/journal?action=edit").get_data(as_text=True)
    assert "1 entrée." in only_edits and "Premier programme" not in only_edits
    by_person = curator_client.get("/admin/journal?user=curatrice@anct.test").get_data(as_text=True)
    assert "1 entrée." in by_person and "Premier programme" in by_person
    by_programme = curator_client.get(f"/admin/journal?programme={second}").get_data(as_text=True)
    assert "1 entrée." in by_programme

    # And on the programme's own page.
    page = curator_client.get(f"/admin/programmes/{second}").get_data(as_text=True)
    history = page.split('id="historique"')[1]
    assert "Modification</strong> par admin@anct.test" in history
