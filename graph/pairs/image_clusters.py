"""Near-equal image hashes: 64-bit perceptual hashes a few bits apart, one image.

A re-encoded, resized or lightly cropped copy of an image gets a perceptual hash a few
bits away from the original's, never the same one for sure. Detection groups the
distinct ``Post.image_hash`` values within ``max_distance`` bits of each other before
it extracts the share table (stage ``image_clusters``), and the ``co_image`` signal
meets a group as one image (README, "Near-equal images"):

1. The distinct hashes are read in pages of the Post.image_hash index order. Only a
   hash of exactly 16 hex digits (a 64-bit pHash, dHash or aHash written as hex) has
   bits to compare; any other value (CooRTweet's ``phash_id`` is an opaque id) is met
   by equality alone, as before.
2. Candidates by the pigeonhole rule: the 64 bits are cut into ``max_distance + 1``
   chunks, and two hashes at most ``max_distance`` bits apart agree on at least one
   whole chunk. DuckDB joins the hashes on (chunk, value), keeps a pair only when the
   XOR of the two hashes has at most ``max_distance`` bits set, so every pair within
   the distance is found and none beyond it is kept.
3. Linked hashes form groups (single link, union-find over the links only); a group's
   id is its smallest hash. ``Post.image_cluster`` is set on the posts of every group
   of two or more hashes and removed from every other post; co_image_pairs.cypher and
   the share table key an image by ``coalesce(p.image_cluster, p.image_hash)``.
   It is derived data: the last run's grouping, whose parameters that run records
   (``image_clusters`` in its engine details).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from cibgraph.core.batches import chunked
from cibgraph.core.errors import InsufficientMemory
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.pairs.groups import SmallestRootGroups
from cibgraph.graph.pairs.limits import duckdb_config

BITS = 64
# More chunks than this would be keys of under 8 bits: nearly every hash of a large
# collection in every bucket, the join quadratic. 7 bits apart is already far for a
# copy (README, "Near-equal images").
MAX_DISTANCE = 7
_HEX64 = re.compile(r"[0-9a-fA-F]{16}")


@dataclass(frozen=True)
class ImageClusterParams:
    """Recorded on every run that groups images (README, "Near-equal images")."""

    # Bits two hashes of one image may differ in; 0 = equal hashes only. 4 of 64: JPEG
    # re-encoding and resizing move a pHash by 0-4 bits, unrelated images are about 32
    # apart, and two random 64-bit hashes are within 4 bits once in 2.7e13 pairs.
    max_distance: int = 4

    def chunks(self) -> list[tuple[int, int]]:
        """(shift, mask) of each chunk: max_distance + 1 of them, as even as can be."""
        count = self.max_distance + 1
        widths = [BITS // count + (1 if i < BITS % count else 0) for i in range(count)]
        chunks, shift = [], 0
        for width in widths:
            chunks.append((shift, (1 << width) - 1))
            shift += width
        return chunks

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "chunks": self.max_distance + 1, "bits": BITS}


@dataclass(frozen=True)
class ImageClusters:
    hashes: int  # distinct image hashes read
    comparable: int  # of them, 16 hex digits
    clusters: int  # groups of two or more hashes
    clustered_posts: int
    seconds: float
    params: dict[str, Any]


# Distinct hashes in index order, a page at a time: an ordered distinct over the index.
HASHES = """
MATCH (p:Post)
WHERE p.image_hash > $after
WITH DISTINCT p.image_hash AS hash
ORDER BY hash
LIMIT $page
RETURN collect(hash) AS hashes
"""
CLEAR = """
MATCH (p:Post) WHERE p.image_cluster IS NOT NULL
WITH p LIMIT $batch
REMOVE p.image_cluster
RETURN count(*) AS n
"""
SET = """
UNWIND $rows AS row
MATCH (p:Post {image_hash: row[0]})
SET p.image_cluster = row[1]
RETURN count(p) AS n
"""
PAGE_SIZE = 50_000
WRITE_BATCH = 2_000

HASH_SCHEMA = pa.schema(
    [pa.field("hash", pa.string(), nullable=False), pa.field("value", pa.uint64(), False)]
)


def comparable(value: str) -> int | None:
    """The 64 bits of a hash written as 16 hex digits, else None (equality only)."""
    return int(value, 16) if _HEX64.fullmatch(value) else None


def _distinct_hashes(runner: QueryRunner, page_size: int) -> Iterator[list[str]]:
    after = ""
    while True:
        answer = runner.read(HASHES, {"after": after, "page": page_size})
        hashes = [str(h) for h in answer[0]["hashes"]] if answer else []
        if hashes:
            yield hashes
        if len(hashes) < page_size:
            return
        after = hashes[-1]


# Each hash once per chunk (CROSS JOIN the chunks' shifts and masks), joined with the
# hashes agreeing on that chunk, then the distance decides.
LINKS = """
WITH keyed AS (
    SELECT h.hash, h.value, c.chunk, (h.value >> c.shift) & c.mask AS key
    FROM hashes AS h CROSS JOIN chunks AS c
)
SELECT DISTINCT x.hash AS a, y.hash AS b
FROM keyed AS x JOIN keyed AS y
  ON x.chunk = y.chunk AND x.key = y.key AND x.hash < y.hash
