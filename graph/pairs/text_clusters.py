"""Near-duplicate text clusters: MinHash LSH over word shingles, streamed, on Post nodes.

One template with swapped words and emoji never meets in co_text (its copies differ),
but the copies share most of their words. Detection clusters the posts' texts before
it extracts the share table (stage ``text_clusters``), and the cluster is the object of
the ``co_similar_text`` signal (README, "Near-duplicate texts"):

1. Posts are read in pages of the Post.text_hash index order (one read transaction a
   page), so the copies of a text arrive together: a page ends before the copies of its
   last text, which the next page begins with (a text whose copies fill a page is read
   on its own). A text is its words (case folded, links and punctuation dropped, emoji
   too: they are what operators swap); texts of fewer than ``min_words`` words are
   skipped (too short to tell a template from a phrase). Each distinct text's MinHash
   (``datasketch``, ``num_perm`` permutations, ``seed``) is taken once over its
   ``shingle``-word shingles, and its LSH band keys (the bands and rows datasketch's
   MinHashLSH picks for ``threshold``) are appended, with the signature, to one Parquet
   file and its posts to another: memory holds one page, whatever the number of posts.
2. DuckDB groups the band keys: a bucket holding two or more distinct texts links each
   of them to the bucket's smallest text hash; each link is kept only when the two
   signatures' estimated Jaccard similarity is at least ``threshold`` (LSH finds
   candidates, the signatures decide). Linked texts form clusters (union-find over
   the links only); a cluster's id is its smallest text hash.
3. ``Post.text_cluster`` is set on the posts of every cluster and removed from every
   other post, so Browser's co_similar_text_pairs.cypher meets what detection meets.
   It is derived data: the last detection run's clustering, whose parameters that
   run records (``text_clusters`` in its engine details).

Identical copies share a text hash, so a cluster always holds two or more distinct
texts; the signal counts a pair's meeting in a cluster only between different texts
(the ``variant`` column of the share table): identical texts stay co_text's alone.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from cibgraph.core.batches import chunked
from cibgraph.core.runner import QueryRunner
from cibgraph.graph.pairs.groups import SmallestRootGroups
from cibgraph.graph.pairs.limits import duckdb_config


@cache
def _bands(threshold: float, num_perm: int) -> tuple[int, int]:
    # MinHashLSH integrates the false positive and negative rates of every layout:
    # worth doing once per run, not once per page. datasketch is imported here and in
    # _page_batch, not at the top: it brings scipy (half a second), which every `cib`
    # command would otherwise pay.
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


@dataclass(frozen=True)
class TextClusterParams:
    """Recorded on every run that clusters (README, "Near-duplicate texts")."""

    # Estimated Jaccard similarity of two texts' shingle sets for one link. 0.6 with
    # single words: two copies of a 30-word template, each with its own choice in six
    # slots and a few emoji, are about 0.65-0.8 alike; two fills of one organic
    # template differing in a place name are under 0.6 once they have 8+ words.
    threshold: float = 0.6
    # Words per shingle. 1 (word sets): a swapped word costs one shingle, where with
    # 2-word shingles it costs two, and the template's copies fell to ~0.4 alike.
    shingle: int = 1
    num_perm: int = 64
    seed: int = 1
    min_words: int = 8

    def bands(self) -> tuple[int, int]:
        """(bands, rows per band): datasketch's optimum for the threshold."""
        return _bands(self.threshold, self.num_perm)

    def to_dict(self) -> dict[str, Any]:
        bands, rows = self.bands()
        return {**asdict(self), "bands": bands, "rows": rows}


@dataclass(frozen=True)
class TextClusters:
    texts: int  # posts with a text long enough to cluster
    clusters: int
    clustered_posts: int
    seconds: float
    params: dict[str, Any]


