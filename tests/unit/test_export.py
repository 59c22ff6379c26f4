"""Exports without a server: a hand-made run answered by a recording runner, written in
every format, read back, and checked cell by cell where attackers write the text."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from cibgraph.core.errors import OutputExists, RunNotReady, UnsafeOutputPath, UsageError
from cibgraph.graph.exports.bundle import read_bundle
from cibgraph.graph.exports.export import FORMATS, export_run
from cibgraph.graph.exports.graph_export import GEXF_NS, GEXF_VIZ_NS, xml_text
from cibgraph.graph.exports.output import OutputDir
from tests.fakes import RecordingRunner

RUN = "run-20190401T093000Z-abcdef"
N1, N2 = f"{RUN}:n0001", f"{RUN}:n0002"
FORMULA = '=HYPERLINK("http://x")'
# Names an attacker controls: spreadsheet formulas, markup, mathtext, XML-illegal bytes.
MEMBERS: list[dict[str, Any]] = [
    {"network": N1, "key": "page:p1", "id": "p1", "is_page": True, "role": "page", "name": FORMULA},
    {
        "network": N1,
        "key": "account:a1",
        "id": "a1",
        "is_page": False,
        "role": "admin",
        "name": "+SUM(A1:A9)",
        "handle": "@evil",
    },
    {
        "network": N1,
        "key": "account:a2",
        "id": "a2",
        "is_page": False,
        "role": "account",
        "name": "bad\x00name\x1b",
        "handle": "-2+3",
    },
    {
        "network": N1,
        "key": "account:a3",
        "id": "a3",
        "is_page": False,
        "role": "account",
        "name": "<script>alert(1)</script> $\\frac{1}{2}$",
        "handle": "\tcmd",
    },
    {"network": N2, "key": "account:b1", "id": "b1", "is_page": False, "role": "account"},
    {"network": N2, "key": "account:b2", "id": "b2", "is_page": False, "role": "account"},
]
NETWORK_OF = {m["key"]: m["network"] for m in MEMBERS}


def _edge(a: str, b: str, weight: float, co: float, admin: float = 0.0) -> dict[str, Any]:
    return {
        "source": a,
        "target": b,
        "source_network": NETWORK_OF[a],
        "target_network": NETWORK_OF[b],
        "props": {
            "weight": weight,
            "co_share": co,
            "shared_admin": admin,
            "shared_identifier": round(weight - co - admin, 4),
            "co_share_objects": 3,
            "shared_admins": 1 if admin else 0,
            "shared_identifiers": 0,
            "urls": 2,
            "reshares": 1,
            "texts": 0,
            "min_gap": 12,
            "run_id": RUN,
            "sample_objects": ["url:https://news.example/a", "text:=1+1"],
        },
    }


EDGES = [
    _edge("account:a1", "account:a2", 2.5, 1.5, 1.0),
    _edge("account:a1", "account:a3", 1.0, 1.0),
    _edge("account:a2", "page:p1", 1.2, 0.2, 1.0),
    _edge("account:b1", "account:b2", 0.5, 0.5),
    _edge("account:a3", "account:b1", 0.7, 0.7),  # between the two networks
]
ATTRIBUTION = [
    {
        "network": N1,
        "org_id": "org1",
        "name": "@Org | *bold*",
        "kind": "it_cell",
        "country": "IN",
        "share": 0.5,
        "members": 2,
        "direct": 1,
        "sources": ["leak"],
        "disclosed": False,
    }
]


def _network(nid: str, rank: int, flagged: bool, score: float) -> dict[str, Any]:
    return {
        "props": {
            "id": nid,
            "run_id": RUN,
            "rank": rank,
            "size": 4 if rank == 1 else 2,
            "accounts": 3 if rank == 1 else 2,
            "pages": 1 if rank == 1 else 0,
            "admins": 1 if rank == 1 else 0,
            "followers_total": 206412,
            "ad_spend_usd": 39000.0,
            "ad_spend": json.dumps({"INR": 2730000.0}),
            "first_activity": datetime(2014, 3, 2, tzinfo=UTC),
            "last_activity": datetime(2019, 3, 30, tzinfo=UTC),
            "score": score,
            "coordination_score": 0.9,
            "inauthenticity_score": score / 0.9,
            "disclosed_share": 0.0,
            "flagged": flagged,
            "tier": "coordinated_inauthentic" if flagged else "weak",
            "coverage": 0.88,
            "metadata_coverage": 0.85,
            "unknown_cues": ["identifier_reuse"],
            "signals": json.dumps(
                {
                    "coordination": {"co_share": 0.7, "shared_admin": 0.3, "shared_identifier": 0},
                    "inauthenticity": {"burst_created": 0.2, "low_followers": 0.1},
                }
            ),
            "cues": json.dumps({"burst_created": 0.8, "low_followers": 0.5}),
            "top_organization": "@Org | *bold*" if flagged else None,
            "top_organization_share": 0.5 if flagged else 0.0,
        }
    }


NETWORKS = [_network(N1, 1, True, 0.52), _network(N2, 2, False, 0.05)]


def run_props(status: str = "complete") -> dict[str, Any]:
    return {
        "id": RUN,
        "status": status,
        "started_at": datetime(2019, 4, 1, 9, 30, tzinfo=UTC),
        "finished_at": datetime(2019, 4, 1, 9, 31, tzinfo=UTC),
        "algorithm": "leiden",
        "window": 72,
        "window_source": "auto",
        "seed": 42,
        "concurrency": 1,
        "threshold": 0.2,
        "data_fingerprint": "e584c4af9fcc5180",
        "gds_version": "2.13.9",
        "networks": 2,
        "flagged": 1,
        "params": json.dumps({"window": 72, "min_weight": 2, "algorithm": "leiden", "seed": 42}),
        "timings": "{}",
        "counts": "{}",
    }


def _flagged(rows: list[dict[str, Any]], network_of: Any) -> Any:
    flagged = {n["props"]["id"] for n in NETWORKS if n["props"]["flagged"]}

    def answer(params: dict[str, Any]) -> list[dict[str, Any]]:
        if not params.get("flagged_only"):
            return rows
        return [r for r in rows if all(n in flagged for n in network_of(r))]

    return answer


def fake_run(status: str = "complete", extra: dict[str, Any] | None = None) -> RecordingRunner:
    """A recording runner that answers the bundle's queries with the run above."""
    answers: dict[str, Any] = {
        "properties(r) AS props": [{"id": RUN, "status": status, "props": run_props(status)}],
        "properties(n) AS props": _flagged(NETWORKS, lambda r: [r["props"]["id"]]),
        "a:Page AS is_page": _flagged(MEMBERS, lambda r: [r["network"]]),
        "properties(e) AS props": _flagged(
            EDGES, lambda r: [r["source_network"], r["target_network"]]
        ),
        "org.id AS org_id": _flagged(ATTRIBUTION, lambda r: [r["network"]]),
    }
    answers.update(extra or {})
    return RecordingRunner(answers=answers)


