"""Filters and facets of the embedded backend as bitmaps over document row ids.

A snapshot of the index's filterable fields is held in memory, one Python integer per
(field, value) used as a bitmap of the documents having it. Filtering is AND/OR of bitmaps,
and a facet count is the population count of (matches AND value): a few microseconds each,
where the same counts in SQL cost tens of milliseconds at 20,000 programmes. FTS5 still does
the text matching and BM25. A snapshot is rebuilt when the index's generation number moves.
"""

import bisect
import heapq
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache


def rowids_of(bitmap: int) -> list[int]:
    """The row ids a bitmap holds, in order."""
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8 or 1, "little")
    rowids = []
    for index, byte in enumerate(data):
        while byte:
            lowest = byte & -byte
            rowids.append((index << 3) + lowest.bit_length() - 1)
            byte ^= lowest
    return rowids


# Below this many documents, funders are counted document by document (each one's few
# funders); above, funder by funder, the largest first, stopping when no funder left can
# enter the top, or going document by document after all when that would take longer (one
# funder's bitmap costs about as much as FUNDER_COST_IN_DOCUMENTS documents).
# bench/bench_funders.py: 20,000 programmes and 3,000 funders, counting every funder's bitmap
# cost 7 to 37 ms per search.
FUNDERS_BY_DOCUMENT = 1500
FUNDER_COST_IN_DOCUMENTS = 8


def bitmap_of(rowids) -> int:
    rowids = list(rowids)
    if not rowids:
        return 0
    buffer = bytearray((max(rowids) >> 3) + 1)
    for rowid in rowids:
        buffer[rowid >> 3] |= 1 << (rowid & 7)
    return int.from_bytes(buffer, "little")


