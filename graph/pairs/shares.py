"""The share table: one row per (post, object shared), streamed from Neo4j to Parquet.

The columns are what the co-share signals need and nothing else: actor key, object key
(``url:``/``post:``/``text:`` + id, the keys co_share_pairs.cypher builds; ``tags:`` +
the post's hashtag set and ``image:`` + its image hash (or its near-equal group,
graph/pairs/image_clusters.py), the keys of co_hashtag_pairs and co_image_pairs;
``similar:`` + its near-duplicate text cluster, co_similar_text_pairs'),
object kind, epoch seconds and, for a cluster, the post's text hash (``variant``: a
cluster's shares meet only between different texts, graph/pairs/text_clusters.py).
Posts are read in pages of the Post.id index order, one read transaction per page,
two pages at a time, and each page is appended to the Parquet file as a row group in
id order, so neither the server nor this process ever holds the whole table.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cibgraph.core.runner import QueryRunner

SCHEMA = pa.schema(
    [
        pa.field("actor", pa.string()),
        pa.field("object", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("t", pa.int64(), nullable=False),
        pa.field("variant", pa.string()),
    ]
)

# The page's posts, by a range of the Post.id index, with their shares flattened on the
# server into flat columns: measured at scale 10, decoding one list per post (about ten
# values each, nested) cost the driver 20 us a post, four flat lists 6 us, for the same
# rows. A post without an author still counts as a share of its objects (the Cypher
# query counts every post): its actor comes back as '' (collect drops NULLs, which
# would shift the columns) and becomes NULL here. Object keys are the ones the query
# library builds; a hashtag set is a set (README, "Hashtag sets"): sorted, at least
# MIN_TAGS tags, as co_hashtag_pairs.cypher builds it. Only a text cluster's share has a
# variant (the post's text hash); every other object's is '' and becomes NULL here.
PAGE = """
MATCH (p:Post)
WHERE p.id > $after AND p.id <= $upto
WITH collect(p) AS page
CALL (page) {
  UNWIND page AS p
  OPTIONAL MATCH (a:Actor)-[:POSTED]->(p)
  WITH p, coalesce(a.key, '') AS actor, p.created_at.epochSeconds AS t
  WHERE t IS NOT NULL
  WITH p, actor, t, apoc.coll.sort([(p)-[:TAGS]->(h:Hashtag) | h.tag]) AS tags
  WITH actor, t,
       [(p)-[:LINKS_TO]->(u:Url) | ['url:' + u.url, 'url', '']]
       + [(p)-[:SHARES]->(o:Post) | ['post:' + o.id, 'post', '']]
       + CASE WHEN p.text_hash IS NULL THEN [] ELSE [['text:' + p.text_hash, 'text', '']] END
       + CASE WHEN size(tags) < $min_tags THEN []
              ELSE [['tags:' + apoc.text.join([x IN tags | '#' + x], ' '), 'tags', '']] END
       + CASE WHEN p.image_hash IS NULL THEN []
              ELSE [['image:' + coalesce(p.image_cluster, p.image_hash), 'image', '']] END
       + CASE WHEN p.text_cluster IS NULL OR p.text_hash IS NULL THEN []
              ELSE [['similar:' + p.text_cluster, 'similar', p.text_hash]] END
         AS objects
  UNWIND objects AS o
  RETURN collect(actor) AS actors, collect(o[0]) AS objects, collect(o[1]) AS kinds,
         collect(t) AS times, collect(o[2]) AS variants
}
RETURN size(page) AS posts, actors, objects, kinds, times, variants
"""

# Where the page after ``after`` ends: a walk of the Post.id index, no property read.
PAGE_END = """
MATCH (p:Post)
WHERE p.id > $after
WITH p.id AS id ORDER BY id SKIP $skip LIMIT 1
RETURN id
"""
# Where the last page ends: fewer than a page of posts is left after ``after``.
LAST_ID = "MATCH (p:Post) WHERE p.id > $after RETURN max(p.id) AS id"

# A post's hashtags are one object when it has at least this many (one tag is a topic,
# not a sequence: co_hashtag_pairs.cypher uses the same bound).
MIN_TAGS = 2

# Pages of 20,000 posts keep each transaction to a few MB; two are read at once, so
# the server works on one while this process decodes and writes the other (2 cores).
PAGE_SIZE = 20_000
READERS = 2


@dataclass(frozen=True)
class ShareTable:
    path: Path
    rows: int
    posts: int
    seconds: float


def _ranges(runner: QueryRunner, page_size: int) -> Iterator[tuple[str, str]]:
    """(after, up to) of every page in id order."""
    after = ""
    while True:
        rows = runner.read(PAGE_END, {"after": after, "skip": page_size - 1})
        if not rows:
            last = runner.read(LAST_ID, {"after": after})[0]["id"]
            if last is not None:
                yield after, str(last)
            return
        upto = str(rows[0]["id"])
        yield after, upto
        after = upto


def _page(runner: QueryRunner, bounds: tuple[str, str]) -> tuple[int, pa.RecordBatch]:
    after, upto = bounds
    (row,) = runner.read(PAGE, {"after": after, "upto": upto, "min_tags": MIN_TAGS})
    actors = pa.array(row["actors"], pa.string())
    actors = pc.if_else(pc.equal(actors, ""), pa.scalar(None, pa.string()), actors)
    variants = pa.array(row["variants"], pa.string())
    variants = pc.if_else(pc.equal(variants, ""), pa.scalar(None, pa.string()), variants)
    columns = [actors, row["objects"], row["kinds"], row["times"], variants]
    return int(row["posts"]), pa.record_batch(columns, schema=SCHEMA)


def extract_shares(runner: QueryRunner, path: Path, page_size: int = PAGE_SIZE) -> ShareTable:
    """Write every share of the database to ``path`` (Parquet); returns its size.

    Pages are read ``READERS`` at a time (one read transaction each) and written in
    id order, so the file is the same however the reads interleave.
    """
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = posts = 0
    with (
        pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer,
        ThreadPoolExecutor(READERS, thread_name_prefix="shares") as pool,
    ):
        pending: deque[Future[tuple[int, pa.RecordBatch]]] = deque()
        for bounds in _ranges(runner, page_size):
            pending.append(pool.submit(_page, runner, bounds))
            while len(pending) > READERS or (pending and pending[0].done()):
                rows, posts = _write(writer, pending.popleft(), rows, posts)
        while pending:
            rows, posts = _write(writer, pending.popleft(), rows, posts)
    return ShareTable(path, rows, posts, round(time.perf_counter() - started, 3))


def _write(
    writer: pq.ParquetWriter, page: Future[tuple[int, pa.RecordBatch]], rows: int, posts: int
) -> tuple[int, int]:
    count, batch = page.result()
    if batch.num_rows:
        writer.write_batch(batch)
    return rows + batch.num_rows, posts + count
