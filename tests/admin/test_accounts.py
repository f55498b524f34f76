"""Accounts: the CLI, login and logout, cookies, CSRF, throttling, roles."""

import pytest
from sqlalchemy import select

from guichet import create_app
from guichet.admin.models import User
from guichet.curation.models import AuditEntry
from tests.admin.conftest import ADMIN, CURATOR, csrf_token, login, post_form

ADMIN_PAGES = ["/admin/", "/admin/programmes", "/admin/programmes/nouveau", "/admin/doublons",
               "/admin/doublons/comparer", "/admin/sources", "/admin/journal", "/admin/utilisateurs",
               "/admin/programmes/test-1"]


def test_user_create_command_reads_the_password_on_stdin(app, runner, store):
    result = runner.invoke(args=["user", "create", "Agent@ANCT.test", "--role", "admin", "--password-stdin"],
                           input="un mot de passe solide\n")
    assert result.exit_code == 0, result.output
    assert "Compte créé : agent@anct.test (admin)" in result.output
    user = store.scalar(select(User).where(User.email == "agent@anct.test"))
    assert user.role == "admin" and user.active
    assert user.password_hash != "un mot de passe solide" and user.password_hash.startswith("scrypt:")
    client = app.test_client()
    assert login(client, "agent@anct.test", "un mot de passe solide").status_code == 302


