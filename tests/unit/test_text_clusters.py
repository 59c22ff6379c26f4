"""Near-duplicate text clusters: the paraphrased copies of a template meet, nothing else.

Real datasketch and DuckDB; the posts come from a recording runner in pages, as the
Post.text_hash pages of a database would.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from cibgraph.graph.pairs.text_clusters import (
    CLEAR,
    SET,
    TextClusterParams,
    cluster_texts,
    shingles,
    words,
    write_bands,
)
from cibgraph.scenario import paraphrase
from tests.fakes import RecordingRunner


def test_words_drop_case_links_punctuation_and_emoji() -> None:
    text = "Wake UP Agra! 🔥 Read https://x.example/a?b=1 before it's deleted 🙏"
    assert words(text) == ["wake", "up", "agra", "read", "before", "it", "s", "deleted"]
    assert sorted(shingles(["a", "b", "a"], 1)) == [b"a", b"b"]
    assert sorted(shingles(["a", "b", "c"], 2)) == [b"a b", b"b c"]


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def _posts(rng: random.Random) -> tuple[list[list[Any]], dict[str, str]]:
    """Two campaigns of 30 paraphrased copies, and 40 unrelated long texts."""
    posts: list[list[Any]] = []
    campaign: dict[str, str] = {}
    for name in ("first", "second"):
        fixed = paraphrase.fix(rng, paraphrase.template(rng))
        for _ in range(30):
            post = f"p{len(posts):04d}"
            body = paraphrase.paraphrase(rng, fixed)
            posts.append([post, _digest(body), body])
            campaign[post] = name
    vocabulary = [f"word{i}" for i in range(400)]
    for _ in range(40):
        body = " ".join(rng.sample(vocabulary, 15))
        posts.append([f"p{len(posts):04d}", _digest(body), body])
    # A short text is never clustered, however often it is copied.
    posts += [[f"p{len(posts) + i:04d}", f"short{i % 2}", "vote for change"] for i in range(4)]
    return posts, campaign


def _server(posts: list[list[Any]]) -> RecordingRunner:
    """A runner answering as the database would: a page of posts in text hash order,
    grouped by text; the posts of one text; CLEAR at n = 0 at once (nothing was
    clustered before)."""
    ordered = sorted(posts, key=lambda p: (p[1], p[0]))

    def page(params: dict[str, Any]) -> list[dict[str, Any]]:
        after, size = params["after"], params["page"]
        rows = [p for p in ordered if p[1] > after][:size]
        texts: dict[str, list[Any]] = {}
        for post, digest, text in rows:
            texts.setdefault(digest, [digest, [], text])[1].append(post)
        # Groups in no particular order, as an aggregation returns them.
        return [{"texts": list(reversed(texts.values())), "read": len(rows)}]

    def copies(params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"posts": [p[0] for p in ordered if p[1] == params["hash"]]}]

    return RecordingRunner(
        answers={
            "collect([hash, posts, text])": page,
            "collect(p.id) AS posts": copies,
            CLEAR: [{"n": 0}],
        }
    )


def _assigned(runner: RecordingRunner) -> dict[str, str]:
    assigned: dict[str, str] = {}
    for call in runner.calls:
        if call.query == SET:
            assigned.update({post: cluster for post, cluster in call.params["rows"]})
    return assigned


def test_paraphrased_copies_form_one_cluster_per_campaign(tmp_path: Path) -> None:
    posts, campaign = _posts(random.Random(5))
    runner = _server(posts)
    params = TextClusterParams()
    found = cluster_texts(runner, tmp_path, params, "256MB")
    assigned = _assigned(runner)
    # Every copy is clustered, with the other copies of its campaign only.
    assert set(assigned) == set(campaign)
    by_campaign = {
        name: {assigned[p] for p, c in campaign.items() if c == name}
        for name in set(campaign.values())
    }
    assert all(len(ids) == 1 for ids in by_campaign.values())
    assert by_campaign["first"] != by_campaign["second"]
    assert (found.texts, found.clusters, found.clustered_posts) == (100, 2, 60)
    bands, rows = params.bands()
    assert found.params == {**found.params, "threshold": 0.6, "bands": bands, "rows": rows}
    # The id is the cluster's smallest text hash: stable from run to run.
    hashes = {p[0]: p[1] for p in posts}
    for name, (cluster,) in by_campaign.items():
        assert cluster == min(hashes[p] for p, c in campaign.items() if c == name)
    # Pages of 25 (104 posts): read page by page, never all at once; each page ends
    # before its last text, which the next one begins with (24 new posts a page).
    small = RecordingRunner(answers=dict(runner.answers))
    assert write_bands(small, tmp_path / "bands.parquet", params, page_size=25) == 100
    assert len([c for c in small.calls if c.mode == "read"]) == 5


def test_copies_are_signed_once_and_a_text_filling_a_page_is_read_whole(
    tmp_path: Path,
) -> None:
    posts, campaign = _posts(random.Random(7))
    # 40 copies of one campaign text, more than a page of 16 holds, split by the pages'
    # cursor only if paging were by post: they must all be clustered with the campaign.
    copied = next(p for p in posts if campaign.get(p[0]) == "first")
    copies = [[f"c{i:03d}", copied[1], copied[2]] for i in range(40)]
    runner = _server(posts + copies)
    params = TextClusterParams()
    path = tmp_path / "bands.parquet"
    assert write_bands(runner, path, params, page_size=16) == 140
    assert any("collect(p.id) AS posts" in c.query for c in runner.calls)
    bands = pq.read_table(path)
    # One band row per distinct text and band, one signature per distinct text.
    distinct = len({p[1] for p in posts if not p[1].startswith("short")})
    assert bands.num_rows == distinct * params.bands()[0]
    assert bands.column("signature").drop_null().length() == distinct
    alone = cluster_texts(_server(posts), tmp_path, params, "256MB")
    clustering = _server(posts + copies)
    found = cluster_texts(clustering, tmp_path, params, "256MB")
    assigned = _assigned(clustering)
    # The copies join their text's cluster, and nothing else changes.
    assert found.clustered_posts == alone.clustered_posts + 40
    assert found.clusters == alone.clusters == 2
    assert len({assigned[c[0]] for c in copies} | {assigned[copied[0]]}) == 1