# In the index's order: copies of a text are neighbours, and paging costs a seek. A
# text comes once with all its posts of the page (a sixth of the rows at scale 10);
# min() picks one of two texts with one fingerprint the same way every run.
TEXTS = """
MATCH (p:Post)
WHERE p.text_hash > $after AND p.text IS NOT NULL
WITH p ORDER BY p.text_hash LIMIT $page
WITH p.text_hash AS hash, collect(p.id) AS posts, min(p.text) AS text
RETURN collect([hash, posts, text]) AS texts, sum(size(posts)) AS read
"""
# Every post of one text, when its posts fill a page.
COPIES = """
MATCH (p:Post {text_hash: $hash})
WHERE p.text IS NOT NULL
RETURN collect(p.id) AS posts
"""
CLEAR = """
MATCH (p:Post) WHERE p.text_cluster IS NOT NULL
WITH p LIMIT $batch
REMOVE p.text_cluster
RETURN count(*) AS n
"""
SET = """
UNWIND $rows AS row
MATCH (p:Post {id: row[0]})
SET p.text_cluster = row[1]
"""
PAGE_SIZE = 20_000
FETCH_ROWS = 50_000
WRITE_BATCH = 10_000

_URLS = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# Letters and digits of every script; emoji and punctuation are not words.
_WORD = re.compile(r"[^\W_]+")

# One row per distinct text and band; a text's posts are in POSTS_SCHEMA's file.
BANDS = pa.schema(
    [
        pa.field("text_hash", pa.string(), nullable=False),
        pa.field("band", pa.int16(), nullable=False),
        pa.field("key", pa.int64(), nullable=False),
        # On the band-0 row only: a copy on every band row would be most of the file.
        pa.field("signature", pa.binary()),
    ]
)
POSTS_SCHEMA = pa.schema(
    [
        pa.field("post", pa.string(), nullable=False),
        pa.field("text_hash", pa.string(), nullable=False),
    ]
)


def words(text: str) -> list[str]:
    return _WORD.findall(_URLS.sub(" ", text.casefold()))


