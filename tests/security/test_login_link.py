"""M4 / point 6: the « lien de connexion par courriel » for admins — single use, expiring,
throttled, no account enumeration, and it lets the owner in while the password login of the
account is throttled. Real aiosmtpd on loopback."""

import html
import re
from datetime import timedelta

import pytest

from guichet.admin import accounts
from guichet.programmes.models import utcnow
from tests.digests.conftest import BASE_URL, smtp_server  # noqa: F401
from tests.security.conftest import ADMIN, CURATOR, csrf_token, login


@pytest.fixture
def app_config(app_config, smtp_server):  # noqa: F811
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_TIMEOUT": 5,
            "BASE_URL": BASE_URL, "MAIL_FROM": "Guichet <ne-pas-repondre@guichet.test>"}


def ask(client, email):
    token = csrf_token(client, "/admin/login/lien")
    return client.post("/admin/login/lien", data={"email": email, "csrf_token": token})


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def link_path(message) -> str:
    [url] = re.findall(re.escape(BASE_URL) + r"(/admin/login/lien/[A-Za-z0-9_\-]+)", message.text)
    return url


def use(client, path):
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    return page, client.post(path, data={"csrf_token": token.group(1) if token else ""})


def test_a_login_link_logs_an_admin_in_once_even_while_the_password_is_throttled(app, staff, smtp_server):
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):  # someone guesses the admin's password
        login(client, ADMIN[0], "devine")
    assert login(client, *ADMIN).status_code == 429

    same_answer = "Si un compte administrateur existe pour cette adresse, un lien de connexion vient de lui être envoyé"
    for email in (ADMIN[0], "personne@anct.test", CURATOR[0]):  # no enumeration: one answer
        response = ask(client, email)
        assert response.status_code == 200 and same_answer in text(response)
    [message] = smtp_server.wait_for(1)
    assert message.to == ADMIN[0] and "lien de connexion" in message.subject
    assert "valable 15 minutes, une seule fois" in message.text
    path = link_path(message)

    page = app.test_client().get(path)  # a mail scanner following the link spends nothing
    assert page.status_code == 200 and "Me connecter" in text(page)
    owner = app.test_client()
    page, response = use(owner, path)
    assert response.status_code == 302
    assert owner.get("/admin/utilisateurs").status_code == 200  # logged in, as the admin
    # Once only.
    page = app.test_client().get(path)
    assert page.status_code == 410
    assert "n’est plus valable" in text(page)
    assert app.test_client().get("/admin/login/lien/pas-un-jeton").status_code == 410
    assert smtp_server.wait_for(1, timeout=0.2) and len(smtp_server.messages) == 1  # curator, nobody: no mail


def test_a_link_expires_and_requests_are_limited_per_account_and_address(app, staff, store, smtp_server):
    now = utcnow()
    found = accounts.request_login_link(store, ADMIN[0], "192.0.2.1", app.config, now=now)
    store.commit()
    _user, token = found
    later = now + timedelta(minutes=app.config["LOGIN_LINK_MINUTES"], seconds=1)
    assert accounts.use_login_link(store, token, now=later) is None  # expired
    assert accounts.use_login_link(store, token, now=now + timedelta(minutes=1)) is not None
    # Per account: past the limit no link is made (the page answers as usual).
    for _ in range(app.config["LOGIN_LINKS_PER_ACCOUNT"] - 1):
        assert accounts.request_login_link(store, ADMIN[0], "192.0.2.2", app.config, now=now) is not None
    assert accounts.request_login_link(store, ADMIN[0], "192.0.2.3", app.config, now=now) is None
    assert accounts.request_login_link(store, ADMIN[0], "192.0.2.3", app.config,
                                       now=now + timedelta(hours=1, seconds=1)) is not None
    store.commit()
    # Per address: a French 429.
    client = app.test_client()
    statuses = [ask(client, f"inconnu{n}@anct.test").status_code
                for n in range(app.config["LOGIN_LINKS_PER_ADDRESS"] + 1)]
    assert statuses[:-1] == [200] * app.config["LOGIN_LINKS_PER_ADDRESS"] and statuses[-1] == 429
    assert "Trop de demandes de lien de connexion" in text(ask(client, ADMIN[0]))
    # A session opened by a link ends at logout like any other.
    link = accounts.request_login_link(store, ADMIN[0], "198.51.100.9", app.config, now=now + timedelta(hours=2))
    store.commit()
    admin = app.test_client()
    use(admin, f"/admin/login/lien/{link[1]}")
    assert admin.get("/admin/utilisateurs").status_code == 200
    admin.post("/admin/logout", data={"csrf_token": csrf_token(admin, "/admin/")})
    assert admin.get("/admin/utilisateurs").status_code == 302
