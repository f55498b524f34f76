"""Curation is done from the back office: its tests use the back office's staff and clients."""

from tests.admin.conftest import (admin_client, curator_client, second_curator_client, staff,  # noqa: F401
                                  staff_hashes, store)