def shingles(tokens: list[str], size: int) -> list[bytes]:
    if size == 1:
        return [t.encode() for t in set(tokens)]
    return list({" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)})


def _band_key(values: npt.NDArray[Any]) -> int:
    # 8 bytes of a keyed-free BLAKE2b over the band's rows: a stable int64 bucket key.
    digest = hashlib.blake2b(values.tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _page_batches(
    page: list[list[Any]], params: TextClusterParams
) -> tuple[pa.RecordBatch, pa.RecordBatch] | None:
    """(band rows, post rows) of one page of [text hash, its posts, text], whose texts
    no other page has."""
    bands, rows = params.bands()
    kept: list[tuple[str, list[str]]] = []
    sets: list[list[bytes]] = []
    for digest, posts, text in page:
        tokens = words(str(text))
        if len(tokens) >= params.min_words:
            kept.append((str(digest), [str(p) for p in posts]))
            sets.append(shingles(tokens, params.shingle))
    if not kept:
        return None
    from datasketch import MinHash

    signatures = MinHash.bulk(sets, num_perm=params.num_perm, seed=params.seed)
    columns: dict[str, list[Any]] = {name: [] for name in BANDS.names}
    for (digest, _), minhash in zip(kept, signatures, strict=True):
        values = np.asarray(minhash.hashvalues, dtype=np.uint32)
        for band in range(bands):
            columns["text_hash"].append(digest)
            columns["band"].append(band)
            columns["key"].append(_band_key(values[band * rows : (band + 1) * rows]))
            columns["signature"].append(values.tobytes() if band == 0 else None)
    post_ids = [post for _, posts in kept for post in posts]
    digests = [digest for digest, posts in kept for _ in posts]
    return (
        pa.record_batch([columns[name] for name in BANDS.names], schema=BANDS),
        pa.record_batch([post_ids, digests], schema=POSTS_SCHEMA),
    )


def _pages(runner: QueryRunner, page_size: int) -> Iterator[list[list[Any]]]:
    """Texts as [text hash, its posts, text], in text-hash order, a page of posts at a
    time; a page holds every post of each of its texts."""
    after = ""
    while True:
        answer = runner.read(TEXTS, {"after": after, "page": page_size})
        page: list[list[Any]] = (
            sorted(answer[0]["texts"], key=lambda t: str(t[0])) if answer else []
        )
        if not answer or answer[0]["read"] < page_size:
            if page:
                yield page
            return
        # The last text may have more posts past the page: the next page begins with it.
        last = str(page[-1][0])
        if len(page) == 1:
            copies = runner.read(COPIES, {"hash": last})[0]["posts"]
            yield [[last, copies, page[0][2]]]
        else:
            page.pop()
            yield page
            last = str(page[-1][0])
        after = last


def posts_path(bands_path: Path) -> Path:
    """Where ``write_bands`` puts the posts of the texts it writes to ``bands_path``."""
    return bands_path.with_name(f"{bands_path.stem}-posts.parquet")


def write_bands(
    runner: QueryRunner, path: Path, params: TextClusterParams, page_size: int = PAGE_SIZE
) -> int:
    """Every clusterable text's band keys and signature to ``path``, its posts to
    ``posts_path(path)``; how many posts."""
    texts = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        pq.ParquetWriter(path, BANDS, compression="zstd") as bands,
        pq.ParquetWriter(posts_path(path), POSTS_SCHEMA, compression="zstd") as posts,
    ):
        for page in _pages(runner, page_size):
            batches = _page_batches(page, params)
            if batches is not None:
                bands.write_batch(batches[0])
                posts.write_batch(batches[1])
                texts += batches[1].num_rows
    return texts


# Candidate links: every distinct text of a bucket to the bucket's smallest text, with
# both signatures.
LINKS = """
WITH texts AS (
    SELECT text_hash, signature FROM bands WHERE band = 0
),
buckets AS (
    SELECT band, key, MIN(text_hash) AS rep
    FROM bands GROUP BY band, key HAVING COUNT(DISTINCT text_hash) >= 2
),
links AS (
    SELECT DISTINCT b.text_hash AS a, k.rep AS b
    FROM bands AS b JOIN buckets AS k ON b.band = k.band AND b.key = k.key
    WHERE b.text_hash <> k.rep
)
SELECT l.a, l.b, ta.signature AS sa, tb.signature AS sb
FROM links AS l
JOIN texts AS ta ON ta.text_hash = l.a
JOIN texts AS tb ON tb.text_hash = l.b
"""
POSTS = "SELECT post, text_hash FROM posts ORDER BY post"


def _clusters(
    connection: duckdb.DuckDBPyConnection, threshold: float, num_perm: int
) -> dict[str, str]:
    """text hash -> cluster id (the cluster's smallest text hash), clustered texts only."""
    groups = SmallestRootGroups()
    cursor = connection.execute(LINKS)
    while batch := cursor.fetchmany(FETCH_ROWS):
        sa = np.frombuffer(b"".join(row[2] for row in batch), dtype=np.uint32)
        sb = np.frombuffer(b"".join(row[3] for row in batch), dtype=np.uint32)
        alike = (sa.reshape(-1, num_perm) == sb.reshape(-1, num_perm)).mean(axis=1)
        for (x, y, _, _), similarity in zip(batch, alike.tolist(), strict=True):
            if similarity >= threshold:
                groups.link(x, y)
    return groups.groups()


def _assignments(
    connection: duckdb.DuckDBPyConnection, cluster_of: dict[str, str]
) -> Iterator[list[str]]:
    cursor = connection.execute(POSTS)
    while batch := cursor.fetchmany(FETCH_ROWS):
        for post, digest in batch:
            cluster = cluster_of.get(digest)
            if cluster is not None:
                yield [post, cluster]


def cluster_texts(
    runner: QueryRunner,
    work_dir: Path,
    params: TextClusterParams,
    memory_limit: str = "1GB",
) -> TextClusters:
    """Cluster every post's text and store ``Post.text_cluster`` (module docstring)."""
    started = time.perf_counter()
    path = work_dir / "text-bands.parquet"
    texts = write_bands(runner, path, params)
    with duckdb.connect(":memory:", config=duckdb_config(memory_limit, work_dir)) as connection:
        connection.read_parquet(str(path)).create_view("bands")
        connection.read_parquet(str(posts_path(path))).create_view("posts")
        cluster_of = _clusters(connection, params.threshold, params.num_perm)
        while runner.write(CLEAR, {"batch": WRITE_BATCH})[0]["n"]:
            pass
        clustered = 0
        for rows in chunked(_assignments(connection, cluster_of), WRITE_BATCH):
            runner.write(SET, {"rows": rows})
            clustered += len(rows)
    path.unlink(missing_ok=True)
    posts_path(path).unlink(missing_ok=True)
    return TextClusters(
        texts=texts,
        clusters=len(set(cluster_of.values())),
        clustered_posts=clustered,
        seconds=round(time.perf_counter() - started, 3),
        params=params.to_dict(),
    )
