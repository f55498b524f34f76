"""Static files: fingerprinted URLs, compressed bodies, a year of caching, 304s."""

import gzip
import re

import brotli


def _stylesheet_url(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'href="(/dsfr/dsfr\.min\.css\?v=[0-9a-f]{12})"', page).group(1)


def test_pages_link_fingerprinted_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'/static/guichet\.css\?v=[0-9a-f]{12}"', page)
    assert re.search(r'/dsfr/dsfr\.module\.min\.js\?v=[0-9a-f]{12}"', page)


def test_assets_are_compressed_and_cached_for_a_year(client):
    url = _stylesheet_url(client)
    plain = client.get(url)
    assert plain.headers.get("Content-Encoding") is None and len(plain.data) > 500_000
    brotli_answer = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert brotli_answer.headers["Content-Encoding"] == "br"
    assert brotli.decompress(brotli_answer.data) == plain.data
    assert len(brotli_answer.data) < len(plain.data) / 5
    assert brotli_answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    gzip_answer = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzip_answer.data) == plain.data
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": brotli_answer.headers["ETag"]})
    assert again.status_code == 304


def test_an_outdated_fingerprint_is_not_kept_for_a_year(client):
    answer = client.get("/dsfr/dsfr.min.css?v=000000000000")
    assert answer.status_code == 200 and "immutable" not in answer.headers["Cache-Control"]


def test_no_file_outside_the_asset_folders(client):
    assert client.get("/dsfr/../package.json").status_code == 404
    assert client.get("/static/../../setup.cfg").status_code == 404
    assert client.get("/dsfr/nothing-here.css").status_code == 404
