"""Scoring a detection run against ground truth: actor-level metrics, ARI, matches, decoys.

``labels`` holds the shapes of truth and decoys rows (read by ``loaders/truth.py``),
``metrics`` the ratios and ARI, ``model`` the result, ``score`` the queries and the
scoring itself.
"""

from cibgraph.graph.evaluate.labels import (
    ActorLabels,
    DecoyConflict,
    InvalidRows,
    LabelledActor,
    MissingColumns,
    TruthFileError,
    actor_key,
)
from cibgraph.graph.evaluate.metrics import adjusted_rand_index, ari_from_contingency, ratio
from cibgraph.graph.evaluate.model import (
    DecoyGroup,
    DecoyNetwork,
    Evaluation,
    NetworkInfo,
    PlantedMatch,
)
from cibgraph.graph.evaluate.score import (
    MEMBERSHIP_QUERY,
    NETWORKS_QUERY,
    RunInconsistent,
    TruthNotInGraph,
    evaluate,
    memberships,
    network_table,
)
from cibgraph.graph.runs import NoCompleteRun, RunInfo, RunNotFound

__all__ = [
    "MEMBERSHIP_QUERY",
    "NETWORKS_QUERY",
    "ActorLabels",
    "DecoyConflict",
    "DecoyGroup",
    "DecoyNetwork",
    "Evaluation",
    "InvalidRows",
    "LabelledActor",
    "MissingColumns",
    "NetworkInfo",
    "NoCompleteRun",
    "PlantedMatch",
    "RunInconsistent",
    "RunInfo",
    "RunNotFound",
    "TruthFileError",
    "TruthNotInGraph",
    "actor_key",
    "adjusted_rand_index",
    "ari_from_contingency",
    "evaluate",
    "memberships",
    "network_table",
    "ratio",
]
