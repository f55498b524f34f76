"""Duplicates across sources: the same programme on Aides-territoires and on a region's own site.

``find_candidates`` compares the programmes a run just stored with the rest of the store and
keeps candidate pairs for curators:

- the same page at the source (``source_url``) — the same programme, merged automatically;
- the same application address (``application_url``) — a strong hint, for a curator;
- a very similar title with a funder in common — for a curator.

Nothing is merged automatically unless the URLs are identical. Addresses shared by many
programmes (a region's deposit portal, a site's home page) say nothing and are ignored.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from guichet.curation.merging import merge
from guichet.curation.models import DuplicateCandidate
from guichet.curation.pairs import AUTOMATIC, ordered_pair, settle
from guichet.programmes.models import Programme, utcnow
from guichet.text import match_key, words

# Titles at least this similar (0..1) with a funder in common make a candidate.
TITLE_THRESHOLD = 0.86
# An application address shared by more programmes than this is a portal, not a programme.
GENERIC_URL_COUNT = 2

# Programmes that take part: a rejected or already merged programme is settled.
_ACTIVE_STATES = ("pending", "published")
_TRACKING_PARAMETERS = re.compile(r"^(utm_|xtor$|at_|fbclid$|gclid$|mtm_)")
_YEAR = re.compile(r"(19|20)\d\d")
_STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les pour par sur un une dans avec ou".split())
# Words that say what kind of text it is, not which programme.
_GENRE_WORDS = frozenset("appel appels projets projet ami aap manifestation interet dispositif aide aides".split())


def normalise_url(url: str | None) -> str | None:
    """The address reduced to what identifies the page: no scheme, no www., no trailing slash,
    no tracking parameters, parameters sorted. Fragments that route a single-page application
    (``#/...``) are kept: they are the page."""
    if not url or not str(url).strip():
        return None
    parts = urlsplit(str(url).strip())
    if not parts.netloc:
        return None
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    host = host.removesuffix(":443").removesuffix(":80")
    path = re.sub(r"/+", "/", parts.path or "/").rstrip("/") or "/"
    query = urlencode(sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING_PARAMETERS.match(key.lower())))
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit(("", host, path, query, fragment)).lstrip("/")


def _is_specific(url: str | None) -> bool:
    """A page of its own, not a site's home page."""
    if not url:
        return False
    path_and_more = url.split("/", 1)[1] if "/" in url else ""
    return bool(path_and_more.strip("/"))


def normalise_title(title: str) -> str:
    """Lower case, no accents, no punctuation, no small words, years nor 'appel à projets'."""
    folded = words(title or "")
    # Editions ("2027", "2022-2028") say when, not which programme.
    kept = [word for word in folded
            if word not in _STOP_WORDS and word not in _GENRE_WORDS and not _YEAR.fullmatch(word)]
    return " ".join(kept or folded)


def normalise_funder(name: str) -> str:
    return match_key(name or "")


def title_similarity(first: str, second: str) -> float:
    """0..1: the best of the character-level ratio and the word overlap of the normalised titles."""
    return _similarity(normalise_title(first), normalise_title(second))


def _stems(title: str) -> frozenset:
    """Words of a normalised title without their plural mark: "equipements" ~ "equipement"."""
    return frozenset(word[:-1] if len(word) > 3 and word[-1] in "sx" else word for word in title.split())


