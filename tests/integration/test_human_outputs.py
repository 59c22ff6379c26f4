"""What a person reads after `cib detect`: suggestions that work, short network ids,
tables that fit 80 columns, evidence with names and dates, unknown said as unknown.

Issue 19, items 6-10 and 12, on the real scenario through the real CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cibgraph.cli import common
from cibgraph.cli.main import app
from cibgraph.cli.next_steps import after_detection, next_line
from cibgraph.graph.connection import Database
from cibgraph.graph.runs import resolve_run
from tests.conftest import DetectedScenario

pytestmark = pytest.mark.integration


def cib(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture()
def narrow() -> Iterator[None]:
    """An 80-column terminal: what tables must fit without cutting ids."""
    saved = common.out.width
    common.out.width = 80
    try:
        yield
    finally:
        common.out.width = saved


@pytest.fixture()
def wide() -> Iterator[None]:
    """A terminal wide enough that no table cell wraps (to read names whole)."""
    saved = common.out.width
    common.out.width = 1000
    try:
        yield
    finally:
        common.out.width = saved


def test_every_next_suggestion_runs(
    detected_scenario: DetectedScenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `cib report --out report/` writes here
    steps = after_detection(detected_scenario.result)
    assert [s[:2] for s in steps] == [["cib", "explain"], ["cib", "networks"], ["cib", "report"]]
    assert next_line(steps).startswith("Next: cib explain ")
    for step in steps:
        code, output = cib(*step[1:])
        assert code == 0, (step, output)
        assert "No network" not in output
    assert (tmp_path / "report" / "report.html").is_file()


def test_detect_prints_the_suggestions_it_tests(
    detected_scenario: DetectedScenario,
) -> None:
    # `cib detect` and `cib demo run` print exactly next_line(after_detection(...)).
    for module in ("detect", "demo_run"):
        source = (Path(__file__).parents[2] / "cli" / f"{module}.py").read_text()
        assert "next_line(after_detection(result))" in source
        assert "Next: " not in source.replace('"Next: "', "")


def test_short_network_ids_work_wherever_an_id_is_taken(
    db: Database, detected_scenario: DetectedScenario
) -> None:
    # A short id names a network of the newest complete run: on the scenario's data,
    # which an earlier test may have detected again with other parameters.
    run = resolve_run(db).id
    full = f"{run}:n0001"
    for ref in ("n0001", "n1", f"{run}:n0001", f"{run}:n1", "latest:n0001"):
        code, output = cib("networks", "show", ref)
        assert code == 0, (ref, output)
        assert full in output
        code, output = cib("explain", ref)
        assert code == 0 and full in output, (ref, output)
    code, output = cib("explain", "n9999")
    assert code == 2 and f"No network n9999 ({run}:n9999)" in " ".join(output.split())


@pytest.mark.usefixtures("detected_scenario")
def test_an_actor_id_for_a_network_hints_at_actor_keys(db: Database) -> None:
    rows = db.read("MATCH (a:Account) RETURN a.id AS id, a.key AS key ORDER BY a.key LIMIT 1")
    (row,) = rows
    code, output = cib("explain", row["id"])
    flat = " ".join(output.split())
    assert code == 2 and f"it is the {row['key']}, an actor" in flat
    assert f"cib explain {row['key']} OTHER_KEY" in flat
    code, output = cib("explain", "fb_123_not_there")
    flat = " ".join(output.split())
    assert code == 2 and "'account:ID' or 'page:ID'" in flat and "n0001" in flat


def test_tables_fit_80_columns_with_whole_ids(
    detected_scenario: DetectedScenario, narrow: None
) -> None:
    run = detected_scenario.run_id
    for args in (("networks", "list"), ("runs", "list"), ("networks", "show", "n0001")):
        code, output = cib(*args)
        assert code == 0, output
        too_wide = [line for line in output.splitlines() if len(line) > 80]
        assert too_wide == [], (args, too_wide)
        assert "run-…" not in output and "…:" not in output
    _, listing = cib("runs", "list")
    assert run in listing  # whole, on one line
    _, networks = cib("networks", "list")
    assert re.search(r"\bn0001\b", networks)


def test_networks_show_says_how_many_members_it_leaves_out(
    detected_scenario: DetectedScenario,
) -> None:
    big = max(detected_scenario.result.networks, key=lambda n: len(n.members))
    roles: dict[str, int] = {}
    for role in big.roles.values():
        roles[role] = roles.get(role, 0) + 1
    role, count = max(roles.items(), key=lambda item: item[1])
    assert count > 25, "the scenario's biggest network has more than 25 members of one role"
    code, output = cib("networks", "show", big.id)
    assert code == 0
    assert f"… and {count - 25:,} more {role}s (--all, --json)" in output
    code, everything = cib("networks", "show", big.id, "--all")
    assert code == 0 and "more " + role + "s (--all" not in everything


def test_explain_reads_as_text_not_data(
    detected_scenario: DetectedScenario, db: Database, wide: None
) -> None:
    flagged = detected_scenario.result.flagged[0]
    code, output = cib("explain", flagged.id)
    assert code == 0, output
    assert "{" not in output and "}" not in output, "no JSON blobs"
    assert "cue_" not in output and "signal_" not in output, "no duplicated keys"
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{9}", output), "no nanosecond timestamps"
    assert "MATCH" not in output, "Cypher only with --cypher"
    code, with_cypher = cib("explain", flagged.id, "--cypher")
    assert code == 0 and "MATCH" in with_cypher
    # Names beside keys: every actor key in the evidence that has a handle or name.
    names = db.read(
        "MATCH (a:Actor)-[:MEMBER_OF]->(:Network {id: $id}) "
        "WHERE a.handle IS NOT NULL OR a.name IS NOT NULL "
        "RETURN a.key AS key, CASE WHEN a:Account AND a.handle IS NOT NULL "
        "THEN '@' + a.handle ELSE a.name END AS name",
        {"id": flagged.id},
    )
    by_key = {r["key"]: r["name"] for r in names}
    shown = re.findall(r"((?:account|page):[^\s,()│]+) \(([^)]*)\)", output)
    assert shown, "evidence shows keys with names"
    for key, name in shown:
        if key in by_key:
            assert name == by_key[key]


def test_unknown_followers_and_spend_are_said_unknown(db: Database) -> None:
    # A network of two accounts with no follower counts and no ads.
    db.write(
        "MERGE (r:DetectionRun {id: 'run-unknowns'}) SET r.status = 'failed' "
        "MERGE (n:Network {id: 'run-unknowns:n0001'}) "
        "SET n.run_id = 'run-unknowns', n.score = 0.1, n.followers_total = 0, "
        "n.ad_spend = '{}', n.ad_spend_usd = 0.0, n.signals = '{}', n.cues = '{}', "
        "n.first_activity = datetime('2019-02-14T09:31:07.123456789Z') "
        "MERGE (a:Actor:Account {key: 'account:unk1', id: 'unk1'}) "
        "MERGE (a)-[:MEMBER_OF {role: 'account'}]->(n)"
    )
    try:
        code, output = cib("networks", "show", "run-unknowns:n0001")
        flat = " ".join(output.split())
        assert code == 0, output
        assert "followers unknown" in flat and "followers 0" not in flat
        assert "ad spend: none in the data" in flat and "USD 0" not in flat
        assert "2019-02-14 09:31 UTC" in flat and ".123456789" not in flat
    finally:
        db.write(
            "MATCH (x) WHERE x.id IN ['run-unknowns', 'run-unknowns:n0001'] "
            "OR x.key = 'account:unk1' DETACH DELETE x"
        )
