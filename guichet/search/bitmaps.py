"""Filters and facets of the embedded backend as bitmaps over document row ids.

A snapshot of the index's filterable fields is held in memory, one Python integer per
(field, value) used as a bitmap of the documents having it. Filtering is AND/OR of bitmaps,
and a facet count is the population count of (matches AND value): a few microseconds each,
where the same counts in SQL cost tens of milliseconds at 20,000 programmes. FTS5 still does
the text matching and BM25.

When the index's generation number moves, the snapshot is brought up to date from the
index's change log (the row ids each write touched, guichet.search.sqlite): ``patched``
re-reads those rows only and derives a new snapshot from the old one (bitmaps, per-row lists,
orders and the derived bitmaps already computed), in milliseconds where a full
``load_snapshot`` takes seconds at 100,000 programmes. A snapshot is never changed once
built: a search holding the old one keeps a consistent view.
"""

import bisect
import heapq
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

# Derived values kept per kind (status, population, ...): the oldest goes first beyond this.
DERIVED_KEPT = {"status": 8, "population": 512, "deadline_window": 64, "published_after": 64, "by_deadline": 4,
                "at_least": 64}

# The columns of the index's docs table a snapshot holds (guichet.search.sqlite logs a row at a
# rebuild's swap when one of them, or a term, differs).
DOC_COLUMNS = ("title", "level", "nationwide", "has_beneficiaries", "closed", "opens_on", "deadlines",
               "population_min", "population_max", "population_overseas_min", "population_overseas_max",
               "published_at", "first_seen_at", "max_rate", "max_amount")
_DOC_COLUMNS = ", ".join(("rowid",) + DOC_COLUMNS)
# Row ids per statement when re-reading changed rows (SQLite's variable limit is far above).
_CHUNK = 500
# Per-row columns are held in chunks of 2 ** _SHIFT rows: a patch copies the chunks it changes only.
_SHIFT = 10
_COLUMNS = ("opens_on", "deadlines", "population_min", "population_max", "population_overseas_min",
            "population_overseas_max", "published_at", "first_seen", "titles", "max_rate", "max_amount", "funders")


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


