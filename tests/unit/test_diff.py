"""Run diff matching without a server: persist / appear / disappear, greedy and stable."""

from __future__ import annotations

import pytest

from cibgraph.core.errors import RunNotReady, UsageError
from cibgraph.graph.detect.diff import NetworkMembers, diff_runs, jaccard, match_networks
from tests.fakes import RecordingRunner


def net(
    nid: str, members: str, rank: int = 1, score: float = 0.5, flagged: bool = True
) -> NetworkMembers:
    return NetworkMembers(nid, rank, score, flagged, frozenset(members.split()))


def test_jaccard() -> None:
    assert jaccard(frozenset("abc"), frozenset("bcd")) == 0.5
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_persist_appear_disappear() -> None:
    a = [net("A1", "a b c d", 1, 0.6), net("A2", "x y z", 2, 0.3)]
    b = [net("B1", "a b c e f", 1, 0.7), net("B2", "p q r", 2, 0.4, False)]
    diff = match_networks(a, b, 0.3, "run-a", "run-b")
    assert [(m.a.id, m.b.id) for m in diff.persisted] == [("A1", "B1")]
    match = diff.persisted[0]
    assert match.overlap == round(3 / 6, 4) and match.shared == 3
    assert match.joined == ("e", "f") and match.left == ("d",)
    assert match.score_change == 0.1
    assert [n.id for n in diff.appeared] == ["B2"]
    assert [n.id for n in diff.disappeared] == ["A2"]
    doc = diff.to_dict()
    assert doc["counts"] == {"persisted": 1, "appeared": 1, "disappeared": 1}
    assert doc["persisted"][0]["joined_members"] == ["e", "f"]


def test_below_min_overlap_is_not_the_same_network() -> None:
    a = [net("A1", "a b c d e f g h i j")]
    b = [net("B1", "a b x y z u v w")]  # 2 shared of 16: 0.125
    diff = match_networks(a, b, 0.3)
    assert not diff.persisted and len(diff.appeared) == 1 and len(diff.disappeared) == 1
    assert match_networks(a, b, 0.1).persisted


def test_greedy_best_overlap_first_and_one_to_one() -> None:
    # A1-B1 0.75, A1-B2 0.67, A2-B1 0.4, A2-B2 0.25: A1 takes B1 first, so A2 (which only
    # reaches B1 above the minimum) is left without a match, and B2 is new.
    a = [net("A1", "a b c", 1), net("A2", "c d e", 2)]
    b = [net("B1", "a b c d", 1), net("B2", "a c", 2)]
    diff = match_networks(a, b, 0.3)
    assert [(m.a.id, m.b.id) for m in diff.persisted] == [("A1", "B1")]
    assert [n.id for n in diff.disappeared] == ["A2"]
    assert [n.id for n in diff.appeared] == ["B2"]


def test_ties_break_on_rank_not_on_input_order() -> None:
    a = [net("A1", "a b", 1)]
    b1, b2 = net("B1", "a b c", 2), net("B2", "a b d", 1)
    for order in ([b1, b2], [b2, b1]):
        diff = match_networks(a, order, 0.3)
        assert [m.b.id for m in diff.persisted] == ["B2"], "equal overlap: better rank wins"


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_min_overlap_must_be_a_share(bad: float) -> None:
    with pytest.raises(UsageError):
        match_networks([], [], bad)


def test_same_run_twice_is_refused() -> None:
    with pytest.raises(UsageError, match="two different"):
        diff_runs(RecordingRunner(), "run-a", "run-a")


def test_runs_must_be_complete() -> None:
    runner = RecordingRunner(
        answers={"properties(r) AS props": [{"props": {"id": "run-a", "status": "failed"}}]}
    )
    with pytest.raises(RunNotReady):
        diff_runs(runner, "run-a", "run-b")


def test_reads_members_per_run() -> None:
    def members(params: dict[str, object]) -> list[dict[str, object]]:
        if params["run_id"] == "run-a":
            return [
                {
                    "id": "run-a:n0001",
                    "rank": 1,
                    "score": 0.5,
                    "flagged": True,
                    "members": ["x", "y"],
                }
            ]
        return [
            {
                "id": "run-b:n0001",
                "rank": 1,
                "score": 0.4,
                "flagged": True,
                "members": ["x", "y", "z"],
            }
        ]

    def run(params: dict[str, object]) -> list[dict[str, object]]:
        return [{"props": {"id": params["run_id"], "status": "complete"}}]

    runner = RecordingRunner(answers={"properties(r) AS props": run, "collect(a.key)": members})
    diff = diff_runs(runner, "run-a", "run-b")
    assert diff.persisted[0].joined == ("z",) and diff.persisted[0].score_change == -0.1
