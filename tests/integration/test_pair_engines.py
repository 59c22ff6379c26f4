"""The pair engines against the Cypher query: the same pairs, every column.

co_share_pairs.cypher is the definition analysts run in Browser; detection computes
the same signal on DuckDB (graph/pairs/co_share.sql). Both passes (the fast window
and the slow one with its disjoint objects) must give identical rows - keys, weight,
score, min_gap, kind counts and sample objects - on a generated scenario and on both
real CooRTweet datasets. A plain-Python reference over the share table checks what
the fast and slow counts mean (issue 15: they never count the same object twice).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.detect.signals import co_share_passes, cypher_co_share, object_passes
from cibgraph.graph.pairs.definition import OBJECT_SIGNALS, CoShareParams
from cibgraph.graph.pairs.duck import DuckDbEngine
from cibgraph.graph.pairs.shares import extract_shares
from tests.conftest import DATASETS, DetectedScenario, load_dataset

pytestmark = pytest.mark.integration

Rows = list[dict[str, Any]]


def _sorted(rows: Any) -> Rows:
    return sorted(rows, key=lambda r: (r["a"], r["b"]))


def _both(
    db: Database, shares: Path, work: Path, pass_: CoShareParams, signal: str = "co_share"
) -> tuple[Rows, Rows]:
    cypher = _sorted(cypher_co_share(db)(pass_, signal))
    with DuckDbEngine(shares, work, "1GB") as engine:
        duck = _sorted(engine.co_share(pass_, signal=signal))
    return cypher, duck


def _passes(window: int) -> list[CoShareParams]:
    fast, slow = co_share_passes(DetectParams(window=window))
    assert slow is not None
    return [fast, slow]


def _reference(
    shares: Path, pass_: CoShareParams, signal: str = "co_share"
) -> dict[tuple[str, str], set[str]]:
    """Brute force over the share table: each pair's objects under ``pass_``."""
    table = pq.read_table(shares).to_pylist()
    kinds = OBJECT_SIGNALS[signal].kinds
    by_object: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for row in table:
        if row["kind"] in kinds:
            by_object[row["object"]].append((row["t"], row["actor"]))
    objects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj, all_shares in by_object.items():
        if not 2 <= len(all_shares) <= pass_.max_object_shares:
            continue
        authored = sorted((t, a) for t, a in all_shares if a is not None)
        gaps: dict[tuple[str, str], int] = {}
        for i, (t_x, x) in enumerate(authored):
            for t_y, y in authored[i + 1 :]:
                if t_y - t_x > pass_.window:
                    break
                if x != y:
                    pair = (min(x, y), max(x, y))
                    gaps[pair] = min(gaps.get(pair, t_y - t_x), t_y - t_x)
        for pair, gap in gaps.items():
            if gap > pass_.exclude_within:
                objects[pair].add(obj)
    return {pair: objs for pair, objs in objects.items() if len(objs) >= pass_.min_weight}


