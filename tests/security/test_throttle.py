"""M4: login throttling is a delay per account and per address, stored in the store (the same
for every web worker), never a lock on the real owner; GUICHET_TRUSTED_PROXIES reads the
client address behind a reverse proxy (werkzeug ProxyFix) and nothing else trusts
X-Forwarded-For."""

from datetime import timedelta

import pytest

from guichet import create_app
from guichet.admin import accounts
from guichet.programmes.models import utcnow
from tests.security.conftest import ADMIN, CURATOR, login


def test_the_owner_waits_seconds_not_a_lock(app, staff, store):
    rules = accounts.ThrottleRules.from_config(app.config)
    start = utcnow()
    for second in range(rules.per_account):  # someone guesses from elsewhere
        accounts.authenticate(store, CURATOR[0], "devine", "203.0.113.66", rules, now=start + timedelta(seconds=second))
    store.commit()
    last = start + timedelta(seconds=rules.per_account - 1)
    with pytest.raises(accounts.LoginThrottled) as throttled:
        accounts.authenticate(store, CURATOR[0], CURATOR[1], "192.0.2.10", rules, now=last + timedelta(seconds=5))
    assert 20 <= throttled.value.retry_after <= 31
    assert "attendez" in throttled.value.message and "secondes" in throttled.value.message
    # Thirty seconds later the owner is in, with the right password.
    user = accounts.authenticate(store, CURATOR[0], CURATOR[1], "192.0.2.10", rules, now=last + timedelta(seconds=31))
    assert user is not None


def test_each_further_failure_doubles_the_delay_up_to_the_cap(app, staff, store):
    rules = accounts.ThrottleRules.from_config(app.config)
    assert [accounts.throttle_delay(count, 5, rules).total_seconds() for count in (4, 5, 6, 7, 9, 30)] == \
        [0, 30, 60, 120, 300, 300]
    now = utcnow()
    for _ in range(rules.per_account + 1):
        accounts.record_attempt(store, CURATOR[0], "203.0.113.66", False, now)
    store.commit()
    with pytest.raises(accounts.LoginThrottled) as throttled:
        accounts.check_throttle(store, CURATOR[0], "192.0.2.10", rules, now + timedelta(seconds=31))
    assert 25 <= throttled.value.retry_after <= 30  # 60 s after the sixth failure
    accounts.check_throttle(store, CURATOR[0], "192.0.2.10", rules, now + timedelta(seconds=61))


def test_the_throttle_holds_across_workers(app, app_config, staff, tmp_path, monkeypatch):
    """Two web workers (two apps on one store): failures seen by one are counted by the other."""
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-2"))
    other_worker = create_app(app_config)
    try:
        first = app.test_client()
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            assert login(first, CURATOR[0], "mauvais mot de passe").status_code == 401
        response = login(other_worker.test_client(), *CURATOR)
        assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    finally:
        other_worker.extensions["guichet.db"].dispose()


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TRUSTED_PROXIES": 1, "LOGIN_MAX_FAILURES_PER_ADDRESS": 6}

    def test_clients_behind_the_proxy_are_told_apart(self, app, staff):
        guesser = app.test_client()
        guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        for number in range(6):
            assert login(guesser, f"personne{number}@anct.test", "mauvais").status_code == 401
        assert login(guesser, *ADMIN).status_code == 429
        colleague = app.test_client()  # same proxy (same socket address), another person
        colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.8"
        assert login(colleague, *ADMIN).status_code == 302


class TestWithoutAProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LOGIN_MAX_FAILURES_PER_ADDRESS": 6}

    def test_a_forged_forwarded_header_escapes_nothing(self, app, staff):
        guesser = app.test_client()
        for number in range(6):
            guesser.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{number}"
            assert login(guesser, f"personne{number}@anct.test", "mauvais").status_code == 401
        guesser.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
        assert login(guesser, *ADMIN).status_code == 429
