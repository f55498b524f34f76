"""The API's answers are compressed once per body and per process (guichet.web.compression):
every encoding gives the same JSON, each representation has its ETag and its 304, and a
write by another process is served at once, never a body kept from before."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import brotli
import pytest

from guichet.web import compression
from guichet.web.compression import EncodedBodies, zstd

REPO_ROOT = Path(__file__).resolve().parents[2]
DECOMPRESS = {"zstd": zstd.decompress, "br": brotli.decompress, "gzip": gzip.decompress}
SEARCH = "/api/v1/programmes?q=v%C3%A9lo"

# Run by another process on the test's store and index: a curator's edit, say.
WRITER = """
import json, sys
from guichet import create_app
from guichet.programmes.models import Programme

app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    with app.extensions["guichet.db"].session() as session:
        session.get(Programme, sys.argv[2]).title = sys.argv[3]
        session.commit()
"""


@pytest.fixture
def cycling(make_programme):
    return [make_programme(title=f"Plan vélo {number}", summary="Pistes cyclables et stationnement. " * 5)
            for number in range(5)]


@pytest.mark.parametrize("path", [SEARCH, "/api/v1/programmes/{first}"])
def test_every_encoding_gives_the_same_json_and_its_own_304(client, cycling, path):
    path = path.format(first=cycling[0])
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.get_json()["results" if path == SEARCH else "id"]
    etags = {plain.headers["ETag"]}
    for encoding, decompress in DECOMPRESS.items():
        for _twice in range(2):  # compressed once, then from the process's cache: the same bytes
            answer = client.get(path, headers={"Accept-Encoding": encoding})
            assert answer.headers["Content-Encoding"] == encoding
            assert "Accept-Encoding" in answer.headers["Vary"]
            assert decompress(answer.data) == plain.data
            assert int(answer.headers["Content-Length"]) == len(answer.data) < len(plain.data)
            assert answer.headers["Cache-Control"] == "public, max-age=60"
        etags.add(answer.headers["ETag"])
        again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == answer.headers["ETag"]
        # another representation's tag does not stand for this one
        assert client.get(path, headers={"Accept-Encoding": encoding,
                                         "If-None-Match": plain.headers["ETag"]}).status_code == 200
    assert len(etags) == 4


def test_the_client_preference_comes_first_then_ours(client, cycling):
    def chosen(accept):
        return client.get(SEARCH, headers={"Accept-Encoding": accept}).headers.get("Content-Encoding")

    assert chosen("gzip, deflate, br, zstd") == "zstd"
    assert chosen("gzip, deflate, br") == "br"
    assert chosen("br;q=0.5, gzip") == "gzip"
    assert chosen("deflate") is None
    assert chosen("*") == "zstd"
    # too small to be worth it: as it is
    assert client.get("/api/v1/programmes?q=introuvablemot", headers={"Accept-Encoding": "br"}).headers.get(
        "Content-Encoding") is None


def test_an_answer_asked_again_is_not_compressed_again(client, cycling, monkeypatch):
    calls = []
    compress = compression.compress
    monkeypatch.setattr(compression, "compress", lambda data, encoding: calls.append(encoding) or compress(data, encoding))
    first = client.get(SEARCH, headers={"Accept-Encoding": "zstd"})
    second = client.get(SEARCH, headers={"Accept-Encoding": "zstd"})
    assert calls == ["zstd"] and second.data == first.data
    client.get(SEARCH, headers={"Accept-Encoding": "br"})
    client.get(SEARCH, headers={"Accept-Encoding": "br"})
    assert calls == ["zstd", "br"]


def test_a_write_by_another_process_is_served_at_once(app_config, client, cycling, tmp_path):
    headers = {"Accept-Encoding": "zstd"}
    search = client.get(SEARCH, headers=headers)
    record = client.get(f"/api/v1/programmes/{cycling[0]}", headers=headers)
    assert client.get(SEARCH, headers={**headers, "If-None-Match": search.headers["ETag"]}).status_code == 304

    subprocess.run([sys.executable, "-c", WRITER, json.dumps(app_config), cycling[0], "Plan vélo 0 (édition 2027)"],
                   env={"GUICHET_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(REPO_ROOT),
                        "PATH": "/usr/bin:/bin"}, check=True, timeout=120)

    changed = client.get(SEARCH, headers={**headers, "If-None-Match": search.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != search.headers["ETag"]
    titles = {result["id"]: result["title"] for result in json.loads(zstd.decompress(changed.data))["results"]}
    assert titles[cycling[0]] == "Plan vélo 0 (édition 2027)"
    assert zstd.decompress(changed.data) == client.get(SEARCH, headers={"Accept-Encoding": "identity"}).data
    one = client.get(f"/api/v1/programmes/{cycling[0]}", headers={**headers, "If-None-Match": record.headers["ETag"]})
    assert one.status_code == 200 and json.loads(zstd.decompress(one.data))["title"] == "Plan vélo 0 (édition 2027)"


def test_the_cache_keeps_within_its_size():
    bodies = [bytes([number]) * 4000 + bytes(range(256)) * 8 for number in range(4)]
    size = len(compression.compress(bodies[0], "gzip"))
    cache = EncodedBodies(max_bytes=2 * size + size // 2)  # room for two
    for number, body in enumerate(bodies):
        assert gzip.decompress(cache.get(f"digest-{number}", "gzip", body)) == body
    assert len(cache) == 2
    cache.get("digest-2", "gzip", bodies[2])  # the older of the two kept is used: the other goes next
    cache.get("digest-0", "gzip", bodies[0])
    assert set(key for key, _encoding in cache._bodies) == {"digest-2", "digest-0"}
    nothing_kept = EncodedBodies(max_bytes=0)
    assert gzip.decompress(nothing_kept.get("digest", "gzip", bodies[0])) == bodies[0] and len(nothing_kept) == 0