def test_duckdb_pairs_equal_the_cypher_query_on_the_scenario(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    window = detected_scenario.result.params.window
    assert window is not None
    table = extract_shares(db, tmp_path / "shares.parquet")
    assert table.rows > 10_000
    for pass_ in _passes(window):
        cypher, duck = _both(db, table.path, tmp_path, pass_)
        assert len(cypher) > 50, pass_
        assert duck == cypher, pass_
        # What each pass counts, from first principles over the same share table.
        reference = _reference(table.path, pass_)
        assert {(r["a"], r["b"]): r["weight"] for r in duck} == {
            pair: len(objs) for pair, objs in reference.items()
        }
        for row in duck:
            assert set(row["sample_objects"]) <= reference[(row["a"], row["b"])]


def test_the_share_table_is_the_same_in_pages_read_two_at_a_time(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    whole = extract_shares(db, tmp_path / "whole.parquet", page_size=10**9)
    paged = extract_shares(db, tmp_path / "paged.parquet", page_size=997)
    posts = db.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"]
    assert whole.posts == paged.posts == posts
    assert paged.rows == whole.rows > 10_000
    assert pq.ParquetFile(paged.path).num_row_groups > 2 * (posts // 997) // 3

    def rows(path: Path) -> list[tuple[Any, ...]]:
        table = pq.read_table(path)
        columns = [table.column(c).to_pylist() for c in table.column_names]
        return sorted(zip(*columns, strict=True), key=str)

    assert rows(paged.path) == rows(whole.path)


def test_fast_and_slow_passes_count_disjoint_objects(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    window = detected_scenario.result.params.window
    assert window is not None
    table = extract_shares(db, tmp_path / "shares.parquet")
    fast, slow = _passes(window)
    # Only pairs the passes both keep can show a double count; compare their objects.
    fast_objects = _reference(table.path, CoShareParams(window, 1, fast.max_object_shares))
    slow_objects = _reference(table.path, slow)
    shared = set(fast_objects) & set(slow_objects)
    assert shared, "the scenario should have pairs that co-share both fast and slowly"
    assert all(not fast_objects[pair] & slow_objects[pair] for pair in shared)
    # The old slow pass (no exclusion) counted the fast objects again.
    overlapping = _reference(table.path, CoShareParams(slow.window, 1, slow.max_object_shares))
    assert any(fast_objects[pair] & overlapping[pair] for pair in shared)


def test_detection_on_duckdb_equals_detection_on_cypher(
    db: Database, detected_scenario: DetectedScenario, tmp_path: Path
) -> None:
    duck = detected_scenario.result
    assert duck.params.engine == "duckdb"
    assert duck.engine["engine"] == "duckdb" and duck.engine["shares"] > 0
    assert {"shares", "signals"} <= set(duck.timings)
    cypher = detect(db, DetectParams(window=duck.params.window, engine="cypher"))

    def edges(run_id: str) -> dict[tuple[str, str], dict[str, Any]]:
        rows = db.read(
            "MATCH (a)-[r:COORDINATED_WITH {run_id: $run}]->(b) "
            "RETURN a.key AS a, b.key AS b, properties(r) AS p",
            {"run": run_id},
        )
        return {(r["a"], r["b"]): {**r["p"], "run_id": None} for r in rows}

    assert edges(cypher.run_id) == edges(duck.run_id)
    assert [n.members for n in cypher.networks] == [n.members for n in duck.networks]
    recorded = db.read(
        "MATCH (r:DetectionRun {id: $id}) RETURN r.engine AS engine, r.params AS params",
        {"id": duck.run_id},
    )[0]
    assert json.loads(recorded["engine"])["memory_limit"] == DetectParams().engine_memory
    assert json.loads(recorded["params"])["engine"] == "duckdb"


@pytest.mark.parametrize(
    ("name", "posts"),
    # German first: test_loaders' last test has just loaded it (load_dataset reuses it).
    [("german_elections.csv.gz", 218971), ("russian_coord_tweets.csv.gz", 35125)],
)
def test_duckdb_pairs_equal_the_cypher_query_on_real_data(
    db: Database, tmp_path: Path, name: str, posts: int
) -> None:
    source = DATASETS / "coortweet" / name
    found: dict[str, int] = {}
    ledger = load_dataset(db, source, tmp_path / "rejects")
    assert ledger.reconciles() and ledger.total("read") == posts
    table = extract_shares(db, tmp_path / "shares.parquet")
    for pass_ in _passes(60):
        cypher, duck = _both(db, table.path, tmp_path, pass_)
        assert cypher, pass_
        assert duck == cypher, pass_
    # The newer objects: CooRTweet's hashtag rows add up to each post's hashtag set, and
    # the German data's phash_id is the image_hash.
    for signal, pass_ in object_passes(DetectParams(window=60)).items():
        cypher, duck = _both(db, table.path, tmp_path, pass_, signal)
        assert duck == cypher, signal
        found[signal] = len(duck)
    if name.startswith("german"):
        # 16,553 German posts carry a phash_id: the image equality is not vacuous there.
        assert found["co_image"] > 0
