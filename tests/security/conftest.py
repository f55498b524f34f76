"""Security suite: staff accounts and helpers shared with the back-office tests."""

from tests.admin.conftest import (ADMIN, CURATOR, admin_client, csrf_token, curator_client,  # noqa: F401
                                  logged_in_client, login, post_form, staff, staff_hashes, store)
