"""HTTP for every source: polite, patient, incremental.

- a User-Agent that names the service and where to reach its operators;
- timeouts, and retries with exponential backoff on connection errors, 429 and 5xx that honour
  ``Retry-After`` (urllib3 ``Retry`` mounted on the requests Session, not a hand-written loop);
- politeness: at least ``delay`` seconds between two requests to one host (process-wide);
- robots.txt honoured (``urllib.robotparser``, read once per host and client), its
  ``Crawl-delay`` too when longer than ``delay`` (a ``delay`` of 0, tests and replays, turns politeness off);
- conditional requests: the ETag / Last-Modified of each URL are kept in a cache (the store's
  ``source_http_cache`` in a real run) and sent back; a 304 comes back as ``not_modified`` with
  the body seen last time;
- addresses: outside a replay, no request (nor redirect) goes to a private, loopback, link-local
  or otherwise reserved address (issue 12, M5), unless ``allow_private_addresses``; a redirect
  is followed only when its target passes the same check and, for a document found in a page,
  stays on the source's hosts (``send(..., hosts=...)``). The name is checked before the request
  (a clear refusal, nothing sent) and the address actually connected to is checked again on the
  socket, before a byte is written: a name that resolved to a public address for the first check
  and to a private one when urllib3 connected (DNS rebinding) is refused too;
- replay: with a replay URL, every ``https://host/path`` is asked of ``<replay>/host/path``
  (a local server answering recorded responses); politeness and robots still key on the real host.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import logging
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib import robotparser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

log = logging.getLogger(__name__)

VERSION = "0.1"
RETRY_STATUSES = (429, 500, 502, 503, 504)
ROBOTS_AGENT = "GuichetBot"


class FetchError(Exception):
    """A request that did not give a usable answer (after retries)."""

    def __init__(self, message: str, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class Disallowed(FetchError):
    """robots.txt of the host forbids this URL to us."""


@dataclass(frozen=True)
class Request:
    """One request of a source, described as data (so it can be cached, logged and replayed).

    ``files``: multipart parts sent as files, ``{name: (filename, content, content_type)}``.
    """

    url: str
    method: str = "GET"
    params: dict | None = None
    headers: dict = field(default_factory=dict)
    data: dict | None = None
    json: object = None
    files: dict | None = None

    @property
    def full_url(self) -> str:
        if not self.params:
            return self.url
        separator = "&" if urlsplit(self.url).query else "?"
        return f"{self.url}{separator}{urlencode(self.params, safe='*')}"

    def cache_key(self) -> str:
        """Method, URL and body parts: not the headers (an auth token changes, the resource does not)."""
        identity = json.dumps({
            "method": self.method.upper(), "url": self.full_url, "data": self.data, "json": self.json,
            "files": {name: [part[0], _text(part[1]), part[2] if len(part) > 2 else None]
                      for name, part in sorted((self.files or {}).items())},
        }, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(identity.encode("utf-8")).hexdigest()

    def with_headers(self, **headers) -> "Request":
        return replace(self, headers={**self.headers, **{name.replace("_", "-"): value
                                                         for name, value in headers.items()}})

    def with_params(self, **params) -> "Request":
        return replace(self, params={**(self.params or {}), **params})


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


@dataclass
class Fetched:
    """A source's answer: status, headers, body. ``not_modified``: the server said 304 and
    ``content`` is the body kept from last time (empty when none was kept)."""

    url: str
    status: int
    headers: dict
    content: bytes
    not_modified: bool = False
    request: Request | None = None

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding, "replace")

    @property
    def encoding(self) -> str:
        content_type = self.headers.get("Content-Type") or self.headers.get("content-type") or ""
        for part in content_type.split(";"):
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip('"')
        return "utf-8"

    def json(self):
        try:
            return json.loads(self.content.decode(self.encoding))
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"réponse qui n’est pas du JSON ({error})") from None

    @classmethod
    def from_file(cls, path, url: str) -> "Fetched":
        with open(path, "rb") as handle:
            return cls(url=url, status=200, headers={}, content=handle.read())


@dataclass
class CachedResponse:
    etag: str | None
    last_modified: str | None
    body: bytes | None
    content_type: str | None = None


class HttpCache(Protocol):
    def get(self, key: str) -> CachedResponse | None: ...

    def put(self, key: str, url: str, cached: CachedResponse) -> None: ...


class MemoryCache:
    def __init__(self):
        self.entries: dict[str, CachedResponse] = {}

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, url, cached):
        self.entries[key] = cached


class Politeness:
    """At least ``delay`` seconds between the starts of two requests to one host, across threads
    and clients of the process (two sources on one host share the budget)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next_allowed: dict[str, float] = {}

    def wait(self, host: str, delay: float) -> None:
        if delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_allowed.get(host, 0.0))
            self._next_allowed[host] = start + delay
        if start > now:
            time.sleep(start - now)


POLITENESS = Politeness()
# Set to a list to collect (host, monotonic time) of every request sent in the process (benchmarks).
SENT_LOG: list | None = None


