"""Filters and facets of the embedded backend as bitmaps over document row ids.

A snapshot of the index's filterable fields is held in memory, one Python integer per
(field, value) used as a bitmap of the documents having it. Filtering is AND/OR of bitmaps,
and a facet count is the population count of (matches AND value): a few microseconds each,
where the same counts in SQL cost tens of milliseconds at 20,000 programmes. FTS5 still does
the text matching and BM25. A snapshot is rebuilt when the index's generation number moves.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache


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
        "first_seen_at FROM docs").fetchall()
    size = (max(row[0] for row in rows) + 1) if rows else 0
    snapshot = Snapshot(generation=generation)
    for name in ("opens_on", "deadlines", "population_min", "population_max", "population_overseas_min",
                 "population_overseas_max", "published_at", "titles"):
        setattr(snapshot, name, [None] * size)
    groups: dict[tuple[str, str], list[int]] = {}
    nationwide, has_beneficiaries, closed, newest = [], [], [], []
    for (rowid, title, level, is_nationwide, has_any_beneficiary, is_closed, opens_on, deadlines,
         population_min, population_max, overseas_min, overseas_max, published_at, first_seen_at) in rows:
        snapshot.titles[rowid] = title
        snapshot.opens_on[rowid] = opens_on
        snapshot.deadlines[rowid] = json.loads(deadlines)
        snapshot.population_min[rowid] = population_min
        snapshot.population_max[rowid] = population_max
        snapshot.population_overseas_min[rowid] = overseas_min
        snapshot.population_overseas_max[rowid] = overseas_max
        snapshot.published_at[rowid] = published_at
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
    snapshot.values = {key: bitmap_of(rowids) for key, rowids in groups.items()}
    snapshot.all_docs = bitmap_of(row[0] for row in rows)
    snapshot.nationwide = bitmap_of(nationwide)
    snapshot.has_beneficiaries = bitmap_of(has_beneficiaries)
    snapshot.closed = bitmap_of(closed)
    snapshot.newest_first = [rowid for _seen, rowid in sorted(newest, reverse=True)]
    return snapshot
