"""The commune finder: an in-memory index of the reference, for the autocomplete.

37,000 names fit in a few megabytes; prefix look-ups on sorted keys answer in well under a
millisecond, which a SQL LIKE cannot promise on every store. The index is built from the store
(the truth) and rebuilt when the loaded reference version changes.
"""

import heapq
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from guichet.communes.names import name_keys, query_keys

# Kinds of match, best first (an exact match of any kind before a partial one).
CURRENT_NAME = 0   # the commune's own name, its postcode, or its own INSEE code
FORMER_NAME = 1    # a former commune's or an arrondissement's name; an INSEE code that is also a postcode
OLD_CODE = 2       # the INSEE code of a former commune
INNER_WORD = 3     # a word inside the name (« montrond » for Saint-Amand-Montrond)
# How a commune found by its INSEE code is labelled when the same number is also a postcode.
INSEE_LABEL = "code Insee"
_CODE_PREFIX = re.compile(r"^[0-9][0-9AB][0-9]{0,3}$|^[0-9]$")
_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<place>[0-9]{2,3}|2A|2B|[0-9]{5})\)\s*$", re.IGNORECASE)
_LAST = "\U0010ffff"


@dataclass(frozen=True)
class Entry:
    """A current commune, as the autocomplete shows it."""

    code: str
    name: str
    population: int | None
    department: str
    department_name: str
    region: str
    postcodes: tuple[str, ...]
    epci_code: str | None
    epci_name: str | None
    search_name: str | None = None  # names.search_key(name), when known

    @property
    def label(self) -> str:
        return f"{self.name} ({self.department})"


@dataclass(frozen=True)
class Match:
    commune: Entry
    exact: bool = False
    tier: int = CURRENT_NAME
    # What was matched when it is not the commune's own name or code: a former commune's
    # name, an old code, a postcode.
    via: str | None = None


@dataclass(frozen=True)
class AliasRow:
    code: str
    name: str | None
    kind: str
    commune_code: str
    postcodes: tuple[str, ...]
    search_name: str | None = None


class _Keys:
    """Sorted keys, each pointing at a commune (by position) and what was matched."""

    def __init__(self, items: list[tuple[str, int, str | None]], populations: list[int]):
        items.sort(key=lambda item: item[0])
        self.keys = [key for key, _position, _via in items]
        self.positions = [position for _key, position, _via in items]
        self.vias = [via for _key, _position, via in items]
        # Negative populations, so that the smallest is the largest town.
        self.order = [-populations[position] for position in self.positions]

    def exact(self, key: str) -> range:
        start = bisect_left(self.keys, key)
        return range(start, bisect_right(self.keys, key, lo=start))

    def prefixed(self, key: str) -> range:
        start = bisect_left(self.keys, key)
        return range(start, bisect_left(self.keys, key + _LAST, lo=start))

    def largest(self, span: range, count: int) -> list[int]:
        if len(span) <= count:
            return sorted(span, key=self.order.__getitem__)
        return heapq.nsmallest(count, span, key=self.order.__getitem__)


