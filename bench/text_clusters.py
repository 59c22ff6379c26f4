"""The near-duplicate text parameters measured: shingle size and threshold.

For each shingle size, the Jaccard similarity of two copies of one paraphrased
campaign (scenario/paraphrase.py, as the ``paraphrased_templates`` tactic writes them)
and of two campaigns' copies; then, for each threshold, the clusters that
graph/pairs/text_clusters.py's rule (MinHash LSH candidates, a signature check,
union-find) makes of ``--campaigns`` campaigns of ``--copies`` copies: how many
clusters, how many campaigns split across clusters, how many merged with another.
No database: the texts are generated in memory.

    python bench/text_clusters.py --campaigns 35 --copies 40 --seed 2
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import defaultdict
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from cibgraph.graph.pairs.text_clusters import TextClusterParams, shingles, words
from cibgraph.scenario import paraphrase

RESULTS = Path(__file__).resolve().parent / "results"


def _jaccard(a: set[bytes], b: set[bytes]) -> float:
    return len(a & b) / len(a | b)


def similarities(campaigns: list[list[str]], size: int) -> dict[str, float]:
    sets = [[set(shingles(words(t), size)) for t in copies] for copies in campaigns]
    within = [
        _jaccard(c[i], c[j]) for c in sets for i in range(len(c)) for j in range(i + 1, len(c))
    ]
    across = [
        _jaccard(sets[x][0], sets[y][0]) for x in range(len(sets)) for y in range(x + 1, len(sets))
    ]
    return {
        "within_median": round(statistics.median(within), 3),
        "within_p10": round(statistics.quantiles(within, n=10)[0], 3),
        "across_median": round(statistics.median(across), 3),
        "across_max": round(max(across), 3),
    }


def clusters(campaigns: list[list[str]], params: TextClusterParams) -> dict[str, int]:
    texts = [(c, t) for c, copies in enumerate(campaigns) for t in copies]
    sets = [shingles(words(t), params.shingle) for _, t in texts]
    hashes = MinHash.bulk(sets, num_perm=params.num_perm, seed=params.seed)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm)
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, minhash in enumerate(hashes):
        for j in lsh.query(minhash):
            if minhash.jaccard(hashes[j]) >= params.threshold:
                parent[find(i)] = find(j)
        lsh.insert(i, minhash)
    of_campaign: dict[int, set[int]] = defaultdict(set)
    of_cluster: dict[int, set[int]] = defaultdict(set)
    for i, (campaign, _) in enumerate(texts):
        of_campaign[campaign].add(find(i))
        of_cluster[find(i)].add(campaign)
    return {
        "clusters": len(of_cluster),
        "campaigns_split": sum(1 for c in of_campaign.values() if len(c) > 1),
        "clusters_of_several_campaigns": sum(1 for c in of_cluster.values() if len(c) > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--campaigns", type=int, default=35)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    campaigns = []
    for _ in range(args.campaigns):
        fixed = paraphrase.fix(rng, paraphrase.template(rng))
        campaigns.append([paraphrase.paraphrase(rng, fixed) for _ in range(args.copies)])
    report: dict[str, object] = {
        "campaigns": args.campaigns,
        "copies": args.copies,
        "seed": args.seed,
        "similarity": {f"shingle_{k}": similarities(campaigns, k) for k in (1, 2, 3)},
        "clusters": {
            f"shingle_{k}_threshold_{t}": clusters(
                campaigns, TextClusterParams(threshold=t, shingle=k)
            )
            for k in (1, 2)
            for t in (0.5, 0.6, 0.7)
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "text-clusters.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
