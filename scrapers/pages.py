"""Reading HTML pages: what the page sources (Grand Est, Banque des Territoires, Bpifrance) and the
JSON sources that carry HTML fragments (Occitanie, Nouvelle-Aquitaine) share.

- ``Selectors``: a source's CSS selectors, in one place, that raise a ``ParseError`` naming the
  source and the selector when a required one finds nothing (a changed layout is an error,
  never "no records");
- ``fragment_html``: a part of a page as sanitised HTML, its links made absolute;
  ``html_fragment``: an HTML string as a tag to read the same way;
- ``link_by_words``, ``section_after``, ``paragraphs_summary``, ``last_path_segment``.

What French text says (dates, audiences, amounts, recurrence, calls for projects) is read by
``scrapers.normalise`` (``dates_from_text``, ``beneficiaries_from_text`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from guichet.text import fold
from scrapers import normalise as norm
from scrapers.base import ParseError
from scrapers.http import Fetched, absolute

# -- documents -------------------------------------------------------------------------------


def html_document(response: Fetched) -> BeautifulSoup:
    """The page parsed with lxml; an empty answer is a parse error (what a page lacks is the
    selectors' to tell)."""
    content = response.content or b""
    if not content.strip():
        raise ParseError(f"page vide : {response.url}")
    return BeautifulSoup(content, "lxml", from_encoding=_charset(response))


def xml_document(response: Fetched) -> BeautifulSoup:
    content = response.content or b""
    if not content.strip():
        raise ParseError(f"flux vide : {response.url}")
    return BeautifulSoup(content, "xml")


def _charset(response: Fetched) -> str | None:
    content_type = response.headers.get("Content-Type") or response.headers.get("content-type") or ""
    return response.encoding if "charset" in content_type.lower() else None


@dataclass(frozen=True)
class Selectors:
    """A source's selectors by name. ``one``/``all`` raise a ParseError for a required selector
    that finds nothing, so a redesigned page is reported as such."""

    source: str
    selectors: dict

    def __getitem__(self, name: str) -> str:
        return self.selectors[name]

    def one(self, document, name: str, *, required: bool = True, url: str | None = None) -> Tag | None:
        found = document.select_one(self.selectors[name])
        if found is None and required:
            raise self.missing(name, url)
        return found

    def all(self, document, name: str, *, required: bool = True, url: str | None = None) -> list[Tag]:
        found = document.select(self.selectors[name])
        if not found and required:
            raise self.missing(name, url)
        return found

    def text(self, document, name: str, *, required: bool = False, url: str | None = None) -> str:
        found = self.one(document, name, required=required, url=url)
        return text_of(found)

    def missing(self, name: str, url: str | None = None) -> ParseError:
        where = f" ({url})" if url else ""
        return ParseError(f"{self.source} : la mise en page a changé, le sélecteur « {self.selectors[name]} » "
                          f"({name}) ne trouve rien{where}")


def html_fragment(value: str | None) -> Tag | None:
    """An HTML fragment a JSON source gives (« chapo », « introduction ») as one tag to read
    with the functions below; None when there is none."""
    if not value or not str(value).strip():
        return None
    return BeautifulSoup(f"<div>{value}</div>", "lxml").div


def text_of(tag: Tag | None) -> str:
    """Visible text of a tag, blocks on their own lines, spaces collapsed."""
    if tag is None:
        return ""
    return norm.plain_text(str(tag))


def make_links_absolute(tag: Tag, base_url: str) -> Tag:
    for element in tag.select("[href]"):
        element["href"] = absolute(base_url, element["href"])
    for element in tag.select("[src]"):
        element["src"] = absolute(base_url, element["src"])
    return tag


def fragment_html(tags, base_url: str) -> str:
    """One or several parts of a page as sanitised HTML (inner content), links absolute."""
    if isinstance(tags, Tag):
        tags = [tags]
    parts = []
    for tag in tags:
        if tag is None:
            continue
        make_links_absolute(tag, base_url)
        parts.append(tag.decode_contents())
    return norm.sanitise_html("\n".join(parts))


def link_by_words(tag: Tag | None, base_url: str, words) -> str | None:
    """The first link of ``tag`` whose text holds one of ``words`` (folded, in order of
    preference), made absolute."""
    if tag is None:
        return None
    links = [(fold(link.get_text(" ", strip=True)), link["href"])
             for link in tag.select("a[href]") if not link["href"].startswith(("mailto:", "tel:", "#"))]
    for word in words:
        for label, href in links:
            if word in label:
                return absolute(base_url, href)
    return None


def paragraphs_summary(tag: Tag | None, limit: int = 320) -> str:
    """A plain-text summary from a part's paragraphs (headings like "Objectifs" left out)."""
    if tag is None:
        return ""
    texts = [text_of(paragraph) for paragraph in tag.find_all(["p", "li"])]
    return norm.summary(" ".join(text for text in texts if text) or text_of(tag), limit)


def section_after(text: str, heading: str, lines: int = 1) -> str:
    """The ``lines`` lines after a heading line of a page's text ("Bénéficiaires" → who may apply)."""
    wanted = fold(heading).strip()
    all_lines = text.splitlines()
    for index, line in enumerate(all_lines):
        if fold(line).strip(" :") == wanted.strip(" :"):
            return "\n".join(all_lines[index + 1:index + 1 + lines])
    return ""


def last_path_segment(url: str) -> str:
    from urllib.parse import urlsplit

    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        raise ValueError(f"adresse sans chemin : {url}")
    return segments[-1]
