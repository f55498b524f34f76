"""L3: the confirmation e-mail, which anyone can have sent to any address, quotes nothing the
requester typed, and the per-address limit holds whatever the sub-address. Real aiosmtpd."""

from tests.digests.conftest import app_config, smtp_server  # noqa: F401
from tests.digests.test_views import csrf_fields, page_text

SPAM = "Gagnez 1000 euros sur arnaque.example maintenant"


def _request(client, email, words=SPAM):
    page = client.get("/abonnement")
    return client.post("/abonnement", data={"email": email, "frequency": "daily", "q": words,
                                            **csrf_fields(page_text(page))})


def test_the_confirmation_quotes_no_free_text(client, smtp_server):
    assert _request(client, "victime@commune.example").status_code == 200
    [message] = smtp_server.wait_for(1)
    for body in (message.text, message.html):
        assert "arnaque" not in body and "Gagnez" not in body
        assert "Mots-clés : ceux de votre recherche (affichés après confirmation)" in body
    assert "arnaque" not in message.subject


def test_sub_addresses_share_the_limit_of_their_mailbox(app, client, smtp_server):
    limit = app.config["SUBSCRIPTION_LIMIT_PER_ADDRESS"]
    for number in range(limit):
        assert _request(client, f"Victime+{number}@commune.example", f"eau {number}").status_code == 200
    response = _request(client, f"victime+{limit}@commune.example", "eau encore")
    assert response.status_code == 429
    assert _request(client, "v.i.c.t.i.m.e@gmail.com", "eau").status_code == 200
    for number, variant in zip(range(limit - 1), ("vic.time", "V.ictime", "victim.e")):
        assert _request(client, f"{variant}@googlemail.com", f"voirie {number}").status_code == 200
    assert _request(client, "victime@gmail.com", "voirie encore").status_code == 429
