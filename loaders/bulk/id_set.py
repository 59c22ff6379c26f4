"""A set of ids held compactly: the bulk sink's every post id (12.2M at scale 100).

A Python set of short strings costs about 85 bytes an id (the string object and its
slot); the ids of scale 100 alone were a gigabyte of ``cib load --bulk``'s 2.5 GB peak.
Here the ids added last are a Python set (fast to add to and to ask), and every
``RECENT`` of them are frozen into a run: the ids as one Arrow string array sorted by
their Python hash, beside the sorted hashes (about 29 bytes an id). Runs of similar size
are merged, so there are a few. Membership is exact: a hash found in a run is confirmed
by comparing the id itself (two ids can share a hash). A fixed 16 MiB bit filter in front of
the runs spares most absent ids the lookup. Python's ``hash`` of a string is
salted per process, which is all a set that lives in one process needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

RECENT = 1 << 19  # ids kept as a Python set before they are frozen into a run
# A bit per hash value's low bits, set for every frozen id: an id whose bit is clear is in
# no run, so only the rest are looked up. 2^27 bits (16 MiB) leave about 9 % of absent ids
# to look up at scale 100's 12.2M ids; py-spy found the lookups (NumPy's searchsorted over
# the runs) 12 % of a bulk load's validation without it.
FILTER_BITS = 27


@dataclass(frozen=True)
class _Run:
    keys: npt.NDArray[np.int64]  # sorted
    ids: pa.LargeStringArray  # in the keys' order

    @classmethod
    def of(cls, ids: list[str]) -> _Run:
        keys = np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(keys, kind="stable")
        return cls(keys[order], pa.array(ids, pa.large_string()).take(pa.array(order)))

    def merged(self, other: _Run) -> _Run:
        keys = np.concatenate([self.keys, other.keys])
        order = np.argsort(keys, kind="stable")
        ids = pa.concat_arrays([self.ids, other.ids]).take(pa.array(order))
        return _Run(keys[order], ids)

    def has_one(self, value: str, key: int) -> bool:
        j = int(np.searchsorted(self.keys, key))
        while j < len(self.keys) and self.keys[j] == key:
            if self.ids[j].as_py() == value:
                return True
            j += 1
        return False

    def has(self, ids: Sequence[str], keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Which of ``ids`` (their hashes ``keys``) the run holds."""
        found = np.zeros(len(ids), dtype=bool)
        at = np.searchsorted(self.keys, keys)
        inside = at < len(self.keys)
        candidates = np.flatnonzero(inside)
        candidates = candidates[self.keys[at[candidates]] == keys[candidates]]
        if not len(candidates):
            return found
        asked = pa.array([ids[i] for i in candidates.tolist()], pa.large_string())
        same = pc.equal(self.ids.take(pa.array(at[candidates])), asked)
        found[candidates] = same.to_numpy(zero_copy_only=False)
        # Where the first id with that hash is another one, the next ones may be it.
        for i in candidates[~found[candidates]].tolist():
            j = int(at[i]) + 1
            while j < len(self.keys) and self.keys[j] == keys[i]:
                if self.ids[j].as_py() == ids[i]:
                    found[i] = True
                    break
                j += 1
        return found


class CompactIds:
    """A set of strings: ``in``, ``add``/``claim``, ``update``, ``len``, and ``which`` for many."""

    def __init__(self, recent: int | None = None) -> None:
        self._limit = RECENT if recent is None else recent
        self._recent: set[str] = set()
        self._runs: list[_Run] = []
        self._frozen = 0
        self._bits = np.zeros(0, dtype=np.uint8)  # allocated at the first freeze

    def __len__(self) -> int:
        return self._frozen + len(self._recent)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        if value in self._recent:
            return True
        key = hash(value)
        if not self._runs:
            return False
        slot = key & ((1 << FILTER_BITS) - 1)  # _slots' bits for one key, without an array
        if not (int(self._bits[slot >> 3]) >> (slot & 7)) & 1:
            return False
        return any(run.has_one(value, key) for run in self._runs)

    def add(self, value: str) -> None:
        self.claim(value)

    def claim(self, value: str) -> bool:
        """Add ``value``; whether it was new (one lookup where ``in`` then ``add`` ask twice)."""
        if value in self:
            return False
        self._recent.add(value)
        if len(self._recent) >= self._limit:
            self._freeze()
        return True

    def update(self, values: Iterable[str]) -> None:
        """Add ``values``, which the caller knows are not in the set yet."""
        self._recent.update(values)
        if len(self._recent) >= self._limit:
            self._freeze()

    def which(self, values: Sequence[str]) -> npt.NDArray[np.bool_]:
        """For each of ``values``, whether it is in the set."""
        recent = self._recent
        found = np.fromiter((v in recent for v in values), dtype=bool, count=len(values))
        if self._runs and len(values):
            keys = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
            maybe = np.flatnonzero(self._maybe(keys) & ~found)
            if len(maybe):
                asked = [values[i] for i in maybe.tolist()]
                for run in self._runs:
                    found[maybe] |= run.has(asked, keys[maybe])
        return found

    def _slots(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
        return keys.view(np.uint64) & np.uint64((1 << FILTER_BITS) - 1)

    def _maybe(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """False where no frozen id has the key's bit: certainly in no run."""
        slots = self._slots(keys)
        byte = self._bits[slots >> np.uint64(3)]
        bit: npt.NDArray[np.uint8] = (byte >> (slots & np.uint64(7)).astype(np.uint8)) & 1
        return np.equal(bit, 1)

    def any_of(self, values: Sequence[str]) -> bool:
        return bool(self.which(values).any())

    def _freeze(self) -> None:
        run = _Run.of(list(self._recent))
        if not len(self._bits):
            self._bits = np.zeros(1 << (FILTER_BITS - 3), dtype=np.uint8)
        slots = self._slots(run.keys)
        masks = np.left_shift(1, slots & np.uint64(7)).astype(np.uint8)
        np.bitwise_or.at(self._bits, slots >> np.uint64(3), masks)
        self._frozen += len(self._recent)
        self._recent = set()
        self._runs.append(run)
        # Binary-counter merging: a run at most half the size of the one before it.
        while len(self._runs) >= 2 and len(self._runs[-1].keys) * 2 > len(self._runs[-2].keys):
            last = self._runs.pop()
            self._runs[-1] = self._runs[-1].merged(last)
