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

from guichet.duplicates.models import DuplicateCandidate
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.services import set_state
from guichet.text import match_key, words

# Titles at least this similar (0..1) with a funder in common make a candidate.
TITLE_THRESHOLD = 0.86
# An application address shared by more programmes than this is a portal, not a programme.
GENERIC_URL_COUNT = 2
AUTOMATIC = "automatique"

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


def _pair(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first < second else (second, first)


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


def _merge(session: Session, keep: Programme, drop: Programme) -> None:
    """Per the record's rules: one is kept, the other becomes ``merged`` with ``merged_into``.

    The back office's merge (audit log, redirects of earlier merges) is used when present.
    """
    try:
        from guichet.admin.merging import merge as back_office_merge
    except ImportError:
        back_office_merge = None
    if back_office_merge is not None:
        back_office_merge(session, keep, drop, None)
        return
    was_published = drop.state == "published"
    set_state(drop, "merged")
    drop.merged_into = keep.id
    for earlier in session.scalars(select(Programme).where(Programme.merged_into == drop.id)):
        earlier.merged_into = keep.id
    if was_published:
        set_state(keep, "published")


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
            pair = _pair(entry.id, other_id)
            if pair in known:
                continue
            candidate = DuplicateCandidate(programme_a_id=pair[0], programme_b_id=pair[1], reason=reason,
                                           score=score, status="pending", created_at=utcnow())
            session.add(candidate)
            known[pair] = candidate
            created.append(candidate)
            if reason == "same_source_url":
                keep, drop = _keep_first(session.get(Programme, pair[0]), session.get(Programme, pair[1]))
                _merge(session, keep, drop)
                _settle(candidate, "merged", AUTOMATIC, keep.id)
                merged_away.add(drop.id)
                if drop.id == entry.id:
                    break
    session.flush()
    return created


def _settle(candidate: DuplicateCandidate, status: str, decided_by: str | None, kept_id: str | None = None):
    candidate.status = status
    candidate.decided_at = utcnow()
    candidate.decided_by = decided_by
    if kept_id is not None:
        candidate.kept_id = kept_id


def mark_merged(session: Session, keep_id: str, drop_id: str, decided_by: str | None = None) -> DuplicateCandidate:
    """A curator (or the automatic rule) merged ``drop_id`` into ``keep_id``: the pair is settled.

    Called by the back office's merge; creates the pair when the curator found it alone. Other
    pending pairs of the dropped programme are left for curators (they now point at a merged one
    and are listed as such).
    """
    pair = _pair(keep_id, drop_id)
    candidate = session.scalar(select(DuplicateCandidate).where(
        DuplicateCandidate.programme_a_id == pair[0], DuplicateCandidate.programme_b_id == pair[1]))
    if candidate is None:
        candidate = DuplicateCandidate(programme_a_id=pair[0], programme_b_id=pair[1], reason="manual",
                                       score=1.0, created_at=utcnow())
        session.add(candidate)
    _settle(candidate, "merged", decided_by or candidate.decided_by, keep_id)
    return candidate


def dismiss(session: Session, candidate_id: int, decided_by: str | None = None) -> DuplicateCandidate | None:
    """Not the same programme: the pair is never proposed again."""
    candidate = session.get(DuplicateCandidate, candidate_id)
    if candidate is None:
        return None
    _settle(candidate, "dismissed", decided_by)
    return candidate


def reopen(session: Session, candidate_id: int) -> DuplicateCandidate | None:
    """A dismissed pair back to the curators' list."""
    candidate = session.get(DuplicateCandidate, candidate_id)
    if candidate is not None and candidate.status == "dismissed":
        candidate.status, candidate.decided_at, candidate.decided_by = "pending", None, None
    return candidate


def candidates(session: Session, status: str | None = "pending", programme_id: str | None = None,
               limit: int | None = None) -> list[DuplicateCandidate]:
    """Candidate pairs, strongest first (identical URLs, then by similarity, then newest)."""
    query = select(DuplicateCandidate)
    if status:
        query = query.where(DuplicateCandidate.status == status)
    if programme_id:
        query = query.where(or_(DuplicateCandidate.programme_a_id == programme_id,
                                DuplicateCandidate.programme_b_id == programme_id))
    query = query.order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.created_at.desc(),
                           DuplicateCandidate.id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def scan(session: Session) -> list[DuplicateCandidate]:
    """Compare the whole store with itself (after an import, or to seed the curators' list)."""
    ids = list(session.scalars(select(Programme.id).where(Programme.state.in_(_ACTIVE_STATES))))
    return find_candidates(session, ids)