def user_agent(contact_url: str) -> str:
    return (f"GuichetBot/{VERSION} (Guichet, recherche de financements publics pour les communes; "
            f"+{contact_url})")


class _GuardedSession(requests.Session):
    """A requests Session that asks its client before following a redirect (M5)."""

    guard = None

    def get_redirect_target(self, resp):
        target = super().get_redirect_target(resp)
        if target and self.guard is not None:
            self.guard(urljoin(resp.url, target))
        return target


def refused_address(address: str) -> bool:
    """A private, loopback, link-local, multicast, reserved or unspecified address."""
    address = ipaddress.ip_address(address.split("%")[0])
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified)


def private_address(host: str, port: int | None = None) -> str | None:
    """The first private, loopback, link-local, multicast or reserved address the host resolves
    to (a literal address included), or None; an unknown name is left to the request to fail."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return None
    for info in infos:
        if refused_address(info[4][0]):
            return info[4][0].split("%")[0]
    return None


def _private_refusal(host: str, address: str) -> str:
    return f"adresse refusée : « {host} » désigne une adresse privée ou locale ({address})"


class PrivateAddressConnected(Exception):
    """The socket reached a refused address although the name passed the check before the request.
    Deliberately not an OSError: urllib3 neither wraps nor retries it, the client reports it."""

    def __init__(self, host: str, address: str):
        super().__init__(host, address)
        self.host, self.address = host, address


class _PeerCheckedConnection:
    """Checks the address the new socket is connected to, before anything is sent on it."""

    def _new_conn(self):
        sock = super()._new_conn()
        address = sock.getpeername()[0]
        if refused_address(address):
            sock.close()
            raise PrivateAddressConnected(self.host, address.split("%")[0])
        return sock


class _PeerCheckedHTTPConnection(_PeerCheckedConnection, HTTPConnection):
    pass


class _PeerCheckedHTTPSConnection(_PeerCheckedConnection, HTTPSConnection):
    pass


class _PeerCheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PeerCheckedHTTPConnection


class _PeerCheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PeerCheckedHTTPSConnection


class _PeerCheckedAdapter(HTTPAdapter):
    """requests' adapter whose connections check their peer address (outside a replay)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PeerCheckedHTTPPool, "https": _PeerCheckedHTTPSPool}


