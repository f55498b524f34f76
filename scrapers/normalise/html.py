"""HTML and plain text: sanitising (nh3), the text of a fragment, summaries, URLs as sources type them."""

from __future__ import annotations

import html as html_module
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "a", "h2", "h3", "h4", "h5", "h6",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "abbr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"},
                      "th": {"colspan", "rowspan"}}
_BLOCK_BOUNDARY = re.compile(r"(?i)<\s*(br|/p|/li|/h[1-6]|/div|/tr|/td|/th|/blockquote|p|li|h[1-6]|div|tr)\b[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u202f]+")


def sanitise_html(value: str | None) -> str:
    """Only harmless markup stays: no scripts, styles, event handlers or foreign attributes;
    links get ``rel="noopener noreferrer"``; headings h1 become h2 (the page has its own h1)."""
    if not value:
        return ""
    value = re.sub(r"(?is)<h1\b[^>]*>(.*?)</h1>", r"<h2>\1</h2>", str(value))
    cleaned = nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                        url_schemes={"http", "https", "mailto", "tel"}, strip_comments=True)
    cleaned = re.sub(r"<p>(\s|&nbsp;|<br>)*</p>", "", cleaned)
    return cleaned.strip()


def plain_text(value: str | None) -> str:
    """Text of an HTML fragment (or of text with entities): tags dropped, entities decoded,
    blocks separated by line breaks, spaces collapsed."""
    if not value:
        return ""
    value = _BLOCK_BOUNDARY.sub("\n", str(value))
    value = nh3.clean(value, tags=set(), strip_comments=True)
    value = html_module.unescape(value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return "\n".join(line for line in lines if line)


def summary(value: str | None, limit: int = 320) -> str:
    """A plain-text summary of at most ``limit`` characters, cut after a sentence or a word."""
    text = " ".join(plain_text(value).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind(" ; "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end >= limit // 2:
        return cut[:sentence_end + 1].strip()
    return cut.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def clean_url(value: str | None) -> str | None:
    """URLs as sources type them: ``https: //host`` (a space after the scheme, seen at ADEME
    and the Ministry of Culture), surrounding spaces."""
    if not value:
        return None
    value = re.sub(r"^(https?):\s*//", r"\1://", str(value).strip())
    return value if re.match(r"^https?://\S+$", value) else None
