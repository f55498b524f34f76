"""guichet.search.sqlite: the embedded backend on its own, over a file of the test's.

What every backend must do is tests/search/test_behaviour.py; here, what is this backend's
own: the MATCH text it builds, writes and rebuilds, the generation that tells other
processes to reload, the schema version, a second reader of the same file."""

import sqlite3
from datetime import date, timedelta

import pytest

from guichet.search.base import SearchUnavailable
from guichet.search.query import parse_search
from guichet.search.sqlite import SCHEMA_VERSION, SQLiteBackend, match_expression

TODAY = date.today()


def document(doc_id, title, **fields) -> dict:
    deadline = (TODAY + timedelta(days=fields.pop("days", 30))).isoformat()
    return {
        "id": doc_id, "source": "test", "title": title, "summary": fields.pop("summary", ""),
        "description": fields.pop("description", ""), "funders": ["État"], "level": fields.pop("level", "national"),
        "regions": [], "departments": [], "nationwide": True, "available_regions": [], "available_departments": [],
        "beneficiaries": ["commune"], "population_min": None, "population_max": None,
        "themes": fields.pop("themes", []), "aid_types": ["subvention"], "is_call_for_projects": False,
        "opens_on": None, "deadlines": [deadline], "last_deadline": deadline, "next_deadline": deadline,
        "closed": False, "recurrence": "ponctuelle", "first_seen_at": "2027-01-01T00:00:00",
        "territories": fields.pop("territories", []), "language": fields.pop("language", "fr"),
        "published_at": fields.pop("published_at", "2027-01-01T00:00:00"), **fields,
    }


@pytest.fixture
def backend(tmp_path):
    backend = SQLiteBackend(tmp_path / "index" / "search.sqlite3")
    yield backend
    backend.close()


def search(backend, **params):
    return backend.search(parse_search(params, today=TODAY))


def test_match_expression_quotes_every_phrase_ors_concepts_synonyms_and_the_typed_pair():
    expression = match_expression(parse_search({"q": "vélo école"}, today=TODAY))
    french = "{title summary description}"
    # vélo's synonyms are alternatives of its concept, searched in the French columns
    assert expression.startswith(f'({french} : ("velo" OR ')
    assert '("ecol"' in expression
    # the bonus: the words side by side, as typed
    assert expression.endswith(f' OR ({french} : "velo ecol")')
    # a word that is no thesaurus term is also looked for in the English columns
    assert match_expression(parse_search({"q": "plan"}, today=TODAY)) == (
        f'({french} : ("plan") OR {{title_en summary_en description_en}} : ("plan"))')
    assert match_expression(parse_search({}, today=TODAY)) == ""


def test_index_replaces_a_document_with_the_same_id_and_delete_removes_it(backend):
    assert backend.index([document("a", "Plan vélo"), document("b", "Rénovation des écoles")]) == 2
    backend.index([document("a", "Plan piétons")])
    assert backend.count() == 2
    assert [hit.id for hit in search(backend, q="piétons").hits] == ["a"]
    assert search(backend, q="vélo").total == 0  # the old text left with the old version
    backend.delete(["a", "absent"])
    assert backend.count() == 1 and search(backend, q="piétons").total == 0


def test_rebuild_replaces_everything_and_records_the_schema_version(backend):
    backend.index([document("old", "Ancien programme")])
    assert backend.rebuild(iter([document("new-1", "Nouveau programme"), document("new-2", "Autre")])) == 2
    assert backend.count() == 2 and search(backend, q="ancien").total == 0
    health = backend.health()
    assert health == {"backend": "sqlite", "documents": 2, "schema_version": SCHEMA_VERSION, "needs_rebuild": False}


def test_another_reader_of_the_file_sees_each_write(backend, tmp_path):
    reader = SQLiteBackend(backend.path)
    try:
        assert search(reader, q="vélo").total == 0  # its snapshot is loaded now
        backend.index([document("a", "Plan vélo")])
        assert [hit.id for hit in search(reader, q="vélo").hits] == ["a"]  # the generation moved: reloaded
        backend.delete(["a"])
        assert search(reader, q="vélo").total == 0
    finally:
        reader.close()


