"""Compressed answers: one choice of encodings and levels for pages (Flask-Compress) and the API.

Pages are compressed by Flask-Compress after each request. The API's JSON answers compress
themselves (``encoded``): the compressed bytes are kept per process, keyed by the digest of
the plain bytes, so that an answer asked again (the same search by many visitors, a site that
polls the API) is compressed once. A key made of the bytes' digest cannot serve anything stale:
a change anywhere (another process's write, a new day) gives other bytes, hence another key.
"""

import gzip
import hashlib
import sys
import threading
from collections import OrderedDict

import brotli

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # Flask-Compress depends on the backport before Python 3.14
    from backports import zstd

# Preferred first when the client accepts several: zstd is the fastest to compute for its size
# (browsers of 2024 on send it), then brotli, then gzip for every other client.
ENCODINGS = ("zstd", "br", "gzip")
# Pages are compressed on every request: fast levels. On a search's JSON (43 KB) and page
# (53 KB), brotli 2 and gzip 4 send 5 to 11 % more bytes than brotli 4 and gzip 6, in 35 to
# 75 % less time; zstd 3 is smaller than brotli 2 and faster still. Static files use
# their own levels (assets).
LEVELS = {"zstd": 3, "br": 2, "gzip": 4}
MIN_SIZE = 500

# Compressed answers (zstd, brotli, else gzip) for every text type people and programs fetch.
COMPRESSION = {
    "COMPRESS_ALGORITHM": list(ENCODINGS),
    "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br"],
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/plain", "text/csv", "text/calendar", "text/javascript",
                           "application/javascript", "application/json", "application/atom+xml", "image/svg+xml"],
    "COMPRESS_MIN_SIZE": MIN_SIZE,
    "COMPRESS_ZSTD_LEVEL": LEVELS["zstd"],
    "COMPRESS_BR_LEVEL": LEVELS["br"],
    "COMPRESS_LEVEL": LEVELS["gzip"],
}


def negotiate(request, size: int) -> str | None:
    """The encoding to answer ``request`` with (None: as it is), as Flask-Compress chooses it:
    the client's preference (quality), then ours (ENCODINGS)."""
    if size < MIN_SIZE:
        return None
    return request.accept_encodings.best_match(ENCODINGS)


def compress(data: bytes, encoding: str) -> bytes:
    if encoding == "zstd":
        return zstd.compress(data, LEVELS["zstd"])
    if encoding == "br":
        return brotli.compress(data, quality=LEVELS["br"])
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=LEVELS["gzip"], mtime=0)
    raise ValueError(f"unknown encoding {encoding!r}")


class EncodedBodies:
    """Compressed bodies by (digest of the plain bytes, encoding), the least recently used ones
    dropped past ``max_bytes`` (compressed sizes counted)."""

    def __init__(self, max_bytes: int = 32 * 2**20):
        self.max_bytes = max_bytes
        self._bodies: OrderedDict = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, digest: str, encoding: str, data: bytes) -> bytes:
        key = (digest, encoding)
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
                return body
        body = compress(data, encoding)  # outside the lock: other threads go on meanwhile
        if len(body) <= self.max_bytes:
            with self._lock:
                if key not in self._bodies:
                    self._bodies[key] = body
                    self._size += len(body)
                while self._size > self.max_bytes:
                    _key, dropped = self._bodies.popitem(last=False)
                    self._size -= len(dropped)
        return body

    def __len__(self) -> int:
        return len(self._bodies)


def encoded(request, data: bytes, cache: EncodedBodies) -> tuple[bytes, str | None, str]:
    """(body to send, its Content-Encoding or None, its strong ETag) for ``data``: the ETag is
    the plain bytes' digest and the encoding, so each representation has its own."""
    digest = hashlib.sha256(data).hexdigest()[:32]  # (sha256: the fastest here, with the CPU's own instructions)
    encoding = negotiate(request, len(data))
    if encoding is None:
        return data, None, f"{digest}-identity"
    return cache.get(digest, encoding, data), encoding, f"{digest}-{encoding}"
