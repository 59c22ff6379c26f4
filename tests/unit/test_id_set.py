"""The bulk sink's compact id set answers exactly as a Python set would."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa

from cibgraph.loaders.bulk.id_set import CompactIds, _Run


def test_compact_ids_answer_as_a_set_across_freezes_and_merges() -> None:
    rng = random.Random(3)
    ids = CompactIds(recent=7)  # a run every 7 ids: many runs, many merges
    reference: set[str] = set()
    universe = [f"p{rng.randrange(10**12)}" for _ in range(600)]
    for step in range(400):
        value = rng.choice(universe)
        if step % 3 == 1:
            ids.add(value)
            reference.add(value)
        elif step % 3:
            assert ids.claim(value) == (value not in reference)
            reference.add(value)
        else:
            new = [v for v in rng.sample(universe, 5) if v not in reference]
            ids.update(new)
            reference.update(new)
        asked = [*rng.sample(universe, 20), "", "not-an-id"]
        assert ids.which(asked).tolist() == [a in reference for a in asked]
        assert all((a in ids) == (a in reference) for a in asked)
        assert ids.any_of(asked) == any(a in reference for a in asked)
    assert len(ids) == len(reference)
    assert len(ids._runs) <= 8  # merged as a binary counter, never one run per freeze
    assert 42 not in ids


def test_ids_sharing_a_hash_are_told_apart_by_the_id_itself() -> None:
    keys = np.array([1, 5, 5, 5, 9], dtype=np.int64)
    run = _Run(keys, pa.array(["a", "b", "c", "d", "e"], pa.large_string()))
    asked = ["d", "x", "b", "e", "a"]
    found = run.has(asked, np.array([5, 5, 5, 9, 2], dtype=np.int64))
    assert found.tolist() == [True, False, True, True, False]
    assert run.has_one("c", 5) and not run.has_one("x", 5) and not run.has_one("a", 2)


def test_the_bit_filter_passes_every_frozen_id_and_few_absent_ones() -> None:
    ids = CompactIds(recent=1000)
    present = [f"p{i}" for i in range(5000)]
    ids.update(present)  # past the limit: frozen at once, every id in a run, none recent
    assert not ids._recent
    keys = np.fromiter(map(hash, present), dtype=np.int64, count=len(present))
    assert ids._maybe(keys).all()  # a clear bit would lose an id
    absent = np.fromiter((hash(f"q{i}") for i in range(5000)), dtype=np.int64, count=5000)
    # 5,000 set bits of 2^27: an absent id passes about once in 27,000.
    assert ids._maybe(absent).sum() < 10
    assert not ids.which([f"q{i}" for i in range(5000)]).any()
    assert ids.which(present).all()
    assert all(v in ids for v in present) and not any(f"q{i}" in ids for i in range(5000))
