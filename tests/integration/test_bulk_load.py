"""`cib load --bulk` gives the same graph as an incremental load of the same files.

The bulk path stops and starts the server, so this module never touches the shared
test server: it installs a throwaway instance (own CIBGRAPH_HOME in a temp folder,
own free ports, the cached server build) and removes it afterwards.

A contract posts file goes to the importer by columns (loaders/columnar/columns_load.py);
the last test holds that path to an incremental load of the same files, repeats, a bad
row and a forward share included (tests/unit/test_column_bulk.py holds its importer
input to the bulk record path's on the fuzz corpus).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.graph.connection import Database, open_database
from cibgraph.graph.server import process
from cibgraph.graph.server.install import ensure_build
from cibgraph.graph.server.instance import init_instance
from cibgraph.graph.server.paths import InstancePaths
from cibgraph.graph.settings import resolve_settings
from cibgraph.loaders.bulk import DatabaseNotEmpty, bulk_load
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.scenario.generate import generate
from tests.conftest import DATASETS, REPO
from tests.markers import slow

pytestmark = pytest.mark.integration

CONTRACT = REPO / "tests" / "data" / "contract"
RUSSIAN = DATASETS / "coortweet" / "russian_coord_tweets.csv.gz"


def _free_ports(first: int, count: int) -> list[int]:
    ports = [p for p in range(first, first + 200) if process.port_free(p)]
    if len(ports) < count:
        pytest.fail(f"no {count} free ports from {first}")
    return ports[:count]


@pytest.fixture(scope="module")
def bulk_instance(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[InstancePaths, Database]]:
    """A throwaway server of its own (never the shared test server), torn down after."""
    root = tmp_path_factory.mktemp("bulk-instance")
    bolt = _free_ports(7691, 1)[0]
    http = next(p for p in _free_ports(7478, 2) if p != bolt)
    saved = {k: os.environ.get(k) for k in ("CIBGRAPH_HOME", "NEO4J_URI", "NEO4J_PASSWORD")}
    os.environ["CIBGRAPH_HOME"] = str(root)
    for key in ("NEO4J_URI", "NEO4J_PASSWORD"):
        os.environ.pop(key, None)
    paths = InstancePaths(root)
    try:
        init_instance(paths, ensure_build().paths, bolt, http, "1g", "512m")
        process.start(paths, timeout=300)
        with open_database(resolve_settings()) as db:
            yield paths, db
    finally:
        process.stop(paths)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


def _empty(db: Database) -> None:
    db.auto("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


def _key(labels: list[str], ident: Any) -> str:
    return f"{':'.join(sorted(labels))}/{ident}"


def _ident(props: dict[str, Any]) -> Any:
    return props.get("id", props.get("url", props.get("tag")))


def _canonical(props: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    # repr keeps the value's type and time zone, so a datetime stored with a named
    # zone differs from one stored with an offset.
    return tuple(sorted((k, repr(v)) for k, v in props.items()))


def graph_dump(db: Database) -> tuple[list[Any], list[Any]]:
    """Every evidence node and relationship with labels and properties, ledger excluded."""
    nodes = db.read(
        "MATCH (n) WHERE NOT n:LoadRun AND NOT n:LoadFile "
        "RETURN labels(n) AS labels, properties(n) AS props"
    )
    # An end is named by its identifying property alone: sending both ends' properties
    # with every relationship made a dump of a small scenario take 48 s.
    rels = db.read(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'READ' "
        "RETURN type(r) AS type, labels(a) AS la, coalesce(a.id, a.url, a.tag) AS ia, "
        "labels(b) AS lb, coalesce(b.id, b.url, b.tag) AS ib, properties(r) AS props"
    )
    node_rows = sorted(
        (_key(n["labels"], _ident(n["props"])), _canonical(n["props"])) for n in nodes
    )
    rel_rows = sorted(
        (r["type"], _key(r["la"], r["ia"]), _key(r["lb"], r["ib"]), _canonical(r["props"]))
        for r in rels
    )
    return node_rows, rel_rows


def _totals(ledger: dict[str, Any]) -> dict[str, int]:
    return {k: ledger["totals"][k] for k in ("read", "written", "rejected")}


def _both_ways(
    db: Database, paths: InstancePaths, tmp: Path, sources: list[Path], fmt: str = "contract"
) -> tuple[Any, Any, dict[str, Any], dict[str, Any]]:
    plan = plan_load(sources, fmt=fmt)
    _empty(db)
    incremental = load(db, plan, LoadOptions(rejects_dir=tmp / "incremental"))
    expected = graph_dump(db)
    _empty(db)
    result = bulk_load(db, plan, LoadOptions(rejects_dir=tmp / "bulk"), paths=paths)
    return expected, graph_dump(db), incremental.to_dict(), result.ledger.to_dict()


def _contract_with_surprises(folder: Path) -> Path:
    """The contract files plus a bad row, a repeated account and a re-posted post."""
    shutil.copytree(CONTRACT, folder)
    with (folder / "accounts.csv").open("a") as handle:
        handle.write("a1006,facebook,bad.row,Bad Row,2019-01-01T00:00:00Z,many,IN,false\n")
        handle.write("a1002,facebook,patriot_voice_renamed,,,,,\n")
    with (folder / "posts.jsonl").open("a") as handle:
        repost = {
            "post_id": "p9002",
            "author_id": "a1005",
            "author_type": "account",
            "created_at": "2019-02-14T09:40:00+00:00",
            "text": "Changed text, changed link, changed author",
            "url": "https://other-example.in/x",
        }
        handle.write(json.dumps(repost) + "\n")
    return folder


def test_contract_bulk_equals_incremental(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    paths, db = bulk_instance
    folder = _contract_with_surprises(tmp_path / "contract")
    expected, actual, inc, bulk = _both_ways(db, paths, tmp_path, [folder])
    assert actual == expected
    assert len(actual[0]) > 20 and len(actual[1]) > 20
    # followers "many" is a bad optional value: the row is kept without it, with a
    # warning in the rejects file (issue 19), the same both ways.
    assert _totals(bulk) == _totals(inc) and bulk["totals"]["rejected"] == 0
    assert bulk["reconciles"] and bulk["status"] == "complete"
    rejects = Path(bulk["files"][1]["rejects_path"]).read_text()
    assert "many" in rejects and "followers" in rejects
    run = db.read(
        "MATCH (r:LoadRun {id: $id})-[:READ]->(f:LoadFile) RETURN r.mode AS mode, "
        "r.status AS status, sum(f.read) AS read, sum(f.written) AS written, "
        "sum(f.rejected) AS rejected",
        {"id": bulk["id"]},
    )
    assert run == [{"mode": "bulk", "status": "complete", **_totals(bulk)}]


@slow
def test_scenario_bulk_equals_incremental(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    paths, db = bulk_instance
    folder = tmp_path / "scenario"
    generate(folder, scale=0.1, seed=5)
    expected, actual, inc, bulk = _both_ways(db, paths, tmp_path, [folder])
    counts = {"nodes": len(actual[0]), "relationships": len(actual[1])}
    assert counts == {"nodes": len(expected[0]), "relationships": len(expected[1])}
    assert counts["nodes"] > 10_000
    assert actual == expected
    assert _totals(bulk) == _totals(inc) and bulk["reconciles"]


@slow
def test_coortweet_shares_bulk_equals_incremental(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    """Several rows of one post add up (shares_by_account): the replay path."""
    paths, db = bulk_instance
    source = tmp_path / "shares.csv"
    with gzip.open(RUSSIAN, "rt") as handle:
        lines = [next(handle) for _ in range(3001)]
    source.write_text("".join(lines) + lines[5] + lines[9])  # two exact repeats
    expected, actual, inc, bulk = _both_ways(db, paths, tmp_path, [source], fmt="coortweet")
    assert actual == expected
    assert _totals(bulk) == _totals(inc) and bulk["reconciles"]


def test_bulk_refuses_a_database_that_is_not_empty(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    paths, db = bulk_instance
    _empty(db)
    db.write("CREATE (:Account:Actor {id: 'keep-me', key: 'account:keep-me'})")
    with pytest.raises(DatabaseNotEmpty) as raised:
        bulk_load(db, plan_load([CONTRACT]), LoadOptions(rejects_dir=tmp_path), paths=paths)
    assert "1 nodes" in raised.value.message and "cib db reset" in (raised.value.hint or "")
    assert process.running_pid(paths) is not None
    assert db.read("MATCH (n) RETURN count(n) AS n") == [{"n": 1}]
    result = CliRunner().invoke(app, ["load", str(CONTRACT), "--bulk", "--quiet"])
    assert result.exit_code == 2 and "empty database" in result.output


# ---------------------------------------------------------------------------------------
# Posts by columns

# What an incremental and a bulk load count alike.
TOTALS = ("status", "read", "written", "rejected", "warnings")


def _columns_bulk(
    db: Database, paths: InstancePaths, sources: list[Path], tmp: Path
) -> tuple[Any, ...]:
    _empty(db)
    result = bulk_load(
        db,
        plan_load(sources),
        LoadOptions(batch_size=500, rejects_dir=tmp),
        paths=paths,
        keep_files=True,
    )
    assert result.folder is not None
    by_arrow = result.folder / "Post.columns.csv"
    posts = len(by_arrow.read_text().splitlines()) - 1
    assert posts > 1_000, posts
    shutil.rmtree(result.folder)
    return _outcome(db, result.ledger), result.replayed


def _incremental(db: Database, sources: list[Path], tmp: Path) -> tuple[Any, ...]:
    _empty(db)
    # The reference load in its default batches: the graph must not depend on them.
    ledger = load(db, plan_load(sources), LoadOptions(rejects_dir=tmp))
    return _outcome(db, ledger)


def _outcome(db: Database, ledger: Any) -> tuple[Any, ...]:
    files = [{k: getattr(f, k) for k in TOTALS} for f in ledger.files]
    rejects = [Path(f.rejects_path).read_text() if f.rejects_path else "" for f in ledger.files]
    return graph_dump(db), files, rejects, ledger.status


def test_a_scenario_with_repeats_is_the_same_graph_both_ways(
    bulk_instance: tuple[InstancePaths, Database], tmp_path: Path
) -> None:
    paths, db = bulk_instance
    folder = tmp_path / "scenario"
    generate(folder, scale=0.02, seed=5)
    lines = (folder / "posts.csv").read_text().splitlines(keepends=True)
    # A post again (last row wins, field by field), a bad row, one sharing a later post.
    extra = tmp_path / "more" / "posts.csv"
    extra.parent.mkdir()
    extra.write_text(
        lines[0]
        + lines[3].replace(",account,", ",page,", 1)
        + "p-new-1,a-new,account,not a time,x,,,\n"
        + "p-new-2,a-new,account,2024-01-01T00:00:00Z,four words in here,,tag,p-new-3\n"
        + "p-new-3,a-new,account,2024-01-01T00:00:01Z,,https://EX.example/a/?utm_x=1,,\n"
        + lines[5]
    )
    sources = [folder, extra]
    expected = _incremental(db, sources, tmp_path / "incremental")
    by_columns, replayed = _columns_bulk(db, paths, sources, tmp_path / "columns")
    nodes, rels = by_columns[0]
    assert len(nodes) > 2_000 and len(rels) > 2_000
    assert by_columns[0] == expected[0]
    assert by_columns[1:] == expected[1:]
    assert by_columns[3] == "complete" and replayed > 0  # the repeats were replayed
