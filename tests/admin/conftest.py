"""Back-office fixtures: staff accounts and logged-in clients."""

import re

import pytest

CURATOR = ("curatrice@anct.test", "mot-de-passe-curatrice")
SECOND_CURATOR = ("curateur@anct.test", "mot-de-passe-curateur")
ADMIN = ("admin@anct.test", "mot-de-passe-admin")


@pytest.fixture(scope="session")
def staff_hashes():
    """Password hashes computed once: scrypt is slow on purpose."""
    from werkzeug.security import generate_password_hash

    return {email: generate_password_hash(password) for email, password in (CURATOR, SECOND_CURATOR, ADMIN)}


@pytest.fixture
def staff(app, staff_hashes):
    """A curator, a second curator and an admin in the store."""
    from guichet.admin.models import User

    with app.extensions["guichet.db"].session() as session:
        for (email, _password), role in ((CURATOR, "curator"), (SECOND_CURATOR, "curator"), (ADMIN, "admin")):
            session.add(User(email=email, role=role, password_hash=staff_hashes[email], active=True, session_token=1))
        session.commit()
    return {"curator": CURATOR, "second_curator": SECOND_CURATOR, "admin": ADMIN}


def csrf_token(client, path="/admin/login") -> str:
    """The CSRF token of a form of the page (the session's token)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}: {page.status_code} {page.get_data(as_text=True)[-1500:]}"
    return match.group(1)


def login(client, email, password, **extra):
    token = csrf_token(client)
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token, **extra})


def post_form(client, path, data, page="/admin/"):
    """POST with the CSRF token, as the form of ``page`` would."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def logged_in_client(app, account):
    client = app.test_client()
    response = login(client, *account)
    assert response.status_code == 302
    return client


@pytest.fixture
def curator_client(app, staff):
    return logged_in_client(app, CURATOR)


@pytest.fixture
def admin_client(app, staff):
    return logged_in_client(app, ADMIN)


@pytest.fixture
def second_curator_client(app, staff):
    return logged_in_client(app, SECOND_CURATOR)


@pytest.fixture
def store(app):
    """A session on the app's store, for arranging and checking. No app context is held open:
    requests of the test client would share its ``g`` (current user, session)."""
    with app.extensions["guichet.db"].session() as session:
        yield session
