"""A local HTTP server that answers recorded source responses, byte for byte.

Used three ways, always through the real HTTP stack (requests, retries, conditional requests):
the tests (a pytest fixture starts one on a free port), the benchmark, and offline machines
(``GUICHET_SOURCES_REPLAY_DIR=scrapers/recorded``: the scrapers start one in-process).

A request for ``https://host/path?query`` is asked as ``http://127.0.0.1:PORT/host/path?query``
(see ``scrapers.http.HttpClient``). Routes come from recorded directories, each holding a
``responses.json``::

    {"responses": [
      {"method": "GET", "url": "https://host/api/items?page=1", "status": 200,
       "headers": {"Content-Type": "application/json", "ETag": "\\"v1\\""},
       "body_file": "items-page-1.json"},
      {"method": "GET", "url": "https://host/robots.txt", "body": "User-agent: *\\nAllow: /\\n"}
    ]}

or from ``add()`` in a test. The latest route added for a request wins; a route with ``times``
answers that many times and then steps aside (e.g. a 500, then the recorded 200). A route
with an ETag or Last-Modified header answers 304 to a matching conditional request.
Unknown requests get a 404. Every request received is kept in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from requests.structures import CaseInsensitiveDict


def route_key(method: str, host: str, path: str, query: str) -> tuple:
    return (method.upper(), host.lower(), path or "/", tuple(sorted(parse_qsl(query, keep_blank_values=True))))


def url_key(method: str, url: str) -> tuple:
    parts = urlsplit(url)
    return route_key(method, parts.netloc, parts.path, parts.query)


@dataclass
class Route:
    key: tuple
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    times: int | None = None
    delay: float = 0.0


@dataclass
class ReceivedRequest:
    method: str
    host: str
    path: str
    query: str
    headers: dict
    body: bytes
    at: float

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}" + (f"?{self.query}" if self.query else "")


class ReplayServer:
    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.routes: list[Route] = []
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- routes -----------------------------------------------------------------------------
    def add(self, method: str, url: str, *, status: int = 200, headers: dict | None = None, body=b"",
            json_body=None, times: int | None = None, delay: float = 0.0) -> Route:
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        if isinstance(body, str):
            body = body.encode("utf-8")
        route = Route(url_key(method, url), status, dict(headers or {}), body, times, delay)
        with self._lock:
            self.routes.append(route)
        return route

    def load_dir(self, directory) -> int:
        """Every ``responses.json`` in this directory or its direct sub-directories."""
        directory = Path(directory)
        manifests = [directory / "responses.json"] if (directory / "responses.json").exists() else sorted(
            directory.glob("*/responses.json"))
        count = 0
        for manifest in manifests:
            for entry in json.loads(manifest.read_text(encoding="utf-8"))["responses"]:
                if "body_file" in entry:
                    body = (manifest.parent / entry["body_file"]).read_bytes()
                else:
                    body = entry.get("body", "")
                self.add(entry.get("method", "GET"), entry["url"], status=entry.get("status", 200),
                         headers=entry.get("headers"), body=body, times=entry.get("times"))
                count += 1
        return count

    def requests_to(self, host: str, path: str | None = None) -> list[ReceivedRequest]:
        return [request for request in self.requests
                if request.host == host and (path is None or request.path == path)]

    def _match(self, key: tuple) -> Route | None:
        with self._lock:
            for route in reversed(self.routes):
                if route.key == key and (route.times is None or route.times > 0):
                    if route.times is not None:
                        route.times -= 1
                    return route
        return None

    # -- server -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = urlsplit(self.path)
                host, _, path = target.path.lstrip("/").partition("/")
                path = "/" + path
                replay.requests.append(ReceivedRequest(self.command, host, path, target.query,
                                                       CaseInsensitiveDict(self.headers.items()), body,
                                                       time.monotonic()))
                route = replay._match(route_key(self.command, host, path, target.query))
                if replay.latency:
                    time.sleep(replay.latency)
                if route is None:
                    self._send(404, {"Content-Type": "text/plain; charset=utf-8"},
                               f"no recorded response for {self.command} {host}{path}?{target.query}".encode())
                    return
                if route.delay:
                    time.sleep(route.delay)
                etag, modified = route.headers.get("ETag"), route.headers.get("Last-Modified")
                if route.status == 200 and ((etag and self.headers.get("If-None-Match") == etag) or (
                        modified and not etag and self.headers.get("If-Modified-Since") == modified)):
                    self._send(304, {name: value for name, value in route.headers.items()
                                     if name in ("ETag", "Last-Modified")}, b"")
                    return
                self._send(route.status, route.headers, route.body)

            def _send(self, status, headers, body):
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_HEAD = do_PUT = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


_shared: dict[str, ReplayServer] = {}
_shared_lock = threading.Lock()


def shared_server(directory) -> ReplayServer:
    """One replay server per recorded directory and process (offline mode), started on first use."""
    directory = str(Path(directory).resolve())
    with _shared_lock:
        server = _shared.get(directory)
        if server is None:
            if not Path(directory).is_dir():
                raise FileNotFoundError(f"dossier de réponses enregistrées introuvable : {directory}")
            server = ReplayServer()
            server.load_dir(directory)
            server.start()
            _shared[directory] = server
        return server
