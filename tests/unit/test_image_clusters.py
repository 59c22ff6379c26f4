"""Near-equal image hashes: every pair within the distance is grouped, none beyond it.

Real DuckDB; the hashes come from a recording runner in pages, as the Post.image_hash
index of a database would give them.
"""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from cibgraph.core.errors import InsufficientMemory, UsageError
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.pairs.image_clusters import (
    BITS,
    CLEAR,
    HASH_SCHEMA,
    MAX_DISTANCE,
    SET,
    ImageClusterParams,
    cluster_images,
    comparable,
    near_equal_groups,
)
from cibgraph.scenario.tactics import near_copy
from tests.fakes import RecordingRunner


@pytest.mark.parametrize("distance", range(MAX_DISTANCE + 1))
def test_chunks_cover_the_64_bits_once(distance: int) -> None:
    chunks = ImageClusterParams(max_distance=distance).chunks()
    assert len(chunks) == distance + 1
    covered = [(mask << shift) for shift, mask in chunks]
    assert sum(covered) == (1 << BITS) - 1
    assert all(a & b == 0 for a, b in combinations(covered, 2))


def test_only_sixteen_hex_digits_have_bits_to_compare() -> None:
    assert comparable("00000000000000ff") == 255
    assert comparable("FFFFFFFFFFFFFFFF") == (1 << 64) - 1
    for opaque in ("12345", "0123456789abcdef0", "g123456789abcdef", "ph_000001", ""):
        assert comparable(opaque) is None


def _families(rng: random.Random) -> list[str]:
    """Originals, each with copies 0 to 7 bits off it, and unrelated hashes."""
    hashes: set[str] = set()
    for _ in range(40):
        original = rng.getrandbits(64)
        hashes.add(f"{original:016x}")
        for bits in range(1, 8):
            copy = original
            for bit in rng.sample(range(64), bits):
                copy ^= 1 << bit
            hashes.add(f"{copy:016x}")
    hashes.update(f"{rng.getrandbits(64):016x}" for _ in range(500))
    return sorted(hashes)


def _brute_force(hashes: list[str], distance: int) -> dict[str, str]:
    """Single-link groups by comparing every pair of hashes."""
    group = {h: h for h in hashes}
    for x, y in combinations(hashes, 2):
        if (int(x, 16) ^ int(y, 16)).bit_count() <= distance:
            old, new = max(group[x], group[y]), min(group[x], group[y])
            group = {h: new if g == old else g for h, g in group.items()}
    sizes: dict[str, int] = {}
    for g in group.values():
        sizes[g] = sizes.get(g, 0) + 1
    return {h: g for h, g in group.items() if sizes[g] >= 2}


def _table(hashes: list[str]) -> pa.Table:
    values = pa.array([int(h, 16) for h in hashes], pa.uint64())
    return pa.table([hashes, values], schema=HASH_SCHEMA)


@pytest.mark.parametrize("distance", [0, 1, 3, 4, 6])
def test_groups_are_what_comparing_every_pair_gives(distance: int) -> None:
    hashes = _families(random.Random(distance))
    groups = near_equal_groups(_table(hashes), ImageClusterParams(max_distance=distance))
    assert groups == _brute_force(hashes, distance)
    if distance:
        assert len(set(groups.values())) >= 40


def _server(posts: dict[str, str]) -> RecordingRunner:
    """Distinct hashes in index order, a page at a time; SET counts the posts a row's
    hash is on."""
    distinct = sorted(set(posts.values()))

    def page(params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"hashes": [h for h in distinct if h > params["after"]][: params["page"]]}]

    def assign(params: dict[str, Any]) -> list[dict[str, Any]]:
        hashes = {row[0] for row in params["rows"]}
        return [{"n": sum(1 for h in posts.values() if h in hashes)}]

    return RecordingRunner(answers={"collect(hash)": page, CLEAR: [{"n": 0}], SET: assign})


def test_copies_of_an_image_are_one_group_and_opaque_ids_stay_apart(tmp_path: Path) -> None:
    rng = random.Random(3)
    original = f"{rng.getrandbits(64):016x}"
    posts = {f"copy{i}": near_copy(rng, original) for i in range(30)}
    posts |= {f"other{i}": f"{rng.getrandbits(64):016x}" for i in range(20)}
    # CooRTweet's phash_id: equal ids meet, but they have no bits to compare.
    posts |= {"id1": "ph_0001", "id2": "ph_0002", "id3": "ph_0002"}
    runner = _server(posts)
    found = cluster_images(runner, tmp_path, ImageClusterParams(), "256MB", page_size=7)
    copies = {posts[f"copy{i}"] for i in range(30)}
    assert len(copies) > 10
    assigned = {h: g for call in runner.calls if call.query == SET for h, g in call.params["rows"]}
    assert set(assigned) == copies
    assert set(assigned.values()) == {min(copies)}
    assert (found.hashes, found.comparable) == (len(set(posts.values())), len(copies) + 20)
    assert (found.clusters, found.clustered_posts) == (1, 30)
    assert found.params == {"max_distance": 4, "chunks": 5, "bits": 64}
    # Read a page at a time, cleared before it is set.
    reads = [c for c in runner.calls if c.mode == "read"]
    assert len(reads) == len(set(posts.values())) // 7 + 1
    writes = [c.query for c in runner.calls if c.mode == "write"]
    assert writes[0] == CLEAR and SET in writes


def test_distance_zero_groups_nothing(tmp_path: Path) -> None:
    posts = {"a": "00000000000000f0", "b": "00000000000000f1"}
    runner = _server(posts)
    found = cluster_images(runner, tmp_path, ImageClusterParams(max_distance=0), "256MB")
    assert (found.clusters, found.clustered_posts) == (0, 0)
    assert [c.query for c in runner.calls if c.mode == "write"] == [CLEAR]


def test_a_join_past_the_memory_limit_is_insufficient_memory_not_a_crash() -> None:
    rng = random.Random(9)
    table = _table(sorted({f"{rng.getrandbits(64):016x}" for _ in range(100_000)}))
    with pytest.raises(InsufficientMemory, match="image hashes at 6 bits"):
        near_equal_groups(table, ImageClusterParams(max_distance=6), {"memory_limit": "2MB"})


@pytest.mark.parametrize("distance", [-1, MAX_DISTANCE + 1])
def test_a_distance_outside_0_to_7_is_a_usage_error(distance: int) -> None:
    with pytest.raises(UsageError, match="--image-max-distance"):
        DetectParams(image_max_distance=distance).checked()
    assert DetectParams(image_max_distance=MAX_DISTANCE).checked().image_clusters().chunks()
