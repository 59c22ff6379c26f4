"""The share table: one row per (post, object shared), streamed from Neo4j to Parquet.

The columns are what the co-share signals need and nothing else: actor key, object key
(``url:``/``post:``/``text:`` + id, the keys co_share_pairs.cypher builds; ``tags:`` +
the post's hashtag set and ``image:`` + its image hash, the keys of co_hashtag_pairs and
co_image_pairs), object kind and epoch seconds. Posts are read in pages of the Post.id
index order, one read transaction per page, and each page is appended to the Parquet
file as a row group, so neither the server nor this process ever holds the whole table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cibgraph.core.runner import QueryRunner

SCHEMA = pa.schema(
    [
        pa.field("actor", pa.string()),
        pa.field("object", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("t", pa.int64(), nullable=False),
    ]
)

# A post without an author still counts as a share of its objects (the Cypher query
# counts every post), so the author is optional here and its key NULL. A page comes
# back as one record holding a list per post: measured on the Russian data, per-record
# decoding in the driver cost more than the query itself.
PAGE = """
MATCH (p:Post)
WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $page
OPTIONAL MATCH (a:Actor)-[:POSTED]->(p)
RETURN collect([p.id, a.key, p.created_at.epochSeconds, p.text_hash,
                [(p)-[:LINKS_TO]->(u:Url) | u.url],
                [(p)-[:SHARES]->(o:Post) | o.id],
                apoc.coll.sort([(p)-[:TAGS]->(h:Hashtag) | h.tag]),
                p.image_hash]) AS posts
"""

# A post's hashtags are one object when it has at least this many (one tag is a topic,
# not a sequence: co_hashtag_pairs.cypher uses the same bound).
MIN_TAGS = 2


def tags_object(tags: list[str]) -> str:
    """The hashtag-set object's key, as co_hashtag_pairs.cypher builds it.

    A set, not the order the author typed: planted campaigns shuffle their tags, and
    CooRTweet's layout gives one row per tag, so the order is not even in the data
    (README, "Hashtag sets").
    """
    return "tags:" + " ".join("#" + tag for tag in tags)


# Pages of 20,000 posts keep each transaction to a few MB.
PAGE_SIZE = 20_000


@dataclass(frozen=True)
class ShareTable:
    path: Path
    rows: int
    posts: int
    seconds: float


# [id, actor key, epoch seconds, text hash, urls, shared post ids, sorted tags, image hash]
Post = list[Any]


def _batch(page: list[Post]) -> pa.RecordBatch:
    actors: list[str | None] = []
    objects: list[str] = []
    kinds: list[str] = []
    times: list[int] = []

    def add(actor: str | None, obj: str, kind: str, t: int) -> None:
        actors.append(actor)
        objects.append(obj)
        kinds.append(kind)
        times.append(t)

    for _, actor, t, text, urls, shared, tags, image in page:
        if t is None:
            continue
        for url in urls:
            add(actor, f"url:{url}", "url", t)
        for post in shared:
            add(actor, f"post:{post}", "post", t)
        if text is not None:
            add(actor, f"text:{text}", "text", t)
        if len(tags) >= MIN_TAGS:
            add(actor, tags_object(tags), "tags", t)
        if image is not None:
            add(actor, f"image:{image}", "image", t)
    return pa.record_batch([actors, objects, kinds, times], schema=SCHEMA)


def extract_shares(runner: QueryRunner, path: Path, page_size: int = PAGE_SIZE) -> ShareTable:
    """Write every share of the database to ``path`` (Parquet); returns its size."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = posts = 0
    after = ""
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        while True:
            answer = runner.read(PAGE, {"after": after, "page": page_size})
            page: list[Post] = answer[0]["posts"] if answer else []
            if not page:
                break
            batch = _batch(page)
            if batch.num_rows:
                writer.write_batch(batch)
            rows += batch.num_rows
            posts += len(page)
            after = str(page[-1][0])
            if len(page) < page_size:
                break
    return ShareTable(path, rows, posts, round(time.perf_counter() - started, 3))
