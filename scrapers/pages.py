"""Reading HTML pages and French programme texts: what the page sources (Grand Est,
Nouvelle-Aquitaine, Occitanie, Banque des Territoires, Bpifrance) share.

- ``Selectors``: a source's CSS selectors, in one place, that raise a ``ParseError`` naming the
  source and the selector when a required one finds nothing (a changed layout is an error,
  never "no records");
- ``fragment_html``: a part of a page as sanitised HTML, its links made absolute;
- ``dates_from_text``: the opening date and deadlines a French text announces
  ("Date limite de dépôt : 31/03/2027", "ouvert du 15 septembre 2026 au 15 janvier 2027");
- ``beneficiaries_from_text``, ``amount_max_from_text``, ``recurrence_from_text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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


# -- French texts ----------------------------------------------------------------------------

_DEADLINE_WORDS = re.compile(
    r"(date\s+limite|cl[ôo]ture|avant\s+le|jusqu['’]au|au\s+plus\s+tard|d[ée]p[ôo]t\s+des\s+dossiers\s+jusqu|"
    r"date\s+de\s+fin|fin\s+de\s+l['’]appel)", re.IGNORECASE)
_OPENING_WORDS = re.compile(r"(ouverture|ouvert\s+le|[àa]\s+partir\s+du|d[ée]but)", re.IGNORECASE)
_PERIOD = re.compile(r"\bdu\s+(?P<start>.{6,25}?)\s+au\s+(?P<end>.{6,25}?\d{4})", re.IGNORECASE)


def dates_from_text(text: str | None) -> tuple[date | None, list[date]]:
    """(opening date, deadlines) announced by a French text, line by line."""
    opens_on, deadlines = None, []
    for line in (text or "").splitlines():
        period = _PERIOD.search(line)
        if period:
            start, end = norm.find_dates(period["start"] + " " + period["end"][-4:]), norm.find_dates(period["end"])
            if end:
                if start and start[0] <= end[0]:
                    opens_on = opens_on or start[0]
                deadlines.append(end[0])
                continue
        match = _DEADLINE_WORDS.search(line)
        if match:
            found = norm.find_dates(line[match.start():])
            if found:
                deadlines.append(found[0])
                continue
        match = _OPENING_WORDS.search(line)
        if match:
            found = norm.find_dates(line[match.start():])
            if found and opens_on is None:
                opens_on = found[0]
    return opens_on, sorted(set(deadlines))


_BENEFICIARY_PATTERNS = (
    (r"\bcommunes?\b|\bmunicipalit|\bcollectivit[ée]s?\b|\bvilles?\b|\bbourgs?\b", "commune"),
    (r"\bepci\b|intercommunal|communaut[ée]s?\s+de\s+communes|communaut[ée]s?\s+d['’]agglom|\bm[ée]tropoles?\b|"
     r"\bsyndicats?\b|\bpetr\b|groupements?", "epci"),
    (r"\bd[ée]partements?\b", "departement"),
    (r"\br[ée]gions?\b(?!\s+(grand|nouvelle|occitanie|pays|[îi]le|bretagne|normandie|hauts|sud|centre|bourgogne|auvergne))",
     "region"),
    (r"\bassociations?\b|\bfondations?\b", "association"),
    (r"\bentreprises?\b|\bpme\b|\beti\b|\btpe\b|start-?up|\bscic\b|commer[çc]ants|artisans", "entreprise"),
    (r"[ée]tablissements?\s+publics?|acteurs?\s+publics?|\bsem\b|soci[ée]t[ée]s?\s+d['’][ée]conomie\s+mixte|"
     r"bailleurs?\s+sociaux", "etablissement_public"),
    (r"\bparticuliers?\b", "particulier"),
    (r"\bagriculteurs?\b", "agriculteur"),
)


def beneficiaries_from_text(text: str | None) -> list[str]:
    """Who may apply, as named in a French text ("Communes, EPCI et associations")."""
    lowered = (text or "").lower()
    return [value for pattern, value in _BENEFICIARY_PATTERNS if re.search(pattern, lowered)]


_AMOUNT_CAP = re.compile(
    r"(?:plafonn[ée]e?s?\s+[àa]|dans\s+la\s+limite\s+de|jusqu['’][àa]|plafond\s+de|maximum\s+de|"
    r"au\s+plus)\s+(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)\s*(?:€|euros?)", re.IGNORECASE)


def amount_max_from_text(text: str | None) -> float | None:
    """The highest amount cap a French text gives ("plafonnée à 150 000 €")."""
    values = [norm.parse_amount(match.group(1)) for match in _AMOUNT_CAP.finditer(text or "")]
    values = [value for value in values if value]
    return max(values) if values else None


_PERMANENT = re.compile(r"toute\s+l['’]ann[ée]e|au\s+fil\s+de\s+l['’]eau|sans\s+date\s+limite|en\s+continu",
                        re.IGNORECASE)
_CALL = re.compile(r"appel\s+[àa]\s+(projets?|manifestation|candidatures?)|\bami\b|\baap\b|concours", re.IGNORECASE)


def recurrence_from_text(text: str | None, deadlines) -> str | None:
    if _PERMANENT.search(text or ""):
        return "permanente"
    if deadlines:
        return "ponctuelle"
    return None


def is_call_for_projects(*texts) -> bool:
    return any(_CALL.search(text or "") for text in texts)


_AID_TYPE_PATTERNS = (
    (r"subvention|aide\s+forfaitaire|taux\s+d['’](aide|intervention)|%\s+(de\s+la\s+d[ée]pense|du\s+co[ûu]t)", "subvention"),
    (r"\bpr[êe]ts?\b", "pret"),
    (r"avances?\s+remboursables?|avances?\s+r[ée]cup[ée]rables?", "avance_remboursable"),
    (r"ing[ée]nierie|conseiller|accompagnement\s+technique|assistance\s+[àa]\s+ma[îi]trise", "ingenierie"),
    (r"\bgaranties?\b", "garantie"),
    (r"prise\s+de\s+participation|co-?invest|fonds\s+propres", "autre"),
)


def aid_types_from_text(text: str | None, default=("subvention",)) -> list[str]:
    """The kinds of aid a French text describes; ``default`` when it names none."""
    lowered = (text or "").lower()
    found = [value for pattern, value in _AID_TYPE_PATTERNS if re.search(pattern, lowered)]
    return norm.dedupe(found) or list(default)
