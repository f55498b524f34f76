"""The one sanitiser of the store: every programme's HTML and URLs, whatever their path.

Scrapers, ``guichet import``, the curated data and the back office all write programmes
through the ORM; attribute events on ``Programme`` clean the value as it is set, so nothing
reaches the store (and from there the pages, the API, the digests) unsanitised. HTML keeps
only harmless markup (nh3); a programme's ``source_url`` and ``application_url`` are kept
only when they are ``http``/``https`` addresses.
"""

import logging
import re
from urllib.parse import urlsplit

import nh3
from sqlalchemy import event

log = logging.getLogger(__name__)

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a", "h2", "h3", "h4", "h5", "h6",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
URL_SCHEMES = ("http", "https")
URL_FIELDS = ("source_url", "application_url")
_H1 = re.compile(r"(?is)<h1\b[^>]*>(.*?)</h1>")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def clean_html(value) -> str:
    """Only harmless markup stays: no script, style, frame, form, SVG, event handler, foreign
    attribute or ``javascript:``/``data:`` link; links get ``rel="noopener noreferrer"``;
    h1 becomes h2 (the page has its own h1)."""
    if not value:
        return ""
    value = _H1.sub(r"<h2>\1</h2>", str(value))
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                     url_schemes=LINK_SCHEMES, strip_comments=True).strip()


def safe_url(value) -> str | None:
    """The address when it is an absolute ``http``/``https`` URL, else None."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    parts = urlsplit(text)
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:"), so
    # any of them makes the address suspect.
    if parts.scheme.lower() not in URL_SCHEMES or not parts.netloc or _CONTROL.search(text):
        return None
    return text


def _clean_html_on_set(_target, value, _old, _initiator):
    return clean_html(value) if value else value


def _safe_url_on_set(target, value, _old, initiator):
    cleaned = safe_url(value)
    if value and cleaned is None:
        log.warning("programme %s: %s %r dropped (only http/https addresses are kept)",
                    getattr(target, "id", "?"), initiator.key, str(value)[:200])
    return cleaned


_watching = False


def watch_programmes() -> None:
    """Attach the sanitiser to the programme's columns (once per process)."""
    global _watching
    if _watching:
        return
    from guichet.programmes.models import Programme

    event.listen(Programme.description_html, "set", _clean_html_on_set, retval=True)
    for field in URL_FIELDS:
        event.listen(getattr(Programme, field), "set", _safe_url_on_set, retval=True)
    _watching = True
