"""co_share.sql on DuckDB (real, embedded) against the definition read the slow way: every
two shares of an object, pair by pair, in Python. The integration tests hold the engine
to the Cypher query on Neo4j; this holds it to the words of the definition, with no
server, on shapes a generated scenario rarely has (ties in time, authorless shares,
repeated shares by one actor, near-duplicate variants, viral caps, a slow pass)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cibgraph.graph.pairs.definition import PAIR_COLUMNS, CoShareParams, pair_row
from cibgraph.graph.pairs.duck import DuckDbEngine
from cibgraph.graph.pairs.shares import SCHEMA

Share = tuple[str | None, str, str, int, str | None]  # actor, object, kind, t, variant


def _shares(seed: int) -> list[Share]:
    rng = random.Random(seed)
    actors = [f"account:{i:03d}" for i in range(25)] + [f"page:{i:02d}" for i in range(5)]
    out: list[Share] = []
    for o in range(60):
        kind = ("url", "post", "text", "similar")[o % 4]
        obj = f"{kind}:{o:03d}"
        base = 1_700_000_000 + rng.randrange(10_000)
        for _ in range(rng.choice((1, 2, 3, 6, 12, 40))):
            actor = None if rng.random() < 0.05 else rng.choice(actors)
            variant = f"h{rng.randrange(3)}" if kind == "similar" else None
            offset = rng.choice((0, 0, 5, 30, 59, 60, 61, 500))  # ties, and the window's edge
            out.append((actor, obj, kind, base + offset, variant))
    return out


def _reference(shares: list[Share], params: CoShareParams) -> dict[tuple[str, str], dict[str, Any]]:
    by_object: dict[str, list[Share]] = defaultdict(list)
    for share in shares:
        by_object[share[1]].append(share)
    gaps: dict[tuple[str, str], dict[str, tuple[int, str, float]]] = defaultdict(dict)
    for obj, rows in by_object.items():
        sharers = {r[0] for r in rows if r[0] is not None}
        if not 2 <= len(rows) <= params.max_object_shares or len(sharers) < 2:
            continue
        rarity = round(1e12 * math.log(3.0) / math.log(1.0 + len(sharers)))
        for i, x in enumerate(rows):
            for y in rows[i + 1 :]:
                one, other = x[0], y[0]
                if one is None or other is None or one == other:
                    continue  # an authorless share is a share, never a sharer
                if abs(x[3] - y[3]) > params.window:
                    continue
                if x[4] is not None and y[4] is not None and x[4] == y[4]:
                    continue  # one text of a near-duplicate cluster: not a co-share
                pair = (min(one, other), max(one, other))
                gap = abs(x[3] - y[3])
                seen = gaps[pair].get(obj)
                if seen is None or gap < seen[0]:
                    gaps[pair][obj] = (gap, x[2], rarity)
    out = {}
    for pair, objects in gaps.items():
        kept = {o: v for o, v in objects.items() if v[0] > params.exclude_within}
        if len(kept) < params.min_weight:
            continue
        tightest = sorted(kept, key=lambda o: (kept[o][0], o))[:5]
        out[pair] = {
            "a": pair[0],
            "b": pair[1],
            "weight": len(kept),
            "score": round(sum(v[2] for v in kept.values()) / 1e12, 3),
            "min_gap": min(v[0] for v in kept.values()),
            "urls": sum(v[1] == "url" for v in kept.values()),
            "reshares": sum(v[1] == "post" for v in kept.values()),
            "texts": sum(v[1] == "text" for v in kept.values()),
            "sample_objects": tightest,
        }
    return out


@pytest.mark.parametrize(
    "params",
    [
        CoShareParams(60, 2, 10**9),
        CoShareParams(60, 1, 10**9),
        CoShareParams(60, 2, 6),  # a viral cap that drops the larger objects
        CoShareParams(86_400, 2, 30, exclude_within=60),  # the slow pass
        CoShareParams(0, 1, 10**9),  # same second only
    ],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_duckdb_pairs_are_the_definitions(tmp_path: Path, params: CoShareParams, seed: int) -> None:
    shares = _shares(seed)
    table = pa.table([list(c) for c in zip(*shares, strict=True)], schema=SCHEMA)
    path = tmp_path / "shares.parquet"
    pq.write_table(table, path)
    # "similar" rows are co_similar_text's view; the rest are co_share's.
    expected = _reference([s for s in shares if s[2] != "similar"], params)
    similar = _reference([s for s in shares if s[2] == "similar"], params)
    with DuckDbEngine(path, tmp_path, "1GB", threads=2) as engine:
        got = {(r["a"], r["b"]): r for r in engine.co_share(params)}
        got_similar = {
            (r["a"], r["b"]): r
            for r in engine.co_share(params, "similar", signal="co_similar_text")
        }
    assert got == expected and len(expected) >= 3
    assert got_similar == {
        k: {**v, "urls": 0, "reshares": 0, "texts": 0} for k, v in similar.items()
    }


def test_a_pair_row_has_the_cypher_querys_columns() -> None:
    values = ("account:a", "account:b", 3, 1.5, 0, 1, 1, 1, "url:x", "post:y", None, None, None)
    row = pair_row(values)
    assert tuple(row) == PAIR_COLUMNS
    assert row["sample_objects"] == ["url:x", "post:y"] and row["score"] == 1.5
