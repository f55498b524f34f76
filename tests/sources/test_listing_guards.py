"""Issue 12, M5 and M6: a listing that stops before its end closes nothing; documents found in
pages are fetched only from the source's own hosts, never from private or local addresses."""

from urllib.parse import urlsplit

import pytest

from scrapers.base import Entry, Harvest, ListPage, Source
from scrapers.http import FetchError, HttpClient, Request
from tests.fixtures.replay import RECORDED, replay_server, scraper_app  # noqa: F401
from tests.scrapers.regional_support import programmes, run, runs

HOST = "listes.example.fr"
LIST = f"https://{HOST}/aides"


class Listing(Source):
    """A small JSON listing whose pages say what the test wants (announced count, end marker, links)."""

    slug = "liste-de-test"
    name = "Liste de test"
    url = f"https://{HOST}/"
    has_details = True

    def first_request(self):
        return Request(LIST, params={"page": 1})

    def parse_list(self, response):
        body = response.json()
        following = Request(body["next"]) if body.get("next") else None
        return ListPage(body["items"], following, announced=body.get("count"), last_page=body.get("last"))

    def entry(self, item):
        return Entry(str(item["id"]), item["url"], item)

    def parse(self, entry):
        return {"title": entry.document.text}


def harvest(server, pages: list[dict]):
    for number, body in enumerate(pages, start=1):
        server.add("GET", f"{LIST}?page={number}", json_body=body)
    client = HttpClient(user_agent="GuichetBot/test", delay=0, backoff=0, retries=0, replay_url=server.url,
                        respect_robots=False)
    result = Harvest(Listing(), client)
    return result, list(result)


def item(number, url=None):
    return {"id": number, "url": url or f"https://{HOST}/aides/{number}"}


def test_a_listing_shorter_than_announced_or_before_its_last_page_is_incomplete(replay_server):
    for number in (1, 2, 3):
        replay_server.add("GET", f"https://{HOST}/aides/{number}", body=b"aide")
    # 3 announced, 2 listed, no next page: incomplete.
    result, outcomes = harvest(replay_server, [{"count": 3, "items": [item(1), item(2)]}])
    assert not result.gather_complete
    [error] = [outcome.error for outcome in outcomes if outcome.error and outcome.error.stage == "gather"]
    assert "2 éléments sur 3 annoncés" in error.message
    # The source's marker says this page is not the last one, yet it links to no next page.
    result, outcomes = harvest(replay_server, [{"items": [item(1)], "last": False}])
    assert not result.gather_complete and "sans atteindre sa dernière page" in result.incomplete_reason
    # All announced items, the last page reached: complete.
    result, outcomes = harvest(replay_server, [{"count": 2, "items": [item(1)], "next": f"{LIST}?page=2"},
                                               {"count": 2, "items": [item(2)], "last": True}])
    assert result.gather_complete and result.listed == 2
    assert not [outcome for outcome in outcomes if outcome.error and outcome.error.stage == "gather"]


def test_documents_and_next_pages_off_the_source_hosts_are_refused_unasked(replay_server):
    result, outcomes = harvest(replay_server, [{"items": [item(1, "http://169.254.169.254/latest/meta-data/"),
                                                          item(2, "https://autre-site.example.com/aide"),
                                                          item(3, f"https://{HOST}:8443/aide")]}])
    errors = [outcome.error for outcome in outcomes]
    assert [error.stage for error in errors] == ["fetch", "fetch", "fetch"]
    assert all(error.message.startswith("adresse refusée") for error in errors)
    assert not [request for request in replay_server.requests if request.host != HOST]
    # A next list page pointing elsewhere is a gather error: the listing is incomplete.
    result, outcomes = harvest(replay_server, [{"items": [], "next": "https://ailleurs.example.com/aides?page=2"}])
    assert not result.gather_complete and outcomes[-1].error.stage == "gather"
    assert "n’est pas un hôte de la source" in outcomes[-1].error.message


def test_a_redirect_off_the_source_hosts_is_not_followed(replay_server):
    replay_server.add("GET", f"https://{HOST}/aides/1", status=302,
                      headers={"Location": "https://pirate.example.com/vol"})
    result, outcomes = harvest(replay_server, [{"items": [item(1)]}])
    [outcome] = outcomes
    assert outcome.error.stage == "fetch" and "pirate.example.com" in outcome.error.message
    assert not replay_server.requests_to("pirate.example.com")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost/admin", "http://169.254.169.254/latest/",
                                 "http://[::1]/", "http://10.0.0.8/", "ftp://example.com/x"])
def test_private_loopback_and_link_local_addresses_are_refused_outside_a_replay(url):
    client = HttpClient(user_agent="GuichetBot/test", delay=0, retries=0, respect_robots=False)
    with pytest.raises(FetchError, match="adresse refusée"):
        client.send(Request(url))
    assert client.sent == []  # refused before anything was sent
    allowed = HttpClient(user_agent="GuichetBot/test", delay=0, retries=0, respect_robots=False,
                         allow_private_addresses=True)
    if url.startswith("http"):
        allowed.check_url(url)  # the explicit setting (a local mirror) lets it through


def test_a_run_whose_listing_stops_before_its_last_page_closes_nothing(scraper_app, replay_server):
    slug = "bpifrance"
    assert run(scraper_app, slug).added == 3
    # Page 0 now names page 2 as the last one, and page 1 links to no page 2 (the pagination got lost).
    page = (RECORDED / slug / "list-page-0.html").read_text(encoding="utf-8")
    page = page.replace('pager__item--last"><a href="?page=1"', 'pager__item--last"><a href="?page=2"')
    replay_server.add("GET", "https://www.bpifrance.fr/nos-appels-a-projets-concours", body=page.encode(),
                      headers={"Content-Type": "text/html; charset=UTF-8"})
    second = run(scraper_app, slug)
    assert second.flagged and second.closed == 0 and second.status == "partial"
    assert "dernière page" in second.message and "aucun programme n’a été clos" in second.message
    assert [error.stage for error in runs(scraper_app, slug)[-1].errors] == ["gather"]
    assert all(programme.closed_at is None for programme in programmes(scraper_app, slug).values())


def test_the_address_connected_to_is_checked_again_dns_rebinding(replay_server):
    """A name that passed the check as public and resolves to loopback when urllib3 connects
    (DNS rebinding) is refused on the socket, before a byte of the request is written."""
    client = HttpClient(user_agent="GuichetBot/test", delay=0, retries=2, respect_robots=False)
    client._hosts_checked["localhost"] = None  # what the first resolution answered: a public address
    before = len(replay_server.requests)
    port = urlsplit(replay_server.url).port
    with pytest.raises(FetchError, match=r"adresse refusée : « localhost » désigne une adresse privée ou locale"):
        client.send(Request(f"http://localhost:{port}/{HOST}/aides"))
    assert len(replay_server.requests) == before  # the real server on loopback received nothing
    # The same server is reached when private addresses are allowed (a local mirror): the check is the guard.
    allowed = HttpClient(user_agent="GuichetBot/test", delay=0, retries=0, respect_robots=False,
                         allow_private_addresses=True)
    allowed.send(Request(f"http://localhost:{port}/{HOST}/aides"), allow_status=(404,))
    assert len(replay_server.requests) == before + 1
