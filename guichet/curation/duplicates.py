"""Duplicates across sources: the same programme on Aides-territoires and on a region's own site.

``find_candidates`` compares the programmes a run just stored with the rest of the store and
keeps candidate pairs for curators:

- the same page at the source (``source_url``) — the same programme, merged automatically;
- the same application address (``application_url``) — a strong hint, for a curator;
- a very similar title with a funder in common — for a curator.

Nothing is merged automatically unless the URLs are identical. Addresses shared by many
programmes (a region's deposit portal, a site's home page) say nothing and are ignored.

One module above 400 lines on purpose: it is the one set of rules that tells two programmes
apart (addresses, titles, funders, territories, editions) and the search that applies them;
storing and settling the pairs is ``guichet.curation.pairs``, merging ``guichet.curation.merging``.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from difflib import SequenceMatcher
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from guichet.curation.merging import merge
from guichet.curation.models import DuplicateCandidate
from guichet.curation.pairs import AUTOMATIC, ordered_pair, settle
from guichet.programmes.models import Programme, utcnow
from guichet.text import match_key, stem, words

# Titles at least this similar (0..1) with a funder in common make a candidate.
TITLE_THRESHOLD = 0.86
# Within one source, the share of words two titles must have in common to be one aid entered twice.
SAME_SOURCE_THRESHOLD = 0.75
# An application address shared by more programmes than this is a portal, not a programme.
GENERIC_URL_COUNT = 2

# Programmes that take part: a rejected or already merged programme is settled.
_ACTIVE_STATES = ("pending", "published")
_TRACKING_PARAMETERS = re.compile(r"^(utm_|xtor$|at_|fbclid$|gclid$|mtm_)")
_YEAR = re.compile(r"(19|20)\d\d")
_STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les pour par sur un une dans avec ou".split())
# Words that say what kind of text it is, not which programme.
_GENRE_WORDS = frozenset(
    "appel appels projets projet ami aap manifestation interet dispositif aide aides edition saison programme "
    # The verbs and nouns every aid's title opens with on Aides-territoires say nothing of the aid.
    "financer financement soutenir soutien aider accompagner accompagnement favoriser beneficier etre "
    "accompagne subvention subventionner".split())


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


def _stem(word: str) -> str:
    """The light stemmer of the service, then the verb and its noun together: « développer »
    and « développement », « financer » and « financement »."""
    word = stem(word)
    if len(word) > 7 and word.endswith("ement"):
        return word[:-5]
    if len(word) > 5 and word.endswith("er"):
        return word[:-2]
    return word


def _stems(title: str) -> frozenset:
    """Stems of a normalised title: « équipements » ~ « équipement », « développer » ~ « développement »."""
    return frozenset(_stem(word) for word in title.split())


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


# Words that tell two measures of one funder apart: the studies and the works, the companies'
# and the communes' window of one aid. Two titles each with a different one are two aids.
_DISTINGUISHING_WORDS = (
    "etude investissement travaux fonctionnement animation decision diagnostic entreprise collectivite "
    "particulier association agriculteur salarie").split()
# A word in more titles than this (« développement », « projet ») finds no pair on its own.
_COMMON_STEM = 2000
_SEPARATORS = re.compile(r"\s+[:—–-]\s+|\s*:\s+|\s+\(")
# Place names (départements and régions) as folded word runs, to tell a local edition.
_PLACES = None


def _place_keys() -> frozenset:
    global _PLACES
    if _PLACES is None:
        from guichet import geo

        _PLACES = frozenset(filter(None, (match_key(name) for name in (*geo.DEPARTMENT_NAMES.values(),
                                                                       *geo.REGIONS.values()))))
    return _PLACES


def funder_key(name: str) -> str:
    """A funder's family: the State whatever its ministry or prefecture, a region whatever it is
    called (« Conseil régional d'Occitanie », « Région Occitanie »), an acronym in parentheses for
    the body it names (« Agence nationale de l'habitat (Anah) » = « Anah »)."""
    acronym = re.search(r"\(([^()]{2,15})\)\s*$", name or "")
    if acronym:
        return match_key(acronym.group(1))
    key = match_key(name or "")
    if not key:
        return ""
    if key in ("etat", "prefecture", "gouvernement") or key.startswith(("ministere ", "prefecture ", "prefet ",
                                                                        "secretariat general ")):
        return "etat"
    if key in ("agence de la transition ecologique", "ademe"):
        return "ademe"
    if key in ("commission europeenne", "union europeenne", "europe"):
        return "ue"
    if key == "agence nationale de la cohesion des territoires":
        return "anct"
    for prefix, family in (("conseil regional ", "region "), ("region ", "region "),
                           ("conseil departemental ", "departement "), ("departement ", "departement ")):
        if key.startswith(prefix):
            place = re.sub(r"^(de la |de l |du |des |de |d )", "", key[len(prefix):])
            return family + place
    return key


@dataclass
class _Entry:
    id: str
    source: str
    title: str
    folded_title: str
    stems: frozenset
    head_stems: frozenset
    has_tail: bool
    years: frozenset
    places: frozenset
    funders: frozenset
    territory: tuple | None
    period: tuple
    source_url: str | None
    application_url: str | None
    state: str
    first_seen_at: object


def _territory(level, regions, departments) -> tuple | None:
    """Where a programme applies, as far as codes say: everywhere, some codes, or unknown (a
    regional or local programme without codes cannot be told apart from its neighbours)."""
    if regions or departments:
        return ("codes", frozenset(regions or ()), frozenset(departments or ()))
    if level in ("europe", "national"):
        return ("everywhere",)
    return None


def _entry(row) -> _Entry:
    funder_keys = frozenset(filter(None, (funder_key(name) for name in row.funders or [])))
    title = row.title or ""
    folded, stems = _folded(title)
    # A funder's acronym in a title (« Fonds Chaleur de l'ADEME ») says who, not what.
    funder_words = frozenset(_stem(key) for key in funder_keys if " " not in key)
    without_funders = stems - funder_words
    if len(without_funders) >= 2:
        stems = frozenset(without_funders)
    parts = _SEPARATORS.split(title, maxsplit=1)
    head_stems = _folded(parts[0])[1] - funder_words if len(parts) > 1 else stems
    padded = f" {match_key(title)} "
    places = frozenset(place for place in _place_keys() if f" {place} " in padded)
    deadlines = sorted(str(value) for value in row.deadlines or [])
    period = (str(row.opens_on) if row.opens_on else None, deadlines[-1] if deadlines else None)
    return _Entry(row.id, row.source, title, folded, stems, frozenset(head_stems), len(parts) > 1,
                  frozenset(re.findall(r"(?:19|20)\d\d", title)), places, funder_keys,
                  _territory(row.level, row.regions, row.departments), period, normalise_url(row.source_url),
                  normalise_url(row.application_url), row.state, row.first_seen_at)


def _entries(session: Session) -> dict[str, _Entry]:
    rows = session.execute(select(
        Programme.id, Programme.source, Programme.title, Programme.funders, Programme.source_url,
        Programme.application_url, Programme.state, Programme.first_seen_at, Programme.level, Programme.regions,
        Programme.departments, Programme.opens_on, Programme.deadlines,
    ).where(Programme.state.in_(_ACTIVE_STATES)))
    return {row.id: _entry(row) for row in rows}


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


def _territory_relation(first: _Entry, second: _Entry) -> str | None:
    """« same », « first-wider » (first everywhere, second somewhere), « second-wider », or None."""
    if first.territory is None or second.territory is None:
        return None
    if first.territory == second.territory:
        return "same"
    if first.territory == ("everywhere",):
        return "first-wider"
    if second.territory == ("everywhere",):
        return "second-wider"
    return None


def _successive(first: _Entry, second: _Entry) -> bool:
    """Two periods that do not overlap: two editions, one after the other."""
    (first_start, first_end), (second_start, second_end) = first.period, second.period
    return bool((first_end and second_start and first_end < second_start)
                or (second_end and first_start and second_end < first_start))


def _variants(first: frozenset, second: frozenset) -> bool:
    """Each title has a word of its own that names another part of an aid (études / travaux)."""
    distinguishing = _distinguishing()
    return bool((first - second) & distinguishing) and bool((second - first) & distinguishing)


@lru_cache(maxsize=1)
def _distinguishing() -> frozenset:
    return frozenset(_stem(word) for word in _DISTINGUISHING_WORDS)


def relation(first: _Entry, second: _Entry) -> tuple[str, float] | None:
    """Why two programmes should be shown together to a curator — (reason, score) — or None.

    Duplicates are sought only where the programmes apply to the same territory; a national
    programme and a restricted one with its title and funder are a local edition; a
    programme and a measure titled « <programme> : … » are a volet (part of it)."""
    territory = _territory_relation(first, second)
    if territory is None:
        return None
    if territory != "same":
        wide = first if territory == "first-wider" else second
        if wide.funders and all(key.startswith(("region ", "departement ")) for key in wide.funders):
            territory = "same"  # a region's or département's aid whose codes the source did not give
    same_source = first.source == second.source
    if same_source and first.years != second.years:
        return None  # one source's successive editions of a call
    if _variants(first.stems, second.stems) or _successive(first, second):
        return None
    shared_funder = bool(first.funders & second.funders)
    common = first.stems & second.stems
    if not common:
        return None
    smaller = min(len(first.stems), len(second.stems))
    containment = len(common) / smaller
    jaccard = len(common) / len(first.stems | second.stems)
    if territory != "same" or first.places != second.places:
        wide, local = (first, second) if territory == "first-wider" or (
            territory == "same" and len(first.places) < len(second.places)) else (second, first)
        place_stems = frozenset(_stem(word) for place in local.places for word in place.split())
        own_words = local.stems - place_stems
        # The national title, the place and at most one word more (« DETR 2027 — Drôme »).
        if (shared_funder and len(wide.stems) >= 2 and wide.stems <= own_words
                and len(own_words - wide.stems) <= 1):
            return "local_edition", round(containment, 3)
        return None
    if shared_funder and not same_source:
        for parent, child in ((first, second), (second, first)):
            if child.has_tail and not parent.has_tail and len(parent.stems) >= 2 and parent.stems == child.head_stems:
                return "volet", round(jaccard, 3)
    if shared_funder:
        if same_source:
            # One source's measures share their vocabulary: only a near-identical title is the same aid.
            return ("similar_title", round(jaccard, 3)) if jaccard >= SAME_SOURCE_THRESHOLD else None
        score = _similarity(first.folded_title, second.folded_title, TITLE_THRESHOLD, first.stems, second.stems)
        if score >= TITLE_THRESHOLD or (containment == 1 and smaller >= 2):
            return "similar_title", round(max(score, jaccard), 3)
        return None
    if (not same_source and first.territory == ("everywhere",) and containment == 1 and smaller >= 3
            and jaccard >= 0.4):
        return "similar_title_other_funder", round(jaccard, 3)
    return None


def _matches(entry: _Entry, others: dict[str, _Entry], by_source_url, by_application_url, by_stem):
    """(other id, reason, score) for every programme that looks like ``entry``."""
    found = {}
    # The same page or deposit form in two sources; within one source, a shared address is the
    # funder's portal for several of its aids, and so is an address more than two programmes share.
    for index, key, reason, score in ((by_source_url, entry.source_url, "same_source_url", 1.0),
                                      (by_application_url, entry.application_url, "same_application_url", 0.95)):
        sharing = index.get(key, ()) if _is_specific(key) else ()
        if len(sharing) <= GENERIC_URL_COUNT:
            for other_id in sharing:
                if other_id != entry.id and others[other_id].source != entry.source:
                    found.setdefault(other_id, (reason, score))
    candidates = set()
    for stem in entry.stems:
        postings = by_stem.get(stem, ())
        if len(postings) <= _COMMON_STEM:
            candidates.update(postings)
    for other_id in candidates:
        if other_id in found or other_id == entry.id:
            continue
        matched = relation(entry, others[other_id])
        if matched:
            found[other_id] = matched
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
    by_source_url, by_application_url, by_stem = {}, {}, {}
    for entry in entries.values():
        if entry.source_url:
            by_source_url.setdefault(entry.source_url, []).append(entry.id)
        if entry.application_url:
            by_application_url.setdefault(entry.application_url, []).append(entry.id)
        for stem in entry.stems:
            by_stem.setdefault(stem, []).append(entry.id)

    known = _known_pairs(session, [entry.id for entry in targets])
    created = []
    merged_away = set()
    for entry in targets:
        if entry.id in merged_away:
            continue
        for other_id, (reason, score) in sorted(_matches(entry, entries, by_source_url, by_application_url,
                                                         by_stem).items()):
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
            if reason == "local_edition":
                # Not a duplicate: the edition stays, linked to the national programme it applies.
                parent = entry.id if entries[entry.id].territory == ("everywhere",) and not entries[entry.id].places \
                    else other_id
                settle(candidate, "linked", AUTOMATIC, parent)
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