class Column:
    """A per-row-id list, immutable, that a patch copies chunk by chunk (``changed``)."""

    __slots__ = ("chunks", "size")

    def __init__(self, values: list | None = None, chunks: list | None = None, size: int = 0):
        if chunks is None:
            values = values or []
            step = 1 << _SHIFT
            chunks = [values[start:start + step] for start in range(0, len(values), step)]
            size = len(values)
        self.chunks, self.size = chunks, size

    def __getitem__(self, rowid: int):
        return self.chunks[rowid >> _SHIFT][rowid & ((1 << _SHIFT) - 1)]

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        for chunk in self.chunks:
            yield from chunk

    def changed(self, values: dict, size: int) -> "Column":
        """A new column: these rows' values replaced, grown to ``size`` rows (None-filled)."""
        step = 1 << _SHIFT
        chunks = list(self.chunks)
        if size > self.size:
            if chunks and len(chunks[-1]) < step:
                chunks[-1] = chunks[-1] + [None] * min(step - len(chunks[-1]), size - self.size)
            while len(chunks) * step < size:
                chunks.append([None] * min(step, size - len(chunks) * step))
        copied = set()
        for rowid, value in values.items():
            index = rowid >> _SHIFT
            if index not in copied:
                chunks[index] = list(chunks[index])
                copied.add(index)
            chunks[index][rowid & (step - 1)] = value
        return Column(chunks=chunks, size=max(size, self.size))


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
    # Per row id (Columns indexed by rowid; None where no document).
    opens_on: Column = field(default_factory=Column)
    deadlines: Column = field(default_factory=Column)
    population_min: Column = field(default_factory=Column)
    population_max: Column = field(default_factory=Column)
    population_overseas_min: Column = field(default_factory=Column)
    population_overseas_max: Column = field(default_factory=Column)
    published_at: Column = field(default_factory=Column)
    first_seen: Column = field(default_factory=Column)
    # The highest rate (%) and amount (EUR) the source states, None when unknown.
    max_rate: Column = field(default_factory=Column)
    max_amount: Column = field(default_factory=Column)
    # Per row id: the funders' names (a tuple; None or empty for none).
    funders: Column = field(default_factory=Column)
    # Row ids by first_seen_at descending (nouveauté).
    newest_first: list = field(default_factory=list)
    titles: Column = field(default_factory=Column)

    def __post_init__(self):
        # Derived values, private to this snapshot: (kind, arguments) → bitmap, dict or order.
        self._derived: dict[tuple, object] = {}
        # The funders' look-ups, derived from ``values`` when first asked (never carried over
        # by ``patched``: a new snapshot derives them again).
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

    # -- derived values (kept per snapshot, carried over by ``patched``) ---------------------
    def _cached(self, kind: str, arguments: tuple):
        key = (kind, arguments)
        try:
            return self._derived[key]
        except KeyError:
            pass
        value = getattr(self, "_" + kind)(*arguments, self.rowids())
        self._keep(key, value)
        return value

    def _keep(self, key: tuple, value) -> None:
        if sum(1 for kind, _arguments in list(self._derived) if kind == key[0]) >= DERIVED_KEPT[key[0]]:
            oldest = next((other for other in list(self._derived) if other[0] == key[0]), None)
            self._derived.pop(oldest, None)
        self._derived[key] = value

    def status(self, today: date) -> dict[str, int]:
        return self._cached("status", (today.isoformat(),))

    def _status(self, today: str, rowids) -> dict[str, int]:
        """Among ``rowids``: closed (flag or last deadline past) and upcoming; open is the rest
        of all_docs (complete only when ``rowids`` are all the documents)."""
        past, upcoming = [], []
        for rowid in rowids:
            deadlines = self.deadlines[rowid]
            if deadlines and deadlines[-1] < today:
                past.append(rowid)
            elif self.opens_on[rowid] and self.opens_on[rowid] > today:
                upcoming.append(rowid)
        closed = (bitmap_of(past) | self.closed) & self.all_docs
        upcoming_bitmap = bitmap_of(upcoming) & ~closed
        return {"clos": closed, "a_venir": upcoming_bitmap,
                "ouvert": self.all_docs & ~closed & ~upcoming_bitmap}

    def population(self, low: int | None, high: int | None, overseas: bool = False) -> int:
        return self._cached("population", (low, high, overseas))

    def _population(self, low, high, overseas, rowids) -> int:
        """Documents whose [population_min, population_max] (overseas: their overseas range)
        overlaps [low, high]."""
        lows, highs = ((self.population_overseas_min, self.population_overseas_max) if overseas
                       else (self.population_min, self.population_max))
        kept = []
        for rowid in rowids:
            minimum, maximum = lows[rowid], highs[rowid]
            if high is not None and minimum is not None and minimum > high:
                continue
            if low is not None and maximum is not None and maximum < low:
                continue
            kept.append(rowid)
        return bitmap_of(kept)

    def deadline_window(self, today: date, last_day: date) -> int:
        return self._cached("deadline_window", (today.isoformat(), last_day.isoformat()))

    def _deadline_window(self, today: str, last_day: str, rowids) -> int:
        return bitmap_of(rowid for rowid in rowids
                         if any(today <= deadline <= last_day for deadline in self.deadlines[rowid]))

    def published_after(self, moment: str) -> int:
        return self._cached("published_after", (moment,))

    def _published_after(self, moment: str, rowids) -> int:
        return bitmap_of(rowid for rowid in rowids
                         if self.published_at[rowid] is not None and self.published_at[rowid] > moment)

    def at_least(self, field_name: str, threshold: float) -> int:
        """Documents whose ``max_rate`` or ``max_amount`` is known and at least ``threshold``."""
        return self._cached("at_least", (field_name, threshold))

    def known(self, field_name: str) -> int:
        return self.at_least(field_name, float("-inf"))

    def _at_least(self, field_name: str, threshold: float, rowids) -> int:
        values = getattr(self, field_name)
        return bitmap_of(rowid for rowid in rowids if values[rowid] is not None and values[rowid] >= threshold)

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
        return self._cached("by_deadline", (today.isoformat(),))

    def _deadline_key(self, today: str):
        def key(rowid):
            upcoming = [deadline for deadline in self.deadlines[rowid] if deadline >= today]
            return (not upcoming, upcoming[0] if upcoming else "", self.titles[rowid], rowid)
        return key

    def _by_deadline(self, today: str, rowids) -> list[int]:
        """Row ids by next deadline from today on; no upcoming deadline last, then by title."""
        return sorted(rowids, key=self._deadline_key(today))

    # -- incremental refresh -----------------------------------------------------------------
    def patched(self, connection, changed, generation: int) -> "Snapshot":
        """A new snapshot at ``generation``: this one with the rows ``changed`` re-read from
        ``connection`` (a row id no longer in ``docs`` is removed, a new one added)."""
        changed = sorted(set(changed))
        rows, terms = [], []
        for start in range(0, len(changed), _CHUNK):
            chunk = changed[start:start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows += connection.execute(f"SELECT {_DOC_COLUMNS} FROM docs WHERE rowid IN ({marks})", chunk).fetchall()
            terms += connection.execute(f"SELECT field, value, doc FROM terms WHERE doc IN ({marks})", chunk).fetchall()
        present = sorted(row[0] for row in rows)
        mask = bitmap_of(changed)
        keep = ~mask

        new = Snapshot(generation=generation)
        size = max(len(self.titles), (max(changed) + 1) if changed else 0)
        columns = {name: dict.fromkeys(changed) for name in _COLUMNS}
        groups, flags = _fill(columns, rows, terms)
        for name in _COLUMNS:
            setattr(new, name, getattr(self, name).changed(columns[name], size))
        new.values = {}
        for key in set(self.values) | set(groups):
            old = self.values.get(key, 0)
            if key not in groups and not old & mask:
                new.values[key] = old  # no changed row had or has it
                continue
            bitmap = (old & keep) | bitmap_of(groups.get(key, ()))
            if bitmap:
                new.values[key] = bitmap
        present_bitmap = bitmap_of(present)
        new.all_docs = (self.all_docs & keep) | present_bitmap
        new.nationwide = (self.nationwide & keep) | bitmap_of(flags["nationwide"])
        new.has_beneficiaries = (self.has_beneficiaries & keep) | bitmap_of(flags["has_beneficiaries"])
        new.closed = (self.closed & keep) | bitmap_of(flags["closed"])
        # Orders: only the rows whose place may have moved (gone, new, another sort key) move.
        present_set = set(present)
        was_there = set(rowid for rowid in changed if rowid < len(self.titles) and self.titles[rowid] is not None)
        moved = [rowid for rowid in changed if rowid not in present_set or rowid not in was_there
                 or self.first_seen[rowid] != new.first_seen[rowid]]
        new.newest_first = _reordered(self.newest_first, moved, present_set,
                                      lambda rowid: (new.first_seen[rowid] or "", rowid), descending=True)

        # The derived values already computed, carried over for the changed rows only.
        for (kind, arguments), value in list(self._derived.items()):
            if kind == "status":
                rows_status = new._status(*arguments, present)
                closed = (value["clos"] & keep) | rows_status["clos"]
                upcoming = ((value["a_venir"] & keep) | rows_status["a_venir"]) & ~closed
                value = {"clos": closed, "a_venir": upcoming, "ouvert": new.all_docs & ~closed & ~upcoming}
            elif kind == "by_deadline":
                old_key, key = self._deadline_key(*arguments), new._deadline_key(*arguments)
                moved = [rowid for rowid in changed if rowid not in present_set or rowid not in was_there
                         or old_key(rowid) != key(rowid)]
                value = _reordered(value, moved, present_set, key)
            else:
                value = (value & keep) | getattr(new, "_" + kind)(*arguments, present)
            new._derived[(kind, arguments)] = value
        return new


# Beyond this many rows to place, sorting the whole order again (timsort merges the runs)
# is faster than inserting them one by one.
_INSERTIONS = 200


def _reordered(order: list, moved: list, present: set, key, descending: bool = False) -> list:
    """``order`` (sorted by ``key``) without the ``moved`` rows, and with those of them still
    ``present`` put back in their place. The same list when nothing moved."""
    if not moved:
        return order
    moved_set = set(moved)
    kept = [rowid for rowid in order if rowid not in moved_set]
    back = [rowid for rowid in moved if rowid in present]
    if len(back) > _INSERTIONS:
        return sorted(kept + back, key=key, reverse=descending)
    for rowid in back:
        wanted = key(rowid)
        low, high = 0, len(kept)
        while low < high:
            middle = (low + high) // 2
            if (key(kept[middle]) > wanted) if descending else (key(kept[middle]) < wanted):
                low = middle + 1
            else:
                high = middle
        kept.insert(low, rowid)
    return kept


def _fill(columns: dict, rows, terms) -> tuple[dict, dict]:
    """Per-row values of ``rows`` written into ``columns`` (name → list or dict by row id);
    their (field, value) → row ids groups (level from docs, the rest from ``terms``) and
    flags returned."""
    groups: dict[tuple[str, str], list[int]] = {}
    flags = {"nationwide": [], "has_beneficiaries": [], "closed": []}
    (titles, opens, deadline_lists, minima, maxima, overseas_minima, overseas_maxima, published, seen, rates,
     amounts, funders) = (columns[name] for name in (
        "titles", "opens_on", "deadlines", "population_min", "population_max", "population_overseas_min",
        "population_overseas_max", "published_at", "first_seen", "max_rate", "max_amount", "funders"))
    for (rowid, title, level, is_nationwide, has_any_beneficiary, is_closed, opens_on, deadlines,
         population_min, population_max, overseas_min, overseas_max, published_at, first_seen_at, max_rate,
         max_amount) in rows:
        titles[rowid] = title
        opens[rowid] = opens_on
        deadline_lists[rowid] = json.loads(deadlines)
        minima[rowid] = population_min
        maxima[rowid] = population_max
        overseas_minima[rowid] = overseas_min
        overseas_maxima[rowid] = overseas_max
        published[rowid] = published_at
        seen[rowid] = first_seen_at
        rates[rowid] = max_rate
        amounts[rowid] = max_amount
        groups.setdefault(("level", level), []).append(rowid)
        if is_nationwide:
            flags["nationwide"].append(rowid)
        if has_any_beneficiary:
            flags["has_beneficiaries"].append(rowid)
        if is_closed:
            flags["closed"].append(rowid)
    for field_name, value, rowid in terms:
        groups.setdefault((field_name, value), []).append(rowid)
        if field_name == "funder":
            funders[rowid] = (*(funders[rowid] or ()), value)
    return groups, flags


def load_snapshot(connection, generation: int) -> Snapshot:
    """The whole snapshot read from the index (at start, or when the change log cannot say)."""
    rows = connection.execute(f"SELECT {_DOC_COLUMNS} FROM docs").fetchall()
    size = (max(row[0] for row in rows) + 1) if rows else 0
    snapshot = Snapshot(generation=generation)
    columns = {name: [None] * size for name in _COLUMNS}
    groups, flags = _fill(columns, rows, connection.execute("SELECT field, value, doc FROM terms"))
    for name in _COLUMNS:
        setattr(snapshot, name, Column(columns[name]))
    snapshot.values = {key: bitmap_of(rowids) for key, rowids in groups.items()}
    snapshot.all_docs = bitmap_of(row[0] for row in rows)
    snapshot.nationwide = bitmap_of(flags["nationwide"])
    snapshot.has_beneficiaries = bitmap_of(flags["has_beneficiaries"])
    snapshot.closed = bitmap_of(flags["closed"])
    snapshot.newest_first = [rowid for _seen, rowid in
                             sorted(((snapshot.first_seen[row[0]] or "", row[0]) for row in rows), reverse=True)]
    return snapshot
