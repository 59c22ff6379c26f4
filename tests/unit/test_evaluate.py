"""`cib evaluate`: metrics, ARI, truth-file validation, run selection and decoys, no server."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.core.errors import ConnectionFailed, RunNotReady
from cibgraph.graph import runs
from cibgraph.graph.evaluate import (
    DecoyConflict,
    InvalidRows,
    MissingColumns,
    RunInconsistent,
    TruthFileError,
    TruthNotInGraph,
    adjusted_rand_index,
    ratio,
)
from cibgraph.graph.evaluate import score as ev
from cibgraph.graph.runs import NoCompleteRun, RunNotFound
from cibgraph.loaders.truth import evaluate_files as evaluate
from cibgraph.loaders.truth import read_decoys, read_truth
from tests.fakes import RecordingRunner

# --- adjusted Rand index ------------------------------------------------------------


def _ari_by_pairs(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """An independent ARI: count item pairs directly (Hubert & Arabie, pair form)."""
    a = b = c = d = 0  # together in both / truth only / predicted only / neither
    for i, j in itertools.combinations(range(len(truth)), 2):
        same_t, same_p = truth[i] == truth[j], predicted[i] == predicted[j]
        a += same_t and same_p
        b += same_t and not same_p
        c += same_p and not same_t
        d += not same_t and not same_p
    if b == 0 and c == 0:
        return 1.0
    return 2 * (a * d - b * c) / ((a + b) * (b + d) + (a + c) * (c + d))


@pytest.mark.parametrize(
    ("truth", "predicted", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),  # cluster names do not matter
        (["x", "x", "y", "z"], [5, 5, 7, 9], 1.0),
        # Hand-computed: sum C(n_ij,2)=1, sum C(a_i,2)=1, sum C(b_j,2)=2, C(4,2)=6;
        # (1 - 2/6) / (3/2 - 2/6) = 4/7.
        ([0, 0, 1, 2], [0, 0, 1, 1], 4 / 7),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),  # worse than chance
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),  # one cluster vs all singletons
        ([0, 0, 0], [1, 1, 1], 1.0),  # both trivial and equal: the usual convention
        ([0], [0], 1.0),
        ([], [], 1.0),
    ],
)
def test_ari_known_values(
    truth: list[Hashable], predicted: list[Hashable], expected: float
) -> None:
    assert adjusted_rand_index(truth, predicted) == pytest.approx(expected)


def test_ari_matches_pair_counting_on_random_partitions() -> None:
    rng = random.Random(20190401)
    for _ in range(200):
        n = rng.randint(2, 30)
        truth = [rng.randint(0, rng.randint(0, 5)) for _ in range(n)]
        predicted = [rng.randint(0, rng.randint(0, 5)) for _ in range(n)]
        assert adjusted_rand_index(truth, predicted) == pytest.approx(
            _ari_by_pairs(truth, predicted)
        )


def test_ari_is_symmetric_and_refuses_unequal_lengths() -> None:
    t, p = [0, 0, 1, 1, 2, 2, 2], [0, 0, 0, 1, 1, 2, 2]
    assert adjusted_rand_index(t, p) == pytest.approx(adjusted_rand_index(p, t))
    with pytest.raises(ValueError, match="differ in length"):
        adjusted_rand_index([0, 1], [0])


def test_ratio_defines_zero_over_zero_as_zero() -> None:
    assert ratio(0, 0) == 0.0
    assert ratio(3, 4) == 0.75


# --- a hand-built run ---------------------------------------------------------------

# Truth: planted A = a1 a2 a3 (accounts) + p1 (page); planted B = b1 b2; organic o1..o4.
TRUTH_CSV = """actor_id,actor_type,network_label
a1,account,A
a2,account,A
a3,account,A
p1,page,A
b1,account,B
b2,account,B
o1,account,
o2,account,
o3,page,
o4,account,
"""
# The run: n1 flagged {a1 a2 a3 o1 + x1 not in truth}, n2 flagged {b1},
# n3 not flagged {b2 o2 p1}; o3 in no network; o4 is not in the graph at all.
NETWORKS = [
    {"id": "n1", "flagged": True, "score": 0.9, "members": 5},
    {"id": "n2", "flagged": True, "score": 0.7, "members": 1},
    {"id": "n3", "flagged": False, "score": 0.2, "members": 3},
]
MEMBERSHIP = {
    "account:a1": ["n1"],
    "account:a2": ["n1"],
    "account:a3": ["n1"],
    "account:o1": ["n1"],
    "account:b1": ["n2"],
    "account:b2": ["n3"],
    "account:o2": ["n3"],
    "page:p1": ["n3"],
    "page:o3": [],
}
COMPLETE = {
    "id": "run-1",
    "status": "complete",
    "algorithm": "louvain",
    "started_at": None,
    "finished_at": None,
}


def _membership(rows: dict[str, list[Any]]) -> Any:
    def answer(params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"key": k, "networks": rows[k]} for k in params["keys"] if k in rows]

    return answer


def fake_runner(
    run: dict[str, Any] | None = None,
    networks: list[dict[str, Any]] | None = None,
    membership: dict[str, list[Any]] | None = None,
) -> RecordingRunner:
    return RecordingRunner(
        answers={
            runs.RUN_BY_ID: [{"props": run or COMPLETE}],
            runs.LATEST_RUN: [{"props": run or COMPLETE}],
            ev.NETWORKS_QUERY: NETWORKS if networks is None else networks,
            ev.MEMBERSHIP_QUERY: _membership(MEMBERSHIP if membership is None else membership),
        }
    )


@pytest.fixture()
def truth_file(tmp_path: Path) -> Path:
    path = tmp_path / "truth.csv"
    path.write_text(TRUTH_CSV)
    return path


def test_actor_level_confusion_and_metrics(truth_file: Path) -> None:
    result = evaluate(fake_runner(), truth_file, run_id="run-1")
    # predicted positive: a1 a2 a3 o1 (n1), b1 (n2)
    assert (result.tp, result.fp, result.fn, result.tn) == (4, 1, 2, 3)
    assert result.precision == pytest.approx(4 / 5)
    assert result.recall == pytest.approx(4 / 6)
    assert result.f1 == pytest.approx(8 / 11)
    assert (result.networks, result.flagged_networks) == (3, 2)
    assert result.actors == 10
    assert result.actors_not_in_graph == 1  # o4
    assert result.unmatched_flagged_actors == 1  # x1 in n1


def test_ari_of_the_hand_built_run(truth_file: Path) -> None:
    # Contingency (truth x predicted): A: n1=3 none=1; B: n2=1 none=1; organic: n1=1 none=3.
    # index = 3+3 = 6; rows 6+1+6 = 13; cols (n1=4, n2=1, none=5) 6+0+10 = 16; C(10,2) = 45.
    # ARI = (6 - 13*16/45) / ((13+16)/2 - 13*16/45) = 124/889.
    result = evaluate(fake_runner(), truth_file, run_id="run-1")
    assert result.ari == pytest.approx(124 / 889)
    labels = ["A", "A", "A", "A", "B", "B", "", "", "", ""]
    predicted = ["n1", "n1", "n1", "-", "n2", "-", "n1", "-", "-", "-"]
    assert result.ari == pytest.approx(adjusted_rand_index(labels, predicted))


def test_perfect_detection_scores_one(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("actor_id,actor_type,network_label\na,account,X\nb,account,X\nc,page,\n")
    runner = fake_runner(
        networks=[{"id": 7, "flagged": True, "score": 1.0, "members": 2}],
        membership={"account:a": [7], "account:b": [7], "page:c": []},
    )
    result = evaluate(runner, truth, run_id="run-1")
    assert (result.precision, result.recall, result.f1, result.ari) == (1.0, 1.0, 1.0, 1.0)


def test_nothing_flagged_gives_zero_not_an_error(truth_file: Path) -> None:
    runner = fake_runner(networks=[{**n, "flagged": False} for n in NETWORKS])
    result = evaluate(runner, truth_file, run_id="run-1")
    assert (result.tp, result.fp) == (0, 0)
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)
    assert result.flagged_networks == 0
    assert result.unmatched_flagged_actors == 0


def test_planted_match_table(truth_file: Path) -> None:
    result = evaluate(fake_runner(), truth_file, run_id="run-1")
    a, b = result.planted
    assert a.to_dict() == {
        "label": "A",
        "size": 4,
        "accounts": 3,
        "pages": 1,
        "network_id": "n1",
        "overlap": 3,
        "precision": 0.75,  # 3 of the 4 evaluated actors in n1 (x1 is not evaluated)
        "recall": 0.75,
        "jaccard": 0.6,  # 3 / |{a1 a2 a3 p1} u {a1 a2 a3 o1}|
        "flagged": True,
        "score": 0.9,
        "network_size": 5,
    }
    # B splits 1-1 between n2 (flagged) and n3: the tie goes to the flagged network.
    assert (b.label, b.network_id, b.overlap, b.flagged) == ("B", "n2", 1, True)
    assert (b.precision, b.recall, b.jaccard) == (1.0, 0.5, 0.5)


def test_match_ties_go_to_the_lowest_id_and_unfound_labels_have_no_match(
    tmp_path: Path,
) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "actor_id,actor_type,network_label\nc1,account,C\nc2,account,C\nd1,account,D\no,account,\n"
    )
    runner = fake_runner(
        networks=[
            {"id": 10, "flagged": False, "score": None, "members": 1},
            {"id": 9, "flagged": False, "score": None, "members": 1},
        ],
        membership={"account:c1": [10], "account:c2": [9], "account:d1": [], "account:o": []},
    )
    c, d = evaluate(runner, truth, run_id="run-1").planted
    assert (c.network_id, c.overlap, c.flagged) == (9, 1, False)  # numeric, not text, order
    assert d.to_dict()["network_id"] is None
    assert (d.overlap, d.precision, d.recall, d.jaccard, d.flagged) == (0, 0.0, 0.0, 0.0, False)


def test_decoy_report(truth_file: Path, tmp_path: Path) -> None:
    decoys = tmp_path / "decoys.csv"
    decoys.write_text(
        "actor_id,actor_type,decoy_label\n"
        "o2,account,media_group\no3,page,media_group\n"
        "o1,account,fan_club\nd9,account,fan_club\n"
    )
    result = evaluate(fake_runner(), truth_file, run_id="run-1", decoys=decoys)
    fan, media = (d.to_dict() for d in result.decoys)
    assert fan == {
        "label": "fan_club",
        "size": 2,
        "accounts": 2,
        "pages": 0,
        "in_flagged": 1,
        "flagged": True,
        "networks": [{"id": "n1", "flagged": True, "members": 1}],
    }
    assert media["in_flagged"] == 0 and media["flagged"] is False
    assert media["networks"] == [{"id": "n3", "flagged": False, "members": 1}]
    assert (media["accounts"], media["pages"]) == (1, 1)
    # Decoys are organic in truth: they do not change the actor-level metrics.
    assert (result.tp, result.fp, result.fn, result.tn) == (4, 1, 2, 3)


def test_decoy_with_a_planted_label_is_refused(truth_file: Path, tmp_path: Path) -> None:
    decoys = tmp_path / "decoys.csv"
    decoys.write_text("actor_id,actor_type,decoy_label\na1,account,media\n")
    runner = fake_runner()
    with pytest.raises(DecoyConflict, match=r"account:a1 \(media vs A\)"):
        evaluate(runner, truth_file, run_id="run-1", decoys=decoys)
    assert runner.calls == []  # files are checked before the database is asked anything


def test_json_document_has_the_stable_keys(truth_file: Path) -> None:
    data = evaluate(fake_runner(), truth_file, run_id="run-1").to_dict()
    assert list(data)[:14] == [
        "run_id",
        "precision",
        "recall",
        "f1",
        "ari",
        "tp",
        "fp",
        "fn",
        "tn",
        "networks",
        "flagged_networks",
        "planted",
        "decoys",
        "unmatched_flagged_actors",
    ]
    assert data["run_id"] == "run-1"
    assert data["decoys"] == []
    json.dumps(data)  # plain values only


def test_queries_sent_and_membership_batches(
    truth_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ev, "MEMBERSHIP_BATCH", 4)
    runner = fake_runner()
    evaluate(runner, truth_file, run_id="run-1")
    assert all(c.mode == "read" for c in runner.calls)
    batches = [c.params for c in runner.calls if c.query == ev.MEMBERSHIP_QUERY]
    assert [len(p["keys"]) for p in batches] == [4, 4, 2]
    assert {p["run_id"] for p in batches} == {"run-1"}
    assert batches[0]["keys"][:2] == ["account:a1", "account:a2"]


def test_actor_in_two_networks_of_one_run_is_an_error(truth_file: Path) -> None:
    runner = fake_runner(membership={**MEMBERSHIP, "account:a1": ["n1", "n3"]})
    with pytest.raises(RunInconsistent, match="account:a1 is a member of 2 networks"):
        evaluate(runner, truth_file, run_id="run-1")


def test_no_truth_actor_in_the_graph_is_an_error(truth_file: Path) -> None:
    with pytest.raises(TruthNotInGraph, match="none of the 10 actors") as caught:
        evaluate(fake_runner(membership={}), truth_file, run_id="run-1")
    assert caught.value.hint and "--database" in caught.value.hint


# --- run selection ------------------------------------------------------------------


def test_default_run_is_the_newest_complete_one(truth_file: Path) -> None:
    latest = {**COMPLETE, "id": "run-9"}
    runner = RecordingRunner(
        answers={
            runs.LATEST_RUN: [{"props": latest}],
            ev.NETWORKS_QUERY: NETWORKS,
            ev.MEMBERSHIP_QUERY: _membership(MEMBERSHIP),
        }
    )
    result = evaluate(runner, truth_file)
    assert result.run_id == "run-9"
    assert runner.calls[0].query == runs.LATEST_RUN
    assert "status = 'complete'" in runs.LATEST_RUN
    assert {c.params.get("run_id") for c in runner.calls[1:]} == {"run-9"}


@pytest.mark.parametrize(
    ("status", "words"), [("failed", "is failed"), ("running", "still running")]
)
def test_failed_or_running_runs_are_refused(truth_file: Path, status: str, words: str) -> None:
    runner = fake_runner(run={**COMPLETE, "status": status})
    with pytest.raises(RunNotReady, match=words) as caught:
        evaluate(runner, truth_file, run_id="run-1")
    assert caught.value.hint
    assert [c.query for c in runner.calls] == [runs.RUN_BY_ID]  # nothing else was read


def test_unknown_run_is_refused(truth_file: Path) -> None:
    runner = RecordingRunner(answers={runs.RUN_BY_ID: []})
    with pytest.raises(RunNotFound, match="'nope'"):
        evaluate(runner, truth_file, run_id="nope")


def test_no_complete_run_names_what_exists(truth_file: Path) -> None:
    runner = RecordingRunner(
        answers={
            runs.LATEST_RUN: [],
            runs.RUN_STATUS_COUNTS: [
                {"status": "failed", "runs": 2},
                {"status": "running", "runs": 1},
            ],
        }
    )
    with pytest.raises(NoCompleteRun, match=r"found: 2 failed, 1 running"):
        evaluate(runner, truth_file)


# --- truth and decoys files ---------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "truth.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_truth_file_reads_labels_and_organic(truth_file: Path) -> None:
    labels = read_truth(truth_file)
    assert len(labels.actors) == 10
    assert labels.actors[3].key == "page:p1"
    assert list(labels.groups()) == ["A", "B"]
    assert [a.label for a in labels.actors[6:]] == ["", "", "", ""]


def test_truth_file_missing_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "actor_id,network_label\na1,A\n")
    with pytest.raises(MissingColumns, match=r"lacks required column.*actor_type") as caught:
        read_truth(path)
    assert caught.value.hint and "actor_id, actor_type, network_label" in caught.value.hint


def test_truth_file_network_label_column_is_optional(tmp_path: Path) -> None:
    labels = read_truth(_write(tmp_path, "actor_id,actor_type\na1,account\n"))
    assert labels.actors[0].label == ""


def test_truth_file_bad_actor_type_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "actor_id,actor_type,network_label\na1,account,A\na2,bot,A\n")
    with pytest.raises(InvalidRows, match=r"line 3 \(actor_type\): 'bot' is not one of"):
        read_truth(path)


def test_truth_file_duplicate_actor(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "actor_id,actor_type,network_label\na1,account,A\nx,page,\na1,account,B\n",
    )
    with pytest.raises(
        InvalidRows, match=r"line 4: duplicate actor account:a1 \(first on line 2\)"
    ):
        read_truth(path)


def test_same_id_as_account_and_page_is_two_actors(tmp_path: Path) -> None:
    labels = read_truth(
        _write(tmp_path, "actor_id,actor_type,network_label\n7,account,A\n7,page,A\n")
    )
    assert [a.key for a in labels.actors] == ["account:7", "page:7"]


def test_truth_file_reports_every_bad_row_up_to_a_limit(tmp_path: Path) -> None:
    rows = "".join(f"a{i},robot,\n" for i in range(15))
    path = _write(tmp_path, "actor_id,actor_type,network_label\n" + rows + "z,page,a,extra\n")
    with pytest.raises(InvalidRows) as caught:
        read_truth(path)
    assert len(caught.value.problems) == 16
    assert "16 invalid row(s)" in caught.value.message
    assert "... and 6 more" in caught.value.message
    assert caught.value.problems[-1] == "line 17: expected 3 columns, found 4"


def test_truth_file_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "truth.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(TRUTH_CSV)
    labels = read_truth(path)
    assert len(labels.actors) == 10


def test_truth_file_not_gzip_despite_its_name(tmp_path: Path) -> None:
    path = _write(tmp_path, TRUTH_CSV, name="truth.csv.gz")
    with pytest.raises(TruthFileError, match="cannot read"):
        read_truth(path)


def test_truth_file_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(TruthFileError, match="no such file"):
        read_truth(tmp_path / "nope.csv")
    with pytest.raises(TruthFileError, match="empty file"):
        read_truth(_write(tmp_path, ""))
    with pytest.raises(TruthFileError, match="lists no actors"):
        read_truth(_write(tmp_path, "actor_id,actor_type,network_label\n"))


def test_truth_file_jsonl(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '{"actor_id": "a1", "actor_type": "account", "network_label": "A"}\n'
        '{"actor_id": "p1", "actor_type": "PAGE"}\n',
        name="truth.jsonl",
    )
    labels = read_truth(path)
    assert [(a.key, a.label) for a in labels.actors] == [("account:a1", "A"), ("page:p1", "")]


def test_decoys_file_needs_a_label(tmp_path: Path) -> None:
    path = _write(tmp_path, "actor_id,actor_type,decoy_label\nm1,account,\n", name="decoys.csv")
    with pytest.raises(InvalidRows, match=r"line 2 \(decoy_label\): missing required value"):
        read_decoys(path)
    wrong = _write(tmp_path, "actor_id,actor_type,network_label\nm1,account,x\n", name="d.csv")
    with pytest.raises(MissingColumns, match="decoy_label"):
        read_decoys(wrong)


# --- the command --------------------------------------------------------------------

cli = CliRunner()


@pytest.fixture()
def fake_db(monkeypatch: pytest.MonkeyPatch) -> RecordingRunner:
    fake = fake_runner()

    @contextmanager
    def opened(_settings: object) -> Iterator[RecordingRunner]:
        yield fake

    monkeypatch.setattr("cibgraph.cli.common.resolve_settings", lambda *a, **k: object())
    monkeypatch.setattr("cibgraph.cli.common.open_database", opened)
    return fake


def test_cli_json(fake_db: RecordingRunner, truth_file: Path) -> None:
    result = cli.invoke(app, ["evaluate", "--truth", str(truth_file), "--run", "run-1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["tp"], data["fp"], data["fn"], data["tn"]) == (4, 1, 2, 3)
    assert data["ari"] == pytest.approx(124 / 889)


def test_cli_tables(fake_db: RecordingRunner, truth_file: Path, tmp_path: Path) -> None:
    decoys = _write(tmp_path, "actor_id,actor_type,decoy_label\no1,account,fan_club\n", "d.csv")
    result = cli.invoke(
        app, ["evaluate", "--truth", str(truth_file), "--decoys", str(decoys), "--run", "run-1"]
    )
    assert result.exit_code == 0, result.output
    for text in ("Evaluation of run run-1", "precision", "0.800", "Planted networks", "fan_club"):
        assert text in result.stdout


def test_cli_refuses_a_failed_run_with_a_hint(fake_db: RecordingRunner, truth_file: Path) -> None:
    fake_db.answers[runs.RUN_BY_ID] = [{"props": {**COMPLETE, "status": "failed"}}]
    result = cli.invoke(app, ["evaluate", "--truth", str(truth_file), "--run", "run-1"])
    assert result.exit_code == 2
    assert "Error:" in result.stderr and "is failed" in result.stderr
    assert "Hint:" in result.stderr
    assert result.stdout == ""


def test_cli_checks_the_truth_file_before_connecting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> object:
        raise ConnectionFailed("no server in this test")

    monkeypatch.setattr("cibgraph.cli.common.resolve_settings", unreachable)
    bad = _write(tmp_path, "actor_id,actor_type\na1,bot\n")
    result = cli.invoke(app, ["evaluate", "--truth", str(bad)])
    assert result.exit_code == 2
    assert "line 2 (actor_type)" in result.stderr
    assert "no server" not in result.stderr