@pytest.mark.parametrize("args, stdin, message", [
    (["user", "create", "x@anct.test", "--role", "curator", "--password-stdin"], "court\n", "au moins 10 caractères"),
    (["user", "create", "pas-une-adresse", "--role", "curator", "--password-stdin"], "assez long mot\n",
     "Adresse électronique invalide"),
    (["user", "create", "x@anct.test", "--role", "chef", "--password-stdin"], "assez long mot\n", "chef"),
])
def test_user_create_command_refuses_bad_input(runner, store, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert store.scalar(select(User)) is None


def test_user_create_command_refuses_a_second_account_for_an_address(runner, staff):
    result = runner.invoke(args=["user", "create", CURATOR[0].upper(), "--role", "curator", "--password-stdin"],
                           input="un autre mot de passe\n")
    assert result.exit_code != 0
    assert "Un compte existe déjà" in result.output


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_nobody_without_an_account_reaches_the_back_office(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_anonymous_posts_are_refused(client, make_programme):
    programme_id = make_programme(state="pending")
    # Without a token: CSRF refuses first, in French.
    response = client.post("/admin/revue", data={"action": "publish", "ids": programme_id})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    # With a valid token of an anonymous session: not logged in.
    response = post_form(client, "/admin/revue", {"action": "publish", "ids": programme_id}, page="/admin/login")
    assert response.status_code == 401
    assert "connectez-vous à nouveau" in response.get_data(as_text=True)


def test_login_and_logout(app, staff):
    client = app.test_client()
    response = client.get("/admin/journal")
    assert response.status_code == 302
    login_page = client.get(response.headers["Location"])
    assert "Connexion à l’espace de gestion" in login_page.get_data(as_text=True)
    response = login(client, *CURATOR, next="/admin/journal")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/journal"
    page = client.get("/admin/journal").get_data(as_text=True)
    assert "Journal des modifications" in page and CURATOR[0] in page

    response = post_form(client, "/admin/logout", {}, page="/admin/journal")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_login_never_redirects_to_another_site(app, staff):
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/admin", "/programmes/x"):
        response = login(client, *CURATOR, next=target)
        assert response.headers["Location"] == "/admin/", target
        post_form(client, "/admin/logout", {})


def test_wrong_password_or_unknown_account(app, staff):
    client = app.test_client()
    for email, password in ((CURATOR[0], "pas le bon mot de passe"), ("inconnu@anct.test", "peu importe ici")):
        response = login(client, email, password)
        assert response.status_code == 401
        assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(app, staff):
    client = app.test_client()
    response = client.post("/admin/login", data={"email": CURATOR[0], "password": CURATOR[1]})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(app, staff):
    client = app.test_client()
    response = login(client, *CURATOR)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_development(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-prod"))
    production = create_app({**app_config, "TESTING": False, "ENV": "production",
                                "SECRET_KEY": "a-production-secret-key-of-40-characters"})
    try:
        with production.app_context():
            from guichet.admin.accounts import create_user

            with production.extensions["guichet.db"].session() as session:
                create_user(session, *CURATOR[:1], "curator", CURATOR[1])
                session.commit()
        client = production.test_client()
        response = login(client, *CURATOR)
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        production.extensions["guichet.db"].dispose()


def test_logins_are_throttled_per_account(app, staff):
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert login(client, CURATOR[0], "mauvais mot de passe").status_code == 401
    # Even the right password is refused now, from anywhere.
    other_place = app.test_client()
    other_place.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    response = login(other_place, *CURATOR)
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    # Another account is not affected.
    assert login(app.test_client(), *ADMIN).status_code == 302


class TestPerAddress:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LOGIN_MAX_FAILURES_PER_ADDRESS": 8}

    def test_logins_are_throttled_per_address(self, app, staff):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        for number in range(8):
            assert login(client, f"personne{number}@anct.test", "mauvais mot de passe").status_code == 401
        response = login(client, *ADMIN)
        assert response.status_code == 429
        assert "Trop de tentatives" in response.get_data(as_text=True)
        elsewhere = app.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.8"
        assert login(elsewhere, *ADMIN).status_code == 302


def test_a_successful_login_resets_the_account_counter(app, staff):
    client = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        login(client, CURATOR[0], "mauvais mot de passe")
    assert login(client, *CURATOR).status_code == 302
    post_form(client, "/admin/logout", {})
    for _ in range(limit - 1):
        assert login(client, CURATOR[0], "mauvais mot de passe").status_code == 401
    assert login(client, *CURATOR).status_code == 302


def test_a_curator_cannot_reach_user_management(curator_client):
    response = curator_client.get("/admin/utilisateurs")
    assert response.status_code == 403
    assert "réservée aux administrateurs" in response.get_data(as_text=True)
    response = post_form(curator_client, "/admin/utilisateurs",
                         {"email": "x@anct.test", "role": "admin", "password": "un mot de passe long"})
    assert response.status_code == 403
    assert 'href="/admin/utilisateurs"' not in curator_client.get("/admin/").get_data(as_text=True)


def test_admins_list_create_and_disable_accounts(app, admin_client, store):
    page = admin_client.get("/admin/utilisateurs").get_data(as_text=True)
    assert CURATOR[0] in page and ADMIN[0] in page

    response = post_form(admin_client, "/admin/utilisateurs",
                         {"email": "nouvelle@anct.test", "role": "curator", "password": "court"}, "/admin/utilisateurs")
    assert response.status_code == 400
    assert "au moins 10 caractères" in response.get_data(as_text=True)
    response = post_form(admin_client, "/admin/utilisateurs", {"email": "nouvelle@anct.test", "role": "curator",
                                                             "password": "un mot de passe long"}, "/admin/utilisateurs")
    assert response.status_code == 302
    assert login(app.test_client(), "nouvelle@anct.test", "un mot de passe long").status_code == 302

    # Disabling ends the curator's open session and refuses new logins.
    curator = app.test_client()
    assert login(curator, *CURATOR).status_code == 302
    assert curator.get("/admin/").status_code == 200
    user_id = store.scalar(select(User.id).where(User.email == CURATOR[0]))
    response = post_form(admin_client, f"/admin/utilisateurs/{user_id}/statut", {"active": "0"}, "/admin/utilisateurs")
    assert response.status_code == 302
    assert curator.get("/admin/").status_code == 302
    assert login(app.test_client(), *CURATOR).status_code == 401
    actions = store.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user_create", "user_disable"]