class HttpClient:
    def __init__(self, *, user_agent: str, timeout: float = 30.0, delay: float = 1.0, retries: int = 4,
                 backoff: float = 0.5, cache: HttpCache | None = None, replay_url: str | None = None,
                 respect_robots: bool = True, politeness: Politeness = POLITENESS,
                 allow_private_addresses: bool = False):
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.cache = cache
        self.replay_url = replay_url.rstrip("/") if replay_url else None
        self.respect_robots = respect_robots
        self.politeness = politeness
        self.robots: dict[str, robotparser.RobotFileParser] = {}
        # (host, monotonic time) of every request sent: benchmarks and tests read it.
        self.sent: list[tuple[str, float]] = []
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                      status_forcelist=RETRY_STATUSES, allowed_methods=None, respect_retry_after_header=True,
                      raise_on_status=False)
        self.allow_private_addresses = allow_private_addresses
        self._hosts_checked: dict[str, str | None] = {}
        self._redirect_hosts: set | None = None
        # Set by the harvest while it fetches a document found in a page: the source's own hosts.
        self.document_hosts: set | None = None
        self.session = _GuardedSession()
        self.session.guard = self._check_redirect
        self.session.headers["User-Agent"] = user_agent
        checked = not (self.replaying or allow_private_addresses)
        adapter = (_PeerCheckedAdapter if checked else HTTPAdapter)(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @property
    def replaying(self) -> bool:
        return self.replay_url is not None

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- helpers ----------------------------------------------------------------------------
    def get(self, url: str, **kwargs) -> Fetched:
        return self.send(Request(url, **kwargs))

    def _effective_url(self, url: str) -> str:
        if not self.replay_url:
            return url
        parts = urlsplit(url)
        return f"{self.replay_url}/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def _http(self, method: str, url: str, **kwargs) -> requests.Response:
        host = urlsplit(url).netloc
        self.politeness.wait(host, self.host_delay(url))
        self.sent.append((host, time.monotonic()))
        if SENT_LOG is not None:
            SENT_LOG.append(self.sent[-1])
        try:
            return self.session.request(method, self._effective_url(url), timeout=self.timeout, **kwargs)
        except PrivateAddressConnected as error:
            raise FetchError(_private_refusal(error.host, error.address), url) from None
        except requests.exceptions.RequestException as error:
            raise FetchError(f"la source ne répond pas ({type(error).__name__}: {error})", url) from None

    # -- where requests may go (M5) -----------------------------------------------------------
    def check_url(self, url: str, hosts: set | None = None) -> None:
        """Raises FetchError for a URL this client must not ask: not http(s), outside ``hosts``
        (when given), or resolving to a private or local address (outside a replay)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"adresse refusée : « {url} » n’est pas une adresse http ou https", url)
        host = (parts.hostname or "").lower()
        if hosts is not None and host not in hosts:
            raise FetchError(f"adresse refusée : « {parts.netloc} » n’est pas un hôte de la source", url)
        if self.replaying or self.allow_private_addresses:
            return  # recorded responses are served from loopback on purpose (explicit configuration)
        if host not in self._hosts_checked:
            try:
                port = parts.port
            except ValueError:
                port = None
            self._hosts_checked[host] = private_address(host, port)
        found = self._hosts_checked[host]
        if found:
            raise FetchError(_private_refusal(host, found), url)

    def _check_redirect(self, target: str) -> None:
        if self.replay_url and target.startswith(self.replay_url + "/"):
            target = "https://" + target[len(self.replay_url) + 1:]  # back to the real host's address
        self.check_url(target, self._redirect_hosts)

    # -- robots.txt -------------------------------------------------------------------------
    def host_delay(self, url: str) -> float:
        """Seconds between two requests to the URL's host: ``delay``, or the host's robots.txt
        ``Crawl-delay`` when longer (none while politeness is off, ``delay`` 0)."""
        if self.delay <= 0:
            return 0.0
        parser = self.robots.get(_origin(url))
        crawl_delay = parser.crawl_delay(ROBOTS_AGENT) if parser is not None else None
        return max(self.delay, float(crawl_delay or 0))

    def allowed(self, url: str) -> bool:
        if not self.respect_robots:
            return True
        origin = _origin(url)
        parser = self.robots.get(origin)
        if parser is None:
            parser = robotparser.RobotFileParser(f"{origin}/robots.txt")
            try:
                response = self._http("GET", f"{origin}/robots.txt")
            except FetchError as error:
                # An unreachable robots.txt is not a refusal; the request itself will tell.
                log.info("robots.txt of %s unreachable (%s): allowed", origin, error)
                parser.allow_all = True
            else:
                if response.status_code in (401, 403):
                    parser.disallow_all = True
                elif response.status_code >= 400:
                    parser.allow_all = True
                else:
                    parser.parse(response.text.splitlines())
            self.robots[origin] = parser
        return parser.can_fetch(ROBOTS_AGENT, url)

    # -- the request ------------------------------------------------------------------------
    def send(self, request: Request, *, conditional: bool = True, allow_status=(), hosts: set | None = None) -> Fetched:
        """Send one request; raises FetchError unless the answer is 2xx, 304 or in ``allow_status``.
        ``hosts``: the only hosts the request and its redirects may reach (a document found in a page)."""
        url = request.full_url
        hosts = hosts if hosts is not None else self.document_hosts
        self.check_url(url, hosts)
        self._redirect_hosts = hosts
        try:
            return self._send(request, url, conditional=conditional, allow_status=allow_status)
        finally:
            self._redirect_hosts = None

    def _send(self, request: Request, url: str, *, conditional: bool, allow_status) -> Fetched:
        if not self.allowed(url):
            raise Disallowed("robots.txt de la source interdit cette adresse", url)
        headers = dict(request.headers)
        key = request.cache_key()
        cached = self.cache.get(key) if (self.cache is not None and conditional) else None
        if cached is not None:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        files = None
        if request.files:
            files = {name: tuple(part) for name, part in request.files.items()}
        response = self._http(request.method.upper(), url, headers=headers, data=request.data,
                              json=request.json, files=files)
        response_headers = dict(response.headers)
        if response.status_code == 304 and cached is not None:
            return Fetched(url, 304, response_headers, cached.body or b"", not_modified=True, request=request)
        if response.status_code >= 400 or response.status_code == 304:
            if response.status_code in allow_status:
                return Fetched(url, response.status_code, response_headers, response.content, request=request)
            raise FetchError(f"la source a répondu {response.status_code} {response.reason or ''}".strip(), url,
                             response.status_code)
        etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if self.cache is not None and (etag or last_modified):
            self.cache.put(key, url, CachedResponse(etag, last_modified, response.content,
                                                    response.headers.get("Content-Type")))
        return Fetched(url, response.status_code, response_headers, response.content, request=request)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def requests_per_second(sent: list[tuple[str, float]]) -> dict[str, float]:
    """The highest rate seen per host: 1 / the shortest gap between two requests to it."""
    by_host: dict[str, list[float]] = {}
    for host, moment in sent:
        by_host.setdefault(host, []).append(moment)
    rates = {}
    for host, moments in by_host.items():
        moments.sort()
        gaps = [later - earlier for earlier, later in zip(moments, moments[1:])]
        rates[host] = (1 / min(gaps)) if gaps and min(gaps) > 0 else (float("inf") if gaps else 0.0)
    return rates


def absolute(base: str, link: str | None) -> str | None:
    """A link made absolute against the page it was found on."""
    from urllib.parse import urljoin

    return urljoin(base, link.strip()) if link else None


def replace_query(url: str, **params) -> str:
    """The URL with these query parameters set (others kept): for page-number pagination."""
    from urllib.parse import parse_qsl

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({name: str(value) for name, value in params.items()})
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