WHERE bit_count(xor(x.value, y.value)) <= $distance
"""


def _chunk_table(params: ImageClusterParams) -> pa.Table:
    chunks = params.chunks()
    return pa.table(
        {
            "chunk": pa.array(range(len(chunks)), pa.int8()),
            "shift": pa.array([shift for shift, _ in chunks], pa.uint8()),
            "mask": pa.array([mask for _, mask in chunks], pa.uint64()),
        }
    )


def near_equal_groups(
    table: pa.Table, params: ImageClusterParams, config: dict[str, Any] | None = None
) -> dict[str, str]:
    """hash -> group id (its group's smallest hash), for hashes in a group of 2 or more;
    ``table`` has HASH_SCHEMA's columns, one row per distinct hash."""
    if params.max_distance == 0 or table.num_rows < 2:
        return {}
    with duckdb.connect(":memory:", config=config or {}) as connection:
        connection.register("hashes", table)
        connection.register("chunks", _chunk_table(params))
        groups = SmallestRootGroups()
        try:
            cursor = connection.execute(LINKS, {"distance": params.max_distance})
            while batch := cursor.fetchmany(10_000):
                for x, y in batch:
                    groups.link(x, y)
        except duckdb.OutOfMemoryException as exc:
            raise InsufficientMemory(
                f"Grouping {table.num_rows:,} image hashes at {params.max_distance} bits ran "
                f"out of memory: {str(exc).splitlines()[0]}",
                "give the engine more (cib detect --engine-memory 6GB) or compare fewer "
                "bits (--image-max-distance 3)",
            ) from None
    return groups.groups()


def _read_table(runner: QueryRunner, page_size: int) -> tuple[int, pa.Table]:
    read, names, values = 0, [], []
    for page in _distinct_hashes(runner, page_size):
        read += len(page)
        for name in page:
            bits = comparable(name)
            if bits is not None:
                names.append(name)
                values.append(bits)
    return read, pa.table([names, pa.array(values, pa.uint64())], schema=HASH_SCHEMA)


def cluster_images(
    runner: QueryRunner,
    work_dir: Path,
    params: ImageClusterParams,
    memory_limit: str = "1GB",
    page_size: int = PAGE_SIZE,
) -> ImageClusters:
    """Group near-equal image hashes and store ``Post.image_cluster`` (module docstring)."""
    started = time.perf_counter()
    read, table = _read_table(runner, page_size)
    group_of = near_equal_groups(table, params, duckdb_config(memory_limit, work_dir))
    while runner.write(CLEAR, {"batch": 10_000})[0]["n"]:
        pass
    clustered = 0
    for rows in chunked(sorted(group_of.items()), WRITE_BATCH):
        answer = runner.write(SET, {"rows": [list(row) for row in rows]})
        clustered += int(answer[0]["n"]) if answer else 0
    return ImageClusters(
        hashes=read,
        comparable=table.num_rows,
        clusters=len(set(group_of.values())),
        clustered_posts=clustered,
        seconds=round(time.perf_counter() - started, 3),
        params=params.to_dict(),
    )
