"""The programmes branch of migrations adds ``aid_programmes`` as the model has it, on both stores:
an empty list for the programmes stored before it."""

import pytest
from sqlalchemy import inspect, text

from guichet.db import Database

pytestmark = pytest.mark.both_stores


def test_migrated_store_has_the_aid_programmes_empty_by_default(store_url):
    database = Database(store_url)
    try:
        with database.engine.begin() as connection:
            columns = {column["name"]: column for column in inspect(connection).get_columns("programmes")}
            assert "aid_programmes" in columns and not columns["aid_programmes"]["nullable"]
            connection.execute(text(
                "INSERT INTO programmes (id, source, source_id, title, summary, description_html, funders, level, "
                "regions, departments, beneficiaries, themes, aid_types, is_call_for_projects, deadlines, "
                "first_seen_at, last_seen_at, state, curated_fields, source_values, created_at, updated_at, version) "
                "VALUES ('old-1', 'curated', 'old-1', 'Ancien', '', '', '[]', 'national', '[]', '[]', '[]', '[]', "
                "'[]', false, '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'published', '[]', '{}', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))
            stored = connection.execute(text("SELECT aid_programmes FROM programmes WHERE id = 'old-1'")).scalar()
    finally:
        database.dispose()
    assert stored in ("[]", [])
