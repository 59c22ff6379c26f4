"""Detection quality on the seeded scenarios: the table in README ("Detection quality").

For each seed: wipe the database, generate the scenario, load it, detect with each
algorithm (defaults otherwise), evaluate against truth.csv (and decoys.csv when the
generator wrote one), and check that detecting twice gives identical networks.

Run it on its own instance so it never touches an analyst's data or the test server:

    export CIBGRAPH_HOME=$PWD/.cibgraph-quality
    cib db install --bolt-port 7692 --http-port 7479 --heap 3g --pagecache 2g && cib db start
    python bench/quality.py --seeds 1,2,3,4,5 --scale 1 --algorithms leiden,louvain,wcc

``--behaviour-only`` loads the same scenarios as CooRTweet shares with no account
metadata (scenario/behaviour_only.py) and reports, besides the usual figures,
where each planted network and each decoy group ranks and in which verdict tier: the
bar is that every planted network ranks above every decoy group, tiered
coordinated_unassessable (nothing can be flagged without metadata).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from cibgraph.graph.connection import Database, open_database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.pairs.definition import OBJECT_SIGNALS
from cibgraph.graph.settings import resolve_settings
from cibgraph.graph.wipe import wipe_database
from cibgraph.loaders.bulk import bulk_load
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.truth import evaluate_files
from cibgraph.scenario import generate
from cibgraph.scenario.behaviour_only import SHARES_FILE, behaviour_only

# The server's query notifications (deprecations, unbounded patterns) would fill the
# bench's output; the other benches silence them the same way (bench/harness.py).
logging.getLogger("neo4j").setLevel(logging.ERROR)

RESULTS = Path(__file__).resolve().parent / "results"


def memberships(db: Database, run_id: str) -> set[frozenset[str]]:
    rows = db.read(
        "MATCH (a:Actor)-[:MEMBER_OF]->(n:Network {run_id: $run}) RETURN n.id AS n, collect(a.key) AS keys",
        {"run": run_id},
    )
    return {frozenset(r["keys"]) for r in rows}


def network_ranks(db: Database, run_id: str) -> dict[str, tuple[int, str]]:
    rows = db.read(
        "MATCH (n:Network {run_id: $run}) RETURN n.id AS id, n.rank AS rank, n.tier AS tier",
        {"run": run_id},
    )
    return {r["id"]: (int(r["rank"]), str(r["tier"] or "")) for r in rows}


def placement(evaluation: dict[str, Any], ranks: dict[str, tuple[int, str]]) -> dict[str, Any]:
    """Rank and tier of each planted network's match and each decoy group's main network."""
    missing: tuple[int | None, str] = (None, "")
    planted: dict[str, dict[str, Any]] = {}
    for p in evaluation["planted"]:
        rank, tier = ranks.get(p["network_id"], missing) if p["network_id"] else missing
        planted[p["label"]] = {"rank": rank, "tier": tier}
    decoys: dict[str, dict[str, Any]] = {}
    for d in evaluation["decoys"]:
        held = max(d["networks"], key=lambda n: n["members"], default=None)
        rank, tier = ranks.get(held["id"], missing) if held else missing
        decoys[d["label"]] = {"rank": rank, "tier": tier, "members": held["members"] if held else 0}
    worst_planted: int | None = max(
        (int(p["rank"] or 10**9) for p in planted.values()), default=None
    )
    best_decoy: int | None = min(
        (int(d["rank"]) for d in decoys.values() if d["rank"]), default=None
    )
    return {
        "planted_ranks": planted,
        "decoy_ranks": decoys,
        "worst_planted_rank": worst_planted,
        "best_decoy_rank": best_decoy,
        "planted_above_decoys": best_decoy is None
        or (worst_planted is not None and worst_planted < best_decoy),
        "planted_unassessable": sum(
            1 for p in planted.values() if p["tier"] == "coordinated_unassessable"
        ),
    }


def one_seed(
    db: Database,
    seed: int,
    scale: float,
    algorithms: list[str],
    behaviour: bool = False,
    bulk: bool = False,
    rerun: bool = True,
    params: DetectParams | None = None,
    tactics: bool = False,
    without: tuple[str, ...] = (),
    compare: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    base = params or DetectParams()
    # Each algorithm with every signal, then without each of ``without``: on the same
    # loaded data, so the difference is the signal's alone.
    variants = [("", base)] + [
        (
            f"without {name}",
            replace(base, object_signals=tuple(s for s in base.object_signals if s != name)),
        )
        for name in without
    ]
    if compare:
        variants.append((f"with {json.dumps(compare)}", replace(base, **compare)))
    wipe_database(db)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / f"s{scale:g}-{seed}"
        generate(folder, scale=scale, seed=seed, tactics=tactics)
        if behaviour:
            shares = Path(tmp) / f"b{scale:g}-{seed}"
            behaviour_only(folder, shares)
            folder = shares
            plan = plan_load([shares / SHARES_FILE], fmt="coortweet")
        else:
            plan = plan_load([folder])
        started = time.perf_counter()
        if bulk:
            # The admin importer into the emptied local server: the same rows, minutes
            # instead of most of an hour at scale 10 on a busy machine.
            bulk_load(db, plan, LoadOptions(rejects_dir=Path(tmp) / "loads"))
        else:
            load(db, plan, LoadOptions(rejects_dir=Path(tmp) / "loads"))
        load_seconds = time.perf_counter() - started
        decoys = folder / "decoys.csv"
        for algorithm, (variant, chosen) in ((a, v) for a in algorithms for v in variants):
            started = time.perf_counter()
            result = detect(db, replace(chosen, algorithm=algorithm))
            seconds = time.perf_counter() - started
            again = (
                detect(db, replace(chosen, algorithm=algorithm, window=result.params.window))
                if rerun
                else None
            )
            evaluation = evaluate_files(
                db,
                folder / "truth.csv",
                run_id=result.run_id,
                decoys=decoys if decoys.exists() else None,
            ).to_dict()
            planted = {p["label"]: p for p in evaluation["planted"]}
            flagged_decoys = sum(1 for d in evaluation["decoys"] if d["in_flagged"] > 0)
            rows.append(
                {
                    "seed": seed,
                    "scale": scale,
                    "algorithm": f"{algorithm} ({variant})" if variant else algorithm,
                    "window": result.params.window,
                    "precision": round(evaluation["precision"], 4),
                    "recall": round(evaluation["recall"], 4),
                    "f1": round(evaluation["f1"], 4),
                    "ari": round(evaluation["ari"], 4),
                    "planted_flagged": sum(1 for p in planted.values() if p["flagged"]),
                    "planted": len(planted),
                    "decoy_groups": len(evaluation["decoys"]),
                    "decoy_groups_flagged": flagged_decoys,
                    "decoy_actors_flagged": sum(int(d["in_flagged"]) for d in evaluation["decoys"]),
                    "flagged_networks": evaluation["flagged_networks"],
                    "identical_rerun": None
                    if again is None
                    else memberships(db, result.run_id) == memberships(db, again.run_id),
                    "detect_seconds": round(seconds, 1),
                    # Stage times and each pair signal's own pass (bench/detect.py has
                    # the medians; these are one run's, for the record).
                    "stages": result.timings,
                    "passes": result.engine.get("seconds", {}),
                    "amplified": result.counts.get("amplified", 0),
                    "text_clusters": result.engine.get("text_clusters"),
                    "image_clusters": result.engine.get("image_clusters"),
                    "pairs": {
                        signal: result.counts.get(f"pairs_{signal}")
                        for signal in ("co_share", "slow_co_share", *OBJECT_SIGNALS)
                    },
                    "planted_recall": {
                        label: round(p["recall"], 3) for label, p in sorted(planted.items())
                    },
                    "load_seconds": round(load_seconds, 1),
                    "behaviour_only": behaviour,
                    "tiers": {
                        k.removeprefix("tier_"): v
                        for k, v in result.counts.items()
                        if k.startswith("tier_")
                    },
                    **placement(evaluation, network_ranks(db, result.run_id)),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def _rerun(identical: bool | None) -> str:
    return "not checked" if identical is None else "yes" if identical else "NO"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| seed | algorithm | window (s) | precision | recall | F1 | ARI | planted flagged | decoy groups flagged | decoy actors flagged | identical rerun |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['seed']} | {r['algorithm']} | {r['window']} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"{r['f1']:.3f} | {r['ari']:.3f} | {r['planted_flagged']}/{r['planted']} | "
            f"{r['decoy_groups_flagged']}/{r['decoy_groups']} | {r['decoy_actors_flagged']} | "
            f"{_rerun(r['identical_rerun'])} |"
        )
    if any(r.get("behaviour_only") for r in rows):
        lines += ["", *ranking_table(rows)]
    for algorithm in sorted({r["algorithm"] for r in rows}):
        mine = [r for r in rows if r["algorithm"] == algorithm]
        lines.append(
            f"| median | {algorithm} | | {statistics.median(r['precision'] for r in mine):.3f} | "
            f"{statistics.median(r['recall'] for r in mine):.3f} | {statistics.median(r['f1'] for r in mine):.3f} | "
            f"{statistics.median(r['ari'] for r in mine):.3f} | | | | |"
        )
    return "\n".join(lines) + "\n"


def ranking_table(rows: list[dict[str, Any]]) -> list[str]:
    """Behaviour-only: where each planted network and decoy group ranks, and its tier."""
    lines = [
        "| seed | group | kind | rank | tier |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        groups = [("planted", k, v) for k, v in r["planted_ranks"].items()]
        groups += [("decoy", k, v) for k, v in r["decoy_ranks"].items()]
        for kind, label, where in sorted(groups, key=lambda g: g[2]["rank"] or 10**9):
            rank = where["rank"] if where["rank"] is not None else "not in a network"
            lines.append(f"| {r['seed']} | {label} | {kind} | {rank} | {where['tier']} |")
        verdict = "yes" if r["planted_above_decoys"] else "NO"
        lines.append(
            f"| {r['seed']} | every planted network above every decoy group | | | {verdict} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--algorithms", default="leiden")
    parser.add_argument(
        "--behaviour-only",
        action="store_true",
        help="load the scenarios as CooRTweet shares with no account metadata",
    )
    parser.add_argument("--bulk", action="store_true", help="load with the bulk importer")
    parser.add_argument("--no-rerun", action="store_true", help="skip the second detection")
    parser.add_argument(
        "--params",
        default="{}",
        help='other detection parameters as JSON, e.g. {"object_signals": []} (the old signals)',
    )
    parser.add_argument("--name", default=None, help="results file stem (default from the scale)")
    parser.add_argument(
        "--tactics",
        action="store_true",
        help="the extended scenario: tactic networks and their look-alikes (scenario/tactics.py)",
    )
    parser.add_argument(
        "--without",
        default="",
        help="object signals to leave out in a second detection of each seed, comma-separated "
        "(e.g. co_similar_text): the with/without rows come from the same load",
    )
    parser.add_argument(
        "--compare",
        default="{}",
        help="parameters as JSON for a second detection of each seed on the same load, "
        'e.g. {"image_max_distance": 0} (equal image hashes only)',
    )
    parser.add_argument(
        "--engine", default="duckdb", help="pair engine: duckdb (default), cypher or spark"
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    algorithms = args.algorithms.split(",")
    rows: list[dict[str, Any]] = []
    with open_database(resolve_settings()) as db:
        for seed in seeds:
            rows.extend(
                one_seed(
                    db,
                    seed,
                    args.scale,
                    algorithms,
                    args.behaviour_only,
                    args.bulk,
                    not args.no_rerun,
                    DetectParams(engine=args.engine, **json.loads(args.params)),
                    args.tactics,
                    tuple(w for w in args.without.split(",") if w),
                    json.loads(args.compare),
                )
            )
    RESULTS.mkdir(exist_ok=True)
    stem = f"quality-scale{args.scale:g}" + ("-behaviour-only" if args.behaviour_only else "")
    stem += "-tactics" if args.tactics else ""
    stem = args.name or stem
    (RESULTS / f"{stem}.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(rows))
    print(markdown(rows))


if __name__ == "__main__":
    main()