def test_analysis_happens_before_fts5_and_user_text_is_never_syntax(backend):
    backend.index([document("a", "L'éclairage des écoles", summary="Des luminaires économes.")])
    assert [hit.id for hit in search(backend, q="ECLAIRAGE ecole").hits] == ["a"]
    assert search(backend, q="(luminaire)").total == 1  # punctuation is a word boundary, not syntax
    hit = search(backend, q="écoles").hits[0]
    assert "<mark>écoles</mark>" in hit.highlights["title"] and hit.score is not None


def test_facets_and_filters_run_on_the_snapshot(backend):
    backend.index([document("a", "Vélo", level="regional", themes=["mobilite"]),
                   document("b", "Vélo cargo", level="national", themes=["mobilite"]),
                   document("c", "Écoles", level="national")])
    result = search(backend, q="vélo", level="regional")
    assert [hit.id for hit in result.hits] == ["a"]
    assert result.facets["levels"] == {"regional": 1, "national": 1}  # its own filter set aside
    assert result.facets["themes"] == {"mobilite": 1}


def test_an_index_of_an_older_schema_asks_for_a_rebuild(backend):
    with sqlite3.connect(backend.path) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    assert backend.health()["needs_rebuild"] is True


def test_a_broken_index_file_is_unavailable_not_a_crash(backend):
    with sqlite3.connect(backend.path) as connection:
        connection.execute("DROP TABLE docs_fts")
    with pytest.raises(SearchUnavailable):
        search(backend, q="vélo")


def test_funders_are_counted_alike_document_by_document_and_funder_by_funder(backend, monkeypatch):
    """The two ways of counting the funders' facet (guichet.search.bitmaps.Snapshot.funder_counts)
    give what counting every funder gives: the most frequent, then by name."""
    import random

    from guichet.search import bitmaps

    rng = random.Random(17)
    names = [f"Financeur {number:03d}" for number in range(300)]
    documents = []
    for number in range(1200):
        # a few frequent funders and a long tail, with ties
        chosen = {names[min(int(rng.paretovariate(1.2)) - 1, 299)] for _ in range(rng.randint(1, 3))}
        documents.append(document(f"d{number}", "Vélo" if number % 3 else "École", funders=sorted(chosen)))
    backend.index(documents)
    expected_all = {}
    for item in documents:
        for name in item["funders"]:
            expected_all[name] = expected_all.get(name, 0) + 1
    ranked = sorted(expected_all.items(), key=lambda pair: (-pair[1], pair[0]))
    for threshold in (0, 10_000):  # funder by funder, then document by document
        monkeypatch.setattr(bitmaps, "FUNDERS_BY_DOCUMENT", threshold)
        monkeypatch.setattr(bitmaps, "FUNDER_COST_IN_DOCUMENTS", 1)
        facets = backend.search(parse_search({}, today=TODAY)).facets["funders"]
        assert list(facets.items()) == ranked[:100]
        snapshot = backend._snapshot
        assert snapshot.funder_counts(snapshot.all_docs, None) == dict(ranked)
        assert snapshot.funder_counts(snapshot.all_docs, 7) == dict(ranked[:7])
    # funder by funder stops early, or gives up when it would cost more than going document by document
    by_bitmap = snapshot._top_funders_by_bitmap(snapshot.all_docs, 7, 1200)
    assert len(by_bitmap) < len(ranked) and sorted(by_bitmap.items(), key=lambda pair: (-pair[1], pair[0]))[:7] == ranked[:7]
    monkeypatch.setattr(bitmaps, "FUNDER_COST_IN_DOCUMENTS", 1000)
    assert snapshot._top_funders_by_bitmap(snapshot.all_docs, 100, 1200) is None