def _similarity(a: str, b: str, floor: float = 0.0, stems_a=None, stems_b=None) -> float:
    """Similarity of two normalised titles. With a ``floor``, pairs that cannot reach it are
    dismissed by cheap bounds (length, shared words) before the character-level ratio."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if floor and 2 * min(len(a), len(b)) / (len(a) + len(b)) < floor:
        return 0.0
    stems_a = stems_a if stems_a is not None else _stems(a)
    stems_b = stems_b if stems_b is not None else _stems(b)
    overlap = len(stems_a & stems_b) / len(stems_a | stems_b)
    if floor and overlap >= floor:
        return overlap
    if floor and overlap < 0.5:
        return overlap  # titles sharing so few words are not the same programme
    return max(SequenceMatcher(None, a, b, autojunk=False).ratio(), overlap)


@dataclass
class _Entry:
    id: str
    source: str
    title: str
    folded_title: str
    stems: frozenset
    funders: frozenset
    source_url: str | None
    application_url: str | None
    state: str
    first_seen_at: object


def _entries(session: Session) -> dict[str, _Entry]:
    rows = session.execute(select(
        Programme.id, Programme.source, Programme.title, Programme.funders, Programme.source_url,
        Programme.application_url, Programme.state, Programme.first_seen_at,
    ).where(Programme.state.in_(_ACTIVE_STATES)))
    return {
        row.id: _Entry(row.id, row.source, row.title or "", *_folded(row.title or ""),
                       frozenset(filter(None, (normalise_funder(name) for name in row.funders or []))),
                       normalise_url(row.source_url), normalise_url(row.application_url), row.state,
                       row.first_seen_at)
        for row in rows
    }


def _folded(title: str) -> tuple[str, frozenset]:
    folded = normalise_title(title)
    return folded, _stems(folded)


def _known_pairs(session: Session, ids) -> dict[tuple[str, str], DuplicateCandidate]:
    ids = list(ids)
    known = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for candidate in session.scalars(select(DuplicateCandidate).where(or_(
                DuplicateCandidate.programme_a_id.in_(chunk), DuplicateCandidate.programme_b_id.in_(chunk)))):
            known[(candidate.programme_a_id, candidate.programme_b_id)] = candidate
    return known


def _matches(entry: _Entry, others: dict[str, _Entry], by_source_url, by_application_url, by_funder):
    """(other id, reason, score) for every programme that looks like ``entry``."""
    found = {}
    if _is_specific(entry.source_url):
        for other_id in by_source_url.get(entry.source_url, ()):
            found[other_id] = ("same_source_url", 1.0)
    application = entry.application_url
    if _is_specific(application) and len(by_application_url.get(application, ())) <= GENERIC_URL_COUNT:
        for other_id in by_application_url.get(application, ()):
            found.setdefault(other_id, ("same_application_url", 0.95))
    for funder in entry.funders:
        for other_id in by_funder.get(funder, ()):
            other = others[other_id]
            # Within one source, two titles alike are usually two editions of a programme.
            if other_id in found or other_id == entry.id or other.source == entry.source:
                continue
            score = _similarity(entry.folded_title, other.folded_title, TITLE_THRESHOLD, entry.stems, other.stems)
            if score >= TITLE_THRESHOLD:
                found[other_id] = ("similar_title", round(score, 3))
    found.pop(entry.id, None)
    return found


def _keep_first(first: Programme, second: Programme) -> tuple[Programme, Programme]:
    """Which one stays when identical pages are merged: the published one, else the one seen first."""
    def rank(programme):
        return (programme.state != "published", programme.first_seen_at, programme.id)
    return (first, second) if rank(first) <= rank(second) else (second, first)


def find_candidates(session: Session, programme_ids) -> list[DuplicateCandidate]:
    """Compare these programmes with the whole store and store new candidate pairs.

    Pairs on an identical source page are merged at once (status ``merged``); the others wait
    for a curator (``pending``). Pairs already known — pending, merged or dismissed — are left
    as they are. Returns the candidates created by this call. The caller commits.
    """
    wanted = [programme_id for programme_id in dict.fromkeys(programme_ids or [])]
    if not wanted:
        return []
    session.flush()
    entries = _entries(session)
    targets = [entries[programme_id] for programme_id in wanted if programme_id in entries]
    if not targets:
        return []
    by_source_url, by_application_url, by_funder = {}, {}, {}
    for entry in entries.values():
        if entry.source_url:
            by_source_url.setdefault(entry.source_url, []).append(entry.id)
        if entry.application_url:
            by_application_url.setdefault(entry.application_url, []).append(entry.id)
        for funder in entry.funders:
            by_funder.setdefault(funder, []).append(entry.id)

    known = _known_pairs(session, [entry.id for entry in targets])
    created = []
    merged_away = set()
    for entry in targets:
        if entry.id in merged_away:
            continue
        for other_id, (reason, score) in sorted(_matches(entry, entries, by_source_url, by_application_url,
                                                         by_funder).items()):
            if other_id in merged_away:
                continue
            pair = ordered_pair(entry.id, other_id)
            if pair in known:
                continue
            candidate = DuplicateCandidate(programme_a_id=pair[0], programme_b_id=pair[1], reason=reason,
                                           score=score, status="pending", created_at=utcnow())
            session.add(candidate)
            known[pair] = candidate
            created.append(candidate)
            if reason == "same_source_url":
                keep, drop = _keep_first(session.get(Programme, pair[0]), session.get(Programme, pair[1]))
                # The one merge of the service (audit log, redirects of earlier merges), by the system.
                merge(session, keep, drop, None)
                settle(candidate, "merged", AUTOMATIC, keep.id)
                merged_away.add(drop.id)
                if drop.id == entry.id:
                    break
    session.flush()
    return created


def scan(session: Session) -> list[DuplicateCandidate]:
    """Compare the whole store with itself (after an import, or to seed the curators' list)."""
    ids = list(session.scalars(select(Programme.id).where(Programme.state.in_(_ACTIVE_STATES))))
    return find_candidates(session, ids)

