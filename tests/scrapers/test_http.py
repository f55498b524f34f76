"""scrapers/http.py against a real local server: retries, Retry-After, politeness, robots.txt,
conditional requests, replay URL rewriting."""

import time

import pytest

from scrapers.http import Disallowed, FetchError, HttpClient, MemoryCache, Politeness, Request, requests_per_second
from scrapers.replay import ReplayServer

HOST = "source.example"
URL = f"https://{HOST}/api/items?page=1"


@pytest.fixture
def server():
    replay = ReplayServer()
    replay.add("GET", f"https://{HOST}/robots.txt", body="User-agent: *\nDisallow: /prive/\n")
    replay.add("GET", URL, headers={"Content-Type": "application/json", "ETag": '"v1"'}, body='{"items": [1, 2]}')
    replay.start()
    yield replay
    replay.stop()


def client_for(server, **options):
    settings = dict(user_agent="GuichetBot/test (+https://guichet.test/)", delay=0, backoff=0, timeout=5,
                    replay_url=server.url, politeness=Politeness())
    settings.update(options)
    return HttpClient(**settings)


def list_requests(server):
    return [request for request in server.requests if request.path == "/api/items"]


def test_user_agent_names_the_service_and_a_contact(server):
    from scrapers.http import user_agent

    with client_for(server, user_agent=user_agent("https://guichet.example.gouv.fr/")) as client:
        assert client.get(URL).json() == {"items": [1, 2]}
    agent = list_requests(server)[0].headers["User-Agent"]
    assert "Guichet" in agent and "https://guichet.example.gouv.fr/" in agent


def test_a_500_is_retried_then_the_answer_comes(server):
    server.add("GET", URL, status=500, body="erreur", times=2)
    with client_for(server) as client:
        response = client.get(URL)
    assert response.status == 200
    assert len(list_requests(server)) == 3


def test_a_persistent_500_is_a_fetch_error(server):
    server.add("GET", URL, status=503, body="maintenance")
    with client_for(server, retries=2) as client, pytest.raises(FetchError) as error:
        client.get(URL)
    assert error.value.status == 503
    assert len(list_requests(server)) == 3  # the first try and two retries


def test_429_waits_for_retry_after(server):
    server.add("GET", URL, status=429, headers={"Retry-After": "1"}, body="trop de requêtes", times=1)
    with client_for(server) as client:
        started = time.monotonic()
        response = client.get(URL)
        elapsed = time.monotonic() - started
    assert response.status == 200
    first, second = list_requests(server)
    assert second.at - first.at >= 0.95 and elapsed >= 0.95


def test_connection_errors_are_fetch_errors():
    dead = ReplayServer()
    dead.start()
    url = dead.url
    dead.stop()
    with HttpClient(user_agent="t", delay=0, backoff=0, retries=1, timeout=2, replay_url=url,
                    politeness=Politeness()) as client, pytest.raises(FetchError):
        client.get(URL)


def test_politeness_spaces_requests_to_one_host(server):
    other = "https://autre.example/api"
    server.add("GET", "https://autre.example/robots.txt", status=404)
    server.add("GET", other, body="{}")
    with client_for(server, delay=0.2) as client:
        for _ in range(3):
            client.get(URL)
        client.get(other)
    moments = [request.at for request in list_requests(server)]
    assert all(later - earlier >= 0.19 for earlier, later in zip(moments, moments[1:]))
    assert requests_per_second(client.sent)[HOST] <= 1 / 0.19


def test_robots_txt_crawl_delay_lengthens_the_politeness_delay(server):
    slow = "https://lent.example/api"
    server.add("GET", "https://lent.example/robots.txt", body="User-agent: *\nCrawl-delay: 1\n")
    server.add("GET", slow, body="{}")
    with client_for(server, delay=0.05) as client:
        client.get(slow)
        client.get(slow)
        client.get(URL)
        client.get(URL)
        assert client.host_delay(slow) == 1 and client.host_delay(URL) == 0.05
    [first, second] = [request.at for request in server.requests_to("lent.example", "/api")]
    assert second - first >= 0.99
    assert requests_per_second(client.sent)[HOST] > 1  # other hosts keep our own delay
    with client_for(server, delay=0) as client:  # politeness off (tests, replays): no Crawl-delay either
        client.get(slow)
        assert client.host_delay(slow) == 0


def test_robots_txt_is_honoured_and_read_once(server):
    server.add("GET", f"https://{HOST}/prive/liste", body="secret")
    with client_for(server) as client:
        with pytest.raises(Disallowed):
            client.get(f"https://{HOST}/prive/liste")
        client.get(URL)
        client.get(URL)
    assert server.requests_to(HOST, "/prive/liste") == []
    assert len(server.requests_to(HOST, "/robots.txt")) == 1


def test_a_missing_robots_txt_allows_everything():
    replay = ReplayServer()
    replay.add("GET", "https://sans-robots.example/x", body="ok")
    replay.start()
    try:
        with HttpClient(user_agent="t", delay=0, backoff=0, replay_url=replay.url, politeness=Politeness()) as client:
            assert client.get("https://sans-robots.example/x").text == "ok"
    finally:
        replay.stop()


def test_conditional_requests_and_304(server):
    cache = MemoryCache()
    with client_for(server, cache=cache) as client:
        first = client.get(URL)
        second = client.get(URL)
    assert (first.status, first.not_modified) == (200, False)
    assert (second.status, second.not_modified) == (304, True)
    assert second.json() == {"items": [1, 2]}  # the body kept from last time
    sent = list_requests(server)
    assert "If-None-Match" not in sent[0].headers and sent[1].headers["If-None-Match"] == '"v1"'


def test_last_modified_alone_is_used_too(server):
    url = f"https://{HOST}/api/modifie"
    server.add("GET", url, headers={"Last-Modified": "Tue, 24 Nov 2026 05:00:00 GMT"}, body="[]")
    with client_for(server, cache=MemoryCache()) as client:
        client.get(url)
        assert client.get(url).not_modified
    assert server.requests_to(HOST, "/api/modifie")[1].headers["If-Modified-Since"] == "Tue, 24 Nov 2026 05:00:00 GMT"


def test_multipart_file_parts_are_sent_as_files(server):
    url = f"https://{HOST}/search?apiKey=SEDIA"
    server.add("POST", url, body="{}")
    request = Request(f"https://{HOST}/search", method="POST", params={"apiKey": "SEDIA"},
                      files={"query": ("blob", '{"bool": {}}', "application/json")})
    with client_for(server) as client:
        client.send(request)
    sent = server.requests_to(HOST, "/search")[0]
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="query"; filename="blob"' in sent.body and b"Content-Type: application/json" in sent.body
