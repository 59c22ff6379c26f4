"""The field's standard behaviour-only data, detected: what each top candidate is and why.

CooRTweet's German elections data (Facebook shares, with URL, domain, hashtag and image
ids) and its Russian coordinated tweets carry no account metadata, so no network can be
flagged (README, Detection: verdict tiers); this shows the top-ranked candidates with
their tier, scores, cue coverage and measured evidence, for README ("Behaviour-only
data"). Each dataset is loaded into the emptied database of its own instance:

    export CIBGRAPH_HOME=$PWD/.cibgraph-field CIBGRAPH_DATASETS=/path/to/datasets  # default: tests/data
    python bench/field.py --dataset russian_coord_tweets --top 10

Writes bench/results/field-<dataset>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import DATASETS

from cibgraph.graph.connection import open_database
from cibgraph.graph.detect.params import DetectParams
from cibgraph.graph.detect.pipeline import detect
from cibgraph.graph.settings import resolve_settings
from cibgraph.graph.wipe import wipe_database
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load

RESULTS = Path(__file__).resolve().parent / "results"

STRONGEST_PAIR = """
MATCH (n:Network {id: $id})<-[:MEMBER_OF]-(a:Actor)-[e:COORDINATED_WITH {run_id: n.run_id}]->
      (b:Actor)-[:MEMBER_OF]->(n)
RETURN a.id AS a, b.id AS b, e.co_share_objects AS objects,
       e.slow_co_share_objects AS slow_objects, e.min_gap AS min_gap, e.weight AS weight
ORDER BY e.weight DESC LIMIT 1
"""


def top_networks(db: Any, run_id: str, top: int) -> list[dict[str, Any]]:
    rows = db.read(
        "MATCH (n:Network {run_id: $run}) WHERE n.rank <= $top "
        "RETURN properties(n) AS p ORDER BY n.rank",
        {"run": run_id, "top": top},
    )
    found = []
    for row in rows:
        p = row["p"]
        pair = db.read(STRONGEST_PAIR, {"id": p["id"]})
        found.append(
            {
                "rank": p["rank"],
                "network": p["id"],
                "tier": p.get("tier"),
                "size": p["size"],
                "score": p["score"],
                "coordination": p["coordination_score"],
                "inauthenticity": p["inauthenticity_score"],
                "coverage": p.get("coverage"),
                "cues": json.loads(p.get("cues") or "{}"),
                "behaviour": json.loads(p.get("behaviour") or "{}"),
                "strongest_pair": dict(pair[0]) if pair else None,
            }
        )
    return found


def strongest_pair_text(pair: dict[str, Any] | None) -> str:
    """The pair's fast co-shares, or what else tied it (slow co-shares, shared admins or
    identifiers), never "0 objects, fastest None s"."""
    if not pair:
        return "-"
    if pair.get("objects"):
        return f"{pair['objects']} objects, fastest {pair['min_gap']} s"
    if pair.get("slow_objects"):
        return f"slow co-shares only ({pair['slow_objects']} objects)"
    return "no co-shares (shared admins or identifiers)"


def markdown(name: str, summary: dict[str, Any], networks: list[dict[str, Any]]) -> str:
    lines = [
        f"{name}: {summary['posts']:,} posts loaded in {summary['load_seconds']:.0f} s, "
        f"detected in {summary['detect_seconds']:.0f} s (window {summary['window']} s, "
        f"{summary['window_source']}); {summary['networks']} candidate networks, "
        f"{summary['flagged']} flagged; tiers {summary['tiers']}.",
        "",
        "| rank | tier | members | score | coord. | inauth. | coverage | near-simultaneous "
        "| coordinated posts | rhythm | many sources | fast follows / follows | strongest pair: "
        "objects co-shared |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def cue(n: dict[str, Any], name: str) -> str:
        value = n["cues"].get(name)
        return "unknown" if value is None else f"{value:.2f}"

    for n in networks:
        b, pair = n["behaviour"], n["strongest_pair"]
        pair_text = strongest_pair_text(pair)
        lines.append(
            f"| {n['rank']} | {n['tier']} | {n['size']} | {n['score']:.2f} | "
            f"{n['coordination']:.2f} | {n['inauthenticity']:.2f} | {n['coverage']:.0%} | "
            f"{cue(n, 'near_simultaneous')} | {cue(n, 'coordinated_posts')} | "
            f"{cue(n, 'shared_rhythm')} | {cue(n, 'many_sources')} | "
            f"{b.get('fast_follows', 0)} / {b.get('follows', 0)} | "
            f"{pair_text} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", required=True, help="file stem under coortweet/")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    source = DATASETS / "coortweet" / f"{args.dataset}.csv.gz"
    with open_database(resolve_settings()) as db, tempfile.TemporaryDirectory() as tmp:
        wipe_database(db)
        started = time.perf_counter()
        load(db, plan_load([source], fmt="coortweet"), LoadOptions(rejects_dir=Path(tmp)))
        load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        result = detect(db, DetectParams())
        detect_seconds = time.perf_counter() - started
        posts = db.read("MATCH (p:Post) WHERE p.created_at IS NOT NULL RETURN count(p) AS n")
        summary = {
            "dataset": args.dataset,
            "posts": int(posts[0]["n"]),
            "load_seconds": round(load_seconds, 1),
            "detect_seconds": round(detect_seconds, 1),
            "window": result.params.window,
            "window_source": result.window_source,
            "run_id": result.run_id,
            "networks": len(result.networks),
            "flagged": len(result.flagged),
            "tiers": {
                k.removeprefix("tier_"): v
                for k, v in result.counts.items()
                if k.startswith("tier_") and v
            },
        }
        networks = top_networks(db, result.run_id, args.top)
    RESULTS.mkdir(exist_ok=True)
    stem = f"field-{args.dataset}"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"summary": summary, "networks": networks}, indent=2, default=str) + "\n"
    )
    text = markdown(args.dataset, summary, networks)
    (RESULTS / f"{stem}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
