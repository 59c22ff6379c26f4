"""Hashtag sets or ordered sequences? The co_hashtag object measured both ways.

Not a test. Reads a generated scenario's posts.csv and truth.csv and, for both keys of
a post's hashtags (as typed, or as a sorted set), counts the objects posted at least
twice and the actor pairs meeting on at least two of them within the window, split
into pairs inside one planted network and all others (README, "Hashtag sets").

    python bench/hashtag_order.py --scale 1 --seed 1 --window 60
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from cibgraph.loaders.values import parse_tags
from cibgraph.scenario import generate


def pairs(shares: dict[str, list[tuple[int, str]]], window: int) -> set[tuple[str, str]]:
    objects: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, rows in shares.items():
        if not 2 <= len(rows) <= 200:
            continue
        rows.sort()
        for i, (t_x, x) in enumerate(rows):
            for t_y, y in rows[i + 1 :]:
                if t_y - t_x > window:
                    break
                if x != y:
                    objects[(min(x, y), max(x, y))].add(key)
    return {pair for pair, objs in objects.items() if len(objs) >= 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.scale, args.seed, force=True, tactics=True)
        with (folder / "truth.csv").open(encoding="utf-8") as handle:
            label = {r["actor_id"]: r["network_label"] for r in csv.DictReader(handle)}
        keyed: dict[str, dict[str, list[tuple[int, str]]]] = {
            "ordered": defaultdict(list),
            "set": defaultdict(list),
        }
        with (folder / "posts.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                tags = parse_tags(row["hashtags"]) if row["hashtags"] else []
                if len(tags) < 2:
                    continue
                t = int(datetime.fromisoformat(row["created_at"]).timestamp())
                keyed["ordered"][" ".join(tags)].append((t, row["author_id"]))
                keyed["set"][" ".join(sorted(tags))].append((t, row["author_id"]))
    print("| key | objects posted twice or more | pairs inside a planted network | other pairs |")
    print("| --- | --- | --- | --- |")
    for name, shares in keyed.items():
        found = pairs(shares, args.window)
        inside = sum(1 for a, b in found if label.get(a) and label.get(a) == label.get(b))
        repeated = sum(1 for rows in shares.values() if len(rows) >= 2)
        print(f"| {name} | {repeated:,} | {inside:,} | {len(found) - inside:,} |")


if __name__ == "__main__":
    main()