# ---------------------------------------------------------------------------
# The bundle


def test_bundle_reads_the_run_once_and_adds_member_evidence() -> None:
    bundle = read_bundle(fake_run())
    assert bundle.counts() == {
        "networks": 2,
        "flagged": 1,
        "members": 6,
        "edges": 5,
        "attribution": 1,
    }
    a1 = next(m for m in bundle.members if m.key == "account:a1")
    # a1 touches a1-a2 (2.5) and a1-a3 (1.0), both inside n0001.
    assert (a1.degree, a1.strength) == (2, 3.5)
    assert a1.signals == {
        "co_share": 2.5,
        "slow_co_share": 0.0,
        "shared_admin": 1.0,
        "shared_identifier": 0.0,
        "co_hashtag": 0.0,
        "co_image": 0.0,
        "co_similar_text": 0.0,
    }
    a3 = next(m for m in bundle.members if m.key == "account:a3")
    assert a3.degree == 1, "the edge to the other network is not internal evidence"
    cross = [e for e in bundle.edges if e.network is None]
    assert [(e.source, e.target) for e in cross] == [("account:a3", "account:b1")]
    assert bundle.networks[0].ad_spend == {"INR": 2730000.0}
    assert bundle.networks[0].coordination["co_share"] == 0.7


def test_flagged_only_keeps_edges_between_flagged_members() -> None:
    bundle = read_bundle(fake_run(), flagged_only=True)
    assert bundle.counts()["networks"] == 1
    assert {m.network for m in bundle.members} == {N1}
    assert all(e.network == N1 for e in bundle.edges)


