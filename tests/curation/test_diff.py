"""Readable differences in French (guichet/admin/diff.py)."""

from guichet.curation.diff import diff_values, display_value, field_change


def test_text_is_compared_word_by_word():
    change = field_change("title", "Aide aux tiers-lieux ruraux", "Aide aux tiers-lieux des petites villes")
    assert change.kind == "text"
    assert change.segments == [("equal", "Aide aux tiers-lieux"), ("delete", "ruraux"),
                               ("insert", "des petites villes")]


def test_markup_only_changes_of_the_description_read_as_unchanged_text():
    change = field_change("description_html", "<p>Pour les communes.</p>", "<div>Pour les communes.</div>")
    assert change.segments == [("equal", "Pour les communes.")]


def test_description_text_reads_as_the_search_index_reads_it():
    change = field_change("description_html", "<p>Pour les <strong>communes</strong>.</p><p>Et les EPCI.</p>",
                          "<p>Pour les <strong>communes</strong>.</p><p>Et les départements.</p>")
    assert change.segments == [("equal", "Pour les communes. Et les"), ("delete", "EPCI."),
                               ("insert", "départements.")]


def test_lists_say_what_was_added_and_removed_with_labels():
    change = field_change("beneficiaries", ["commune"], ["commune", "epci"])
    assert change.added == ["Intercommunalités (EPCI)"] and change.removed == []
    change = field_change("departments", ["26"], ["50"])
    assert change.added == ["Manche (50)"] and change.removed == ["Drôme (26)"]


def test_values_read_in_french():
    change = field_change("opens_on", None, "2030-03-01")
    assert (change.before, change.after) == ("non renseigné", "1er mars 2030")
    assert display_value("amount_max", 150000.0) == "150\u202f000"
    assert display_value("level", "regional") == "Région"
    assert display_value("is_call_for_projects", True) == "oui"


def test_only_changed_fields_in_record_order():
    before = {"title": "A", "rate_max": 40.0, "themes": ["mobilite"], "summary": ""}
    after = {"title": "A", "rate_max": 40, "themes": ["mobilite"], "summary": None, "level": "europe"}
    assert [change.field for change in diff_values(before, after)] == ["level"]
