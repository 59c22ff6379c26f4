"""The newer object signals on the tactic scenario: one definition, tested twice.

co_hashtag_pairs.cypher, co_image_pairs.cypher and co_similar_text_pairs.cypher are
what analysts run in Browser; detection computes the same pairs with
graph/pairs/co_share.sql over the share table's ``tags``, ``image`` and ``similar``
rows (the last over the clusters the run stored on Post.text_cluster). Both must give
identical rows, every column, and the counts must be what a brute-force pass over the
share table says (a cluster's copies meeting only with different texts). The tactic
networks must then be found by them: the tracked links meet as one canonical URL,
the boosted pages join their network as amplified assets, the paraphrased copies meet
in their clusters, and no look-alike is flagged.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cibgraph.graph.connection import Database
from cibgraph.graph.detect.amplified import AMPLIFIED_SHARE, ROLE
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.signals import cypher_co_share, object_passes
from cibgraph.graph.pairs.definition import OBJECT_SIGNALS, CoShareParams
from cibgraph.graph.pairs.duck import DuckDbEngine
from cibgraph.graph.pairs.shares import extract_shares
from cibgraph.graph.pairs.spark import SparkEngine, spark_session
from cibgraph.loaders.truth import evaluate_files
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration

Rows = list[dict[str, Any]]
PARAPHRASED = "paraphrased_templates_1"
IMAGES = "reused_images_1"


def _sorted(rows: Any) -> Rows:
    return sorted(rows, key=lambda r: (r["a"], r["b"]))


def _weights(shares: Path, pass_: CoShareParams, signal: str) -> dict[tuple[str, str], int]:
    """Brute force: each pair's distinct objects of the signal's kinds within the window."""
    kinds = OBJECT_SIGNALS[signal].kinds
    by_object: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
    for row in pq.read_table(shares).to_pylist():
        if row["kind"] in kinds:
            by_object[row["object"]].append((row["t"], row["actor"], row["variant"] or ""))
    objects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj, shares_of in by_object.items():
        if not 2 <= len(shares_of) <= pass_.max_object_shares:
            continue
        authored = sorted((t, a, v) for t, a, v in shares_of if a is not None)
        for i, (t_x, x, v_x) in enumerate(authored):
            for t_y, y, v_y in authored[i + 1 :]:
                if t_y - t_x > pass_.window:
                    break
                # A near-duplicate cluster's copies meet only with different texts.
                if x != y and (not v_x or v_x != v_y):
                    objects[(min(x, y), max(x, y))].add(obj)
    return {pair: len(objs) for pair, objs in objects.items() if len(objs) >= pass_.min_weight}


def _planted_ids(scenario: DetectedScenario, label: str) -> list[str]:
    with scenario.truth.open(newline="") as truth:
        return [r["actor_id"] for r in csv.DictReader(truth) if r["network_label"] == label]


def _recorded_engine(db: Database, run_id: str) -> dict[str, Any]:
    """What the run recorded of its engine (``DetectionRun.engine``)."""
    answer = db.read("MATCH (r:DetectionRun {id: $run}) RETURN r.engine AS engine", {"run": run_id})
    engine: dict[str, Any] = json.loads(answer[0]["engine"])
    return engine


def _passes(scenario: DetectedScenario) -> dict[str, CoShareParams]:
    return object_passes(DetectParams(window=scenario.result.params.window))


def test_new_signals_equal_their_cypher_queries(
    db: Database, tactics_scenario: DetectedScenario, tmp_path: Path
) -> None:
    table = extract_shares(db, tmp_path / "shares.parquet")
    kinds = {row["kind"] for row in pq.read_table(table.path, columns=["kind"]).to_pylist()}
    assert {"url", "post", "text", "tags", "image", "similar"} <= kinds
    for signal, pass_ in _passes(tactics_scenario).items():
        cypher = _sorted(cypher_co_share(db)(pass_, signal))
        with DuckDbEngine(table.path, tmp_path, "1GB") as engine:
            duck = _sorted(engine.co_share(pass_, signal=signal))
        assert len(cypher) > 100, signal
        assert duck == cypher, signal
        assert {(r["a"], r["b"]): r["weight"] for r in duck} == _weights(
            table.path, pass_, signal
        ), signal
        prefix = {"co_hashtag": "tags:", "co_image": "image:", "co_similar_text": "similar:"}
        assert all(s.startswith(prefix[signal]) for r in duck for s in r["sample_objects"])


# pyspark 3.5 leaves the sockets it reads results through to the garbage collector.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_gives_the_new_signals_duckdb_pairs(
    db: Database, tactics_scenario: DetectedScenario, tmp_path: Path
) -> None:
    table = extract_shares(db, tmp_path / "shares.parquet")
    passes = _passes(tactics_scenario)
    with DuckDbEngine(table.path, tmp_path, "1GB") as duck:
        expected = {s: sorted(duck.co_share(p, signal=s), key=str) for s, p in passes.items()}
    with SparkEngine(spark_session("local[2]", "1GB"), table.path) as spark:
        for signal, pass_ in passes.items():
            assert expected[signal], signal
            assert sorted(spark.co_share(pass_, signal=signal), key=str) == expected[signal]


def test_tracked_links_meet_as_one_canonical_url(
    db: Database, tactics_scenario: DetectedScenario
) -> None:
    tracked = db.read(
        "MATCH (u:Url) WHERE u.url CONTAINS 'utm_' OR u.url CONTAINS 'fbclid=' "
        "OR u.url CONTAINS ':443/' RETURN count(u) AS n"
    )[0]["n"]
    assert tracked == 0
    given = db.read(
        "MATCH (p:Post)-[:LINKS_TO]->(u:Url) WHERE p.url_given IS NOT NULL "
        "RETURN p.url_given AS given, u.url AS url LIMIT 50"
    )
    assert len(given) == 50
    assert all(row["given"] != row["url"] and "?" not in row["url"] for row in given)


def test_the_tactic_networks_are_found_and_no_look_alike_is_flagged(
    db: Database, tactics_scenario: DetectedScenario
) -> None:
    folder = tactics_scenario.folder
    evaluation = evaluate_files(
        db, folder / "truth.csv", run_id=tactics_scenario.run_id, decoys=folder / "decoys.csv"
    ).to_dict()
    planted = {p["label"]: p for p in evaluation["planted"]}
    tactics = ("tracking_links", "hashtag_swarm", "reused_images", "boosted_pages")
    for label in (*(f"{t}_1" for t in tactics), "paraphrased_templates_1"):
        assert planted[label]["flagged"], label
    decoys = {d["label"]: d for d in evaluation["decoys"]}
    for label in ("activists_1", "chain_message_1", "greetings_1"):
        assert decoys[label]["in_flagged"] == 0, label
    # The six boosted pages only posted: they are in no pair, and join as amplified.
    rows = db.read(
        "MATCH (p:Page)-[m:MEMBER_OF {run_id: $run}]->(n:Network {flagged: true}) "
        "WHERE m.role = $role RETURN p.key AS key, n.amplified AS evidence",
        {"run": tactics_scenario.run_id, "role": ROLE},
    )
    assert len(rows) >= 6
    for row in rows:
        evidence = json.loads(row["evidence"])[row["key"]]
        assert evidence["reshares_from_members"] >= AMPLIFIED_SHARE * evidence["reshares"]


def test_text_clusters_hold_different_texts_and_are_recorded_on_the_run(
    db: Database, tactics_scenario: DetectedScenario
) -> None:
    clusters = db.read(
        "MATCH (p:Post) WHERE p.text_cluster IS NOT NULL "
        "WITH p.text_cluster AS cluster, count(DISTINCT p.text_hash) AS texts, "
        "min(p.text_hash) AS smallest "
        "RETURN count(*) AS clusters, min(texts) AS fewest, "
        "sum(CASE WHEN cluster = smallest THEN 1 ELSE 0 END) AS named_by_smallest"
    )[0]
    # Every cluster is two or more distinct texts, named by its smallest text hash.
    assert clusters["clusters"] > 20 and clusters["fewest"] >= 2
    assert clusters["named_by_smallest"] == clusters["clusters"]
    # The paraphrased copies are clustered; copies of one campaign share a cluster.
    ids = _planted_ids(tactics_scenario, PARAPHRASED)
    copies = db.read(
        "MATCH (a:Account)-[:POSTED]->(p:Post) WHERE a.id IN $ids "
        "WITH p.text_cluster AS cluster, count(*) AS posts "
        "RETURN cluster IS NULL AS unclustered, count(cluster) AS clusters, sum(posts) AS posts",
        {"ids": ids},
    )
    by_state = {row["unclustered"]: row for row in copies}
    # Their everyday posts are short organic texts; the campaigns' copies are clustered,
    # one cluster per campaign (a few campaigns may share one: a shared part or two).
    assert by_state[False]["posts"] > 500
    assert 15 <= by_state[False]["clusters"] <= 40
    recorded = _recorded_engine(db, tactics_scenario.run_id)["text_clusters"]
    assert recorded["params"]["threshold"] == DetectParams().similar_threshold
    assert recorded["clusters"] == clusters["clusters"]


def test_near_equal_images_are_one_group_and_recorded_on_the_run(
    db: Database, tactics_scenario: DetectedScenario
) -> None:
    groups = db.read(
        "MATCH (p:Post) WHERE p.image_cluster IS NOT NULL "
        "RETURN p.image_cluster AS group, collect(DISTINCT p.image_hash) AS hashes, "
        "count(*) AS posts"
    )
    distance = DetectParams().image_max_distance
    # Each group is two or more hashes, named by the smallest, each hash within the
    # distance of another of its group (single link).
    assert len(groups) >= 10
    for row in groups:
        values = [int(h, 16) for h in row["hashes"]]
        assert len(values) >= 2 and row["group"] == min(row["hashes"])
        assert all(any(0 < (v ^ w).bit_count() <= distance for w in values) for v in values)
    # The reused-images campaigns' re-encoded copies: many hashes, a few images.
    ids = _planted_ids(tactics_scenario, IMAGES)
    seen = db.read(
        "MATCH (a:Account)-[:POSTED]->(p:Post) WHERE a.id IN $ids AND p.image_hash IS NOT NULL "
        "RETURN count(DISTINCT p.image_hash) AS hashes, "
        "count(DISTINCT coalesce(p.image_cluster, p.image_hash)) AS images",
        {"ids": ids},
    )[0]
    assert seen["images"] >= 10 and seen["hashes"] > 2 * seen["images"]
    recorded = _recorded_engine(db, tactics_scenario.run_id)["image_clusters"]
    assert recorded["params"]["max_distance"] == distance
    assert recorded["clusters"] == len(groups)
    assert recorded["clustered_posts"] == sum(row["posts"] for row in groups)