@pytest.mark.parametrize("status", ["running", "failed"])
def test_runs_that_are_not_complete_are_refused(status: str) -> None:
    with pytest.raises(RunNotReady, match=status):
        read_bundle(fake_run(status), RUN)


# ---------------------------------------------------------------------------
# The output folder


def test_output_names_must_be_plain_known_file_names(tmp_path: Path) -> None:
    out = OutputDir(tmp_path / "out")
    out.prepare()
    for bad in (
        "../escape.csv",
        "sub/x.csv",
        "X.csv",
        ".hidden.csv",
        "x.exe",
        "..csv",
        "/etc/x.csv",
    ):
        with pytest.raises(UnsafeOutputPath):
            out.path(bad)
    assert out.path("networks.csv") == (tmp_path / "out" / "networks.csv").resolve()


def test_a_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "networks.csv").symlink_to(outside)
    with pytest.raises(UnsafeOutputPath, match="outside"):
        OutputDir(folder, force=True).plan(["networks.csv"])
    assert outside.read_text() == "precious"


def test_existing_files_are_kept_without_force(tmp_path: Path) -> None:
    (tmp_path / "edges.csv").write_text("mine")
    with pytest.raises(OutputExists) as caught:
        export_run(fake_run(), "csv", tmp_path)
    assert "edges.csv" in caught.value.message and "--force" in (caught.value.hint or "")
    assert (tmp_path / "edges.csv").read_text() == "mine"
    assert not (tmp_path / "networks.csv").exists(), (
        "nothing is written when one file is in the way"
    )
    export_run(fake_run(), "csv", tmp_path, force=True)
    assert (tmp_path / "edges.csv").read_text() != "mine"
    assert not list(tmp_path.glob(".cib-*")), "no temporary files left behind"


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        export_run(fake_run(), "json", target)


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Unknown format"):
        export_run(fake_run(), "xlsx", tmp_path)


# ---------------------------------------------------------------------------
# Formats


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_round_trip_and_formula_cells_are_escaped(tmp_path: Path) -> None:
    result = export_run(fake_run(), "csv", tmp_path)
    assert sorted(p.name for p in result.files) == sorted(FORMATS["csv"][0])
    networks = _csv(tmp_path / "networks.csv")
    members = _csv(tmp_path / "members.csv")
    edges = _csv(tmp_path / "edges.csv")
    attribution = _csv(tmp_path / "attribution.csv")
    assert (len(networks), len(members), len(edges), len(attribution)) == (2, 6, 5, 1)
    by_key = {m["key"]: m for m in members}
    assert by_key["page:p1"]["name"] == "'" + FORMULA
    assert by_key["account:a1"]["name"] == "'+SUM(A1:A9)"
    assert by_key["account:a1"]["handle"] == "'@evil"
    assert by_key["account:a2"]["handle"] == "'-2+3"
    assert by_key["account:a3"]["handle"] == "'\tcmd"
    assert attribution[0]["name"] == "'@Org | *bold*"
    assert networks[0]["top_organization"] == "'@Org | *bold*"
    # Lists are JSON (starting with '['), so the formula inside cannot fire.
    assert json.loads(edges[0]["sample_objects"])[1] == "text:=1+1"
    assert by_key["account:a1"]["signal_shared_admin"] == "1.0"
    assert networks[0]["signal_co_share"] == "0.7"
    assert networks[0]["first_activity"].startswith("2014-03-02")