class CommuneIndex:
    def __init__(self, communes: list[Entry], aliases: list[AliasRow]):
        self.communes = communes
        self.by_code = {entry.code: entry for entry in communes}
        self.alias_codes: dict[str, tuple[Entry, AliasRow]] = {}
        populations = [entry.population or 0 for entry in communes]
        positions = {entry.code: position for position, entry in enumerate(communes)}
        current, former, inner, postcodes = [], [], [], []
        for position, entry in enumerate(communes):
            _full, main, inner_keys = name_keys(entry.name, entry.search_name)
            current.extend((key, position, None) for key in main)
            inner.extend((key, position, None) for key in inner_keys)
            postcodes.extend((postcode, position, postcode) for postcode in entry.postcodes)
        for alias in aliases:
            position = positions.get(alias.commune_code)
            if position is None:
                continue
            if alias.code not in self.by_code:
                self.alias_codes.setdefault(alias.code, (communes[position], alias))
            if alias.name and alias.name != communes[position].name:
                _full, main, _inner = name_keys(alias.name, alias.search_name)
                former.extend((key, position, alias.name) for key in main)
            postcodes.extend((postcode, position, postcode) for postcode in alias.postcodes)
        self._names = ((CURRENT_NAME, _Keys(current, populations)), (FORMER_NAME, _Keys(former, populations)),
                       (INNER_WORD, _Keys(inner, populations)))
        self._postcodes = _Keys(list(set(postcodes)), populations)
        self._codes = _Keys([(entry.code, position, None) for position, entry in enumerate(communes)], populations)

    def __len__(self):
        return len(self.communes)

    # -- look-ups --------------------------------------------------------------------------------
    def get(self, code: str) -> tuple[Entry | None, AliasRow | None]:
        """The current commune of an INSEE code, and the alias it went through (if any)."""
        code = code.upper()
        if code in self.by_code:
            return self.by_code[code], None
        return self.alias_codes.get(code, (None, None))

    def search(self, text: str, limit: int = 10) -> list[Match]:
        """Communes for what a person typed: a name (or its start), a postcode or an INSEE code.

        Best first: exact name or code, then larger towns; a current name before a former
        commune's name, before a word inside a name. « Saint-Denis (93) » keeps the one of
        département 93 (the label the autocomplete shows).
        """
        text = text.strip()
        place = None
        suffix = _SUFFIX.match(text)
        if suffix and suffix.group("name").strip():
            text, place = suffix.group("name"), suffix.group("place").upper()
        compact = text.replace(" ", "").upper()
        # With a place, every candidate is needed before filtering on it.
        wanted = 100_000 if place else limit
        if _CODE_PREFIX.match(compact):
            matches = self._search_code(compact, wanted)
        else:
            matches = self._search_name(text, wanted)
        if place:
            matches = [match for match in matches
                       if match.commune.department == place or place in match.commune.postcodes]
        return sorted(matches, key=_rank)[:limit]

    def _collect(self, found: dict[str, Match], keys: _Keys, span: range, count: int, exact: bool, tier: int) -> int:
        """Add the ``count`` largest communes of ``span``; returns how many were found there."""
        indexes = keys.largest(span, count)
        for index in indexes:
            entry = self.communes[keys.positions[index]]
            known = found.get(entry.code)
            match = Match(entry, exact=exact, tier=tier, via=keys.vias[index])
            if known is None or _rank(match) < _rank(known):
                found[entry.code] = match
        return len(indexes)

    def _search_code(self, code: str, limit: int) -> list[Match]:
        found: dict[str, Match] = {}
        if len(code) == 5:
            # A postcode first (its communes, the most populous first), an INSEE code second:
            # 54300 is Lunéville's postcode before it is Laneuveville-devant-Nancy's code.
            by_postcode = self._postcodes.exact(code)
            self._collect(found, self._postcodes, by_postcode, limit, True, CURRENT_NAME)
            entry, alias = self.get(code)
            if entry is not None and entry.code not in found:
                if alias is not None:
                    tier, via = OLD_CODE, _alias_label(alias)
                elif by_postcode:
                    tier, via = FORMER_NAME, f"{INSEE_LABEL} {code}"
                else:
                    tier, via = CURRENT_NAME, None
                found[entry.code] = Match(entry, exact=True, tier=tier, via=via)
        for tier, keys in ((FORMER_NAME, self._postcodes), (CURRENT_NAME, self._codes)):
            if len(found) < limit + 1:
                self._collect(found, keys, keys.prefixed(code), limit + 1, False, tier)
        return list(found.values())

    def _search_name(self, text: str, limit: int) -> list[Match]:
        found: dict[str, Match] = {}
        keys_typed = [key for key in query_keys(text) if key]
        for key in keys_typed:
            for tier, keys in self._names:
                if tier != INNER_WORD:
                    self._collect(found, keys, keys.exact(key), limit, True, tier)
        for key in keys_typed:
            if len(key.replace(" ", "")) < 2:
                continue  # one letter: only a commune called exactly that (« Y », in the Somme)
            # Better kinds of match come first: a worse kind is only needed to fill the list.
            found_here = 0
            for tier, keys in self._names:
                if found_here > limit:
                    break
                found_here += self._collect(found, keys, keys.prefixed(key), limit + 1, False, tier)
        return list(found.values())


def _rank(match: Match):
    return (not match.exact or match.tier == INNER_WORD, match.tier, -(match.commune.population or 0),
            match.commune.code)


def _alias_label(alias: AliasRow | None) -> str | None:
    if alias is None:
        return None
    return alias.name or f"ancien code {alias.code}"