class Membership:
    """Fast ``rowid in bitmap`` for walking sorted lists."""

    def __init__(self, bitmap: int):
        self.buffer = bitmap.to_bytes((bitmap.bit_length() + 7) // 8 or 1, "little")
        self.size = len(self.buffer)

    def __contains__(self, rowid: int) -> bool:
        index = rowid >> 3
        return index < self.size and (self.buffer[index] >> (rowid & 7)) & 1 == 1


@dataclass
class Snapshot:
    generation: int
    all_docs: int = 0
    # (field, value) → bitmap; fields: theme, level, aid_type, beneficiary, region, department
    values: dict[tuple[str, str], int] = field(default_factory=dict)
    nationwide: int = 0
    has_beneficiaries: int = 0
    closed: int = 0
    # Per row id (lists indexed by rowid; None where no document).
    opens_on: list = field(default_factory=list)
    deadlines: list = field(default_factory=list)
    population_min: list = field(default_factory=list)
    population_max: list = field(default_factory=list)
    population_overseas_min: list = field(default_factory=list)
    population_overseas_max: list = field(default_factory=list)
    published_at: list = field(default_factory=list)
    # The highest rate (%) and amount (EUR) the source states, None when unknown.
    max_rate: list = field(default_factory=list)
    max_amount: list = field(default_factory=list)
    # Per row id: the funders' names (a tuple, empty for none).
    funders: list = field(default_factory=list)
    # Row ids by first_seen_at descending (nouveauté).
    newest_first: list = field(default_factory=list)
    titles: list = field(default_factory=list)

    def __post_init__(self):
        # Caches of derived bitmaps, private to this snapshot.
        self._status = lru_cache(maxsize=8)(self._status_bitmaps)
        self._population = lru_cache(maxsize=512)(self._population_bitmap)
        self._deadline_window = lru_cache(maxsize=64)(self._deadline_window_bitmap)
        self._published_after = lru_cache(maxsize=64)(self._published_after_bitmap)
        self._deadline_order = lru_cache(maxsize=4)(self._by_deadline)
        self._at_least = lru_cache(maxsize=64)(self._at_least_bitmap)
        self._funder_names = None
        self._funders_by_size = None
        self._funder_totals = None
        self._every_funder = lru_cache(maxsize=8)(self._every_funder_counts)

    def value(self, field_name: str, value: str) -> int:
        return self.values.get((field_name, value), 0)

    def any_of(self, field_name: str, values) -> int:
        bitmap = 0
        for value in values:
            bitmap |= self.value(field_name, value)
        return bitmap

    def rowids(self):
        return (rowid for rowid, document_id in enumerate(self.titles) if document_id is not None)

    # -- derived bitmaps (cached) ------------------------------------------------------------
    def status(self, today: date) -> dict[str, int]:
        return self._status(today.isoformat())

    def _status_bitmaps(self, today: str) -> dict[str, int]:
        past, upcoming = [], []
        for rowid in self.rowids():
            deadlines = self.deadlines[rowid]
            if deadlines and deadlines[-1] < today:
                past.append(rowid)
            elif self.opens_on[rowid] and self.opens_on[rowid] > today:
                upcoming.append(rowid)
        closed = bitmap_of(past) | self.closed
        upcoming_bitmap = bitmap_of(upcoming) & ~closed
        return {"clos": closed & self.all_docs, "a_venir": upcoming_bitmap,
                "ouvert": self.all_docs & ~closed & ~upcoming_bitmap}

    def population(self, low: int | None, high: int | None, overseas: bool = False) -> int:
        return self._population(low, high, overseas)

    def _population_bitmap(self, low, high, overseas) -> int:
        """Documents whose [population_min, population_max] (overseas: their overseas range)
        overlaps [low, high]."""
        lows, highs = ((self.population_overseas_min, self.population_overseas_max) if overseas
                       else (self.population_min, self.population_max))
        rowids = []
        for rowid in self.rowids():
            minimum, maximum = lows[rowid], highs[rowid]
            if high is not None and minimum is not None and minimum > high:
                continue
            if low is not None and maximum is not None and maximum < low:
                continue
            rowids.append(rowid)
        return bitmap_of(rowids)

    def deadline_window(self, today: date, last_day: date) -> int:
        return self._deadline_window(today.isoformat(), last_day.isoformat())

    def _deadline_window_bitmap(self, today: str, last_day: str) -> int:
        return bitmap_of(rowid for rowid in self.rowids()
                         if any(today <= deadline <= last_day for deadline in self.deadlines[rowid]))

    def published_after(self, moment: str) -> int:
        return self._published_after(moment)

    def _published_after_bitmap(self, moment: str) -> int:
        return bitmap_of(rowid for rowid in self.rowids()
                         if self.published_at[rowid] is not None and self.published_at[rowid] > moment)

    def at_least(self, field_name: str, threshold: float) -> int:
        """Documents whose ``max_rate`` or ``max_amount`` is known and at least ``threshold``."""
        return self._at_least(field_name, threshold)

    def known(self, field_name: str) -> int:
        return self._at_least(field_name, float("-inf"))

    def _at_least_bitmap(self, field_name: str, threshold: float) -> int:
        values = getattr(self, field_name)
        return bitmap_of(rowid for rowid in self.rowids() if values[rowid] is not None and values[rowid] >= threshold)

    def funder_names(self, keys, key_of) -> set[str]:
        """The funders' names indexed whose ``key_of`` (guichet.search.query.funder_key) is one of ``keys``."""
        if self._funder_names is None:
            names: dict[str, set[str]] = {}
            for name, value in self.values:
                if name == "funder":
                    names.setdefault(key_of(value), set()).add(value)
            self._funder_names = names
        return {name for key in keys for name in self._funder_names.get(key, ())}

    def funder_counts(self, base: int, size: int | None) -> dict[str, int]:
        """Programmes of ``base`` per funder: the ``size`` most frequent (then by name), or
        every funder for None."""
        if size is None:
            return self._every_funder(base)  # the autocomplete, keystroke after keystroke: cached
        documents = base.bit_count()
        counts = None if documents < FUNDERS_BY_DOCUMENT else self._top_funders_by_bitmap(base, size, documents)
        if counts is None:
            counts = self._funders_by_document(base)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size])

    def _top_funders_by_bitmap(self, base: int, size: int, documents: int) -> dict[str, int] | None:
        """Funder by funder, the largest first, until no funder left can enter the top; None
        when that would cost more than counting document by document (a funder's bitmap costs
        about eight documents: many small funders in a mid-sized result)."""
        if self._funders_by_size is None:
            self._funders_by_size = sorted(((bitmap.bit_count(), value, bitmap)
                                            for (name, value), bitmap in self.values.items() if name == "funder"),
                                           key=lambda item: (-item[0], item[1]))
            self._funder_totals = [-total for total, _name, _bitmap in self._funders_by_size]
        budget = documents // FUNDER_COST_IN_DOCUMENTS
        if len(self._funders_by_size) > size:
            # the top's last count if the result held each funder in proportion: every funder
            # at least that large is to be counted
            expected_last = self._funders_by_size[size - 1][0] * documents / max(1, self.all_docs.bit_count())
            if bisect.bisect_right(self._funder_totals, -expected_last) > budget:
                return None
        counts, smallest_kept = {}, []
        for computed, (total, name, bitmap) in enumerate(self._funders_by_size):
            if len(smallest_kept) >= size and total < smallest_kept[0]:
                break  # this funder and every one after it count fewer than the top's last
            if computed > budget:
                return None
            count = (base & bitmap).bit_count()
            if count:
                counts[name] = count
                if len(smallest_kept) < size:
                    heapq.heappush(smallest_kept, count)
                elif count > smallest_kept[0]:
                    heapq.heapreplace(smallest_kept, count)
        return counts

    def _every_funder_counts(self, base: int) -> dict[str, int]:
        return dict(sorted(self._funders_by_document(base).items(), key=lambda item: (-item[1], item[0])))

    def _funders_by_document(self, base: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rowid in rowids_of(base):
            for name in self.funders[rowid] or ():
                counts[name] = counts.get(name, 0) + 1
        return counts

    def by_deadline(self, today: date) -> list[int]:
        return self._deadline_order(today.isoformat())

    def _by_deadline(self, today: str) -> list[int]:
        """Row ids by next deadline from today on; no upcoming deadline last, then by title."""
        def key(rowid):
            upcoming = [deadline for deadline in self.deadlines[rowid] if deadline >= today]
            return (not upcoming, upcoming[0] if upcoming else "", self.titles[rowid])

        return sorted(self.rowids(), key=key)


def load_snapshot(connection, generation: int) -> Snapshot:
    import json

    rows = connection.execute(
        "SELECT rowid, title, level, nationwide, has_beneficiaries, closed, opens_on, deadlines, "
        "population_min, population_max, population_overseas_min, population_overseas_max, published_at, "
        "first_seen_at, max_rate, max_amount FROM docs").fetchall()
    size = (max(row[0] for row in rows) + 1) if rows else 0
    snapshot = Snapshot(generation=generation)
    for name in ("opens_on", "deadlines", "population_min", "population_max", "population_overseas_min",
                 "population_overseas_max", "published_at", "titles", "max_rate", "max_amount", "funders"):
        setattr(snapshot, name, [None] * size)
    groups: dict[tuple[str, str], list[int]] = {}
    nationwide, has_beneficiaries, closed, newest = [], [], [], []
    for (rowid, title, level, is_nationwide, has_any_beneficiary, is_closed, opens_on, deadlines,
         population_min, population_max, overseas_min, overseas_max, published_at, first_seen_at, max_rate,
         max_amount) in rows:
        snapshot.titles[rowid] = title
        snapshot.opens_on[rowid] = opens_on
        snapshot.deadlines[rowid] = json.loads(deadlines)
        snapshot.population_min[rowid] = population_min
        snapshot.population_max[rowid] = population_max
        snapshot.population_overseas_min[rowid] = overseas_min
        snapshot.population_overseas_max[rowid] = overseas_max
        snapshot.published_at[rowid] = published_at
        snapshot.max_rate[rowid] = max_rate
        snapshot.max_amount[rowid] = max_amount
        groups.setdefault(("level", level), []).append(rowid)
        if is_nationwide:
            nationwide.append(rowid)
        if has_any_beneficiary:
            has_beneficiaries.append(rowid)
        if is_closed:
            closed.append(rowid)
        newest.append((first_seen_at or "", rowid))
    for field_name, value, rowid in connection.execute("SELECT field, value, doc FROM terms"):
        groups.setdefault((field_name, value), []).append(rowid)
        if field_name == "funder":
            snapshot.funders[rowid] = (*(snapshot.funders[rowid] or ()), value)
    snapshot.values = {key: bitmap_of(rowids) for key, rowids in groups.items()}
    snapshot.all_docs = bitmap_of(row[0] for row in rows)
    snapshot.nationwide = bitmap_of(nationwide)
    snapshot.has_beneficiaries = bitmap_of(has_beneficiaries)
    snapshot.closed = bitmap_of(closed)
    snapshot.newest_first = [rowid for _seen, rowid in sorted(newest, reverse=True)]
    return snapshot