def test_json_round_trip(tmp_path: Path) -> None:
    export_run(fake_run(), "json", tmp_path)
    doc = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "cibgraph.export/1"
    assert doc["counts"] == {
        "networks": 2,
        "flagged": 1,
        "members": 6,
        "edges": 5,
        "attribution": 1,
    }
    assert [len(doc[k]) for k in ("networks", "members", "edges", "attribution")] == [2, 6, 5, 1]
    assert doc["members"][0]["name"] == FORMULA, "JSON keeps values exactly; only CSV escapes"
    assert doc["run"]["window"] == 72 and doc["run"]["params"]["min_weight"] == 2
    assert doc["edges"][0]["sample_objects"] == ["url:https://news.example/a", "text:=1+1"]


def test_graphml_reads_back_with_networkx(tmp_path: Path) -> None:
    export_run(fake_run(), "graphml", tmp_path)
    graph = nx.read_graphml(tmp_path / "network.graphml")
    assert not graph.is_directed()
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 5
    a1 = graph.nodes["account:a1"]
    assert (a1["type"], a1["role"], a1["network"]) == ("account", "admin", N1)
    assert a1["network_flagged"] is True and a1["signal_shared_admin"] == 1.0
    assert graph.nodes["account:a2"]["name"] == "bad\ufffdname\ufffd", "XML-illegal bytes replaced"
    edge = graph.edges["account:a1", "account:a2"]
    assert edge["weight"] == 2.5 and edge["shared_admin"] == 1.0 and edge["min_gap_seconds"] == 12
    assert "network" not in graph.edges["account:a3", "account:b1"]


def test_gexf_is_valid_1_3_and_reads_back_with_networkx(tmp_path: Path) -> None:
    export_run(fake_run(), "gexf", tmp_path)
    path = tmp_path / "network.gexf"
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.3"
    graph_element = root.find(f"{{{GEXF_NS}}}graph")
    assert graph_element is not None and graph_element.get("defaultedgetype") == "undirected"
    declared: dict[str, dict[str, str]] = {}
    for attributes in graph_element.findall(f"{{{GEXF_NS}}}attributes"):
        kind = attributes.get("class")
        assert kind in ("node", "edge") and attributes.get("mode") == "static"
        ids = {}
        for attribute in attributes.findall(f"{{{GEXF_NS}}}attribute"):
            assert attribute.get("type") in ("string", "long", "double", "boolean")
            ids[attribute.get("id") or ""] = attribute.get("title") or ""
        declared[kind or ""] = ids
    assert {"type", "role", "network", "network_score", "strength"} <= set(
        declared["node"].values()
    )
    assert {"weight", "co_share", "shared_admin", "shared_identifier"} <= set(
        declared["edge"].values()
    )
    for kind, tag in (("node", "nodes/{ns}node"), ("edge", "edges/{ns}edge")):
        elements = graph_element.findall(f"{{{GEXF_NS}}}" + tag.format(ns=f"{{{GEXF_NS}}}"))
        assert elements
        for element in elements:
            for value in element.iter(f"{{{GEXF_NS}}}attvalue"):
                assert value.get("for") in declared[kind], "every value refers to a declaration"
    colours = root.findall(f".//{{{GEXF_VIZ_NS}}}color")
    assert len(colours) == 6
    graph = nx.read_gexf(path, version="1.3")
    assert graph.number_of_nodes() == 6 and graph.number_of_edges() == 5
    assert graph.nodes["page:p1"]["label"] == FORMULA
    assert graph.nodes["account:a1"]["role"] == "admin"
    assert graph.edges["account:a1", "account:a2"]["weight"] == 2.5


def test_xml_text_replaces_only_what_xml_forbids() -> None:
    assert xml_text("ok\t\n\r é 😀") == "ok\t\n\r é 😀"
    assert xml_text("a\x00b\x0bc\ud800d\ufffe") == "a\ufffdb\ufffdc\ufffdd\ufffd"
