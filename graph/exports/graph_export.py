"""GraphML and GEXF export: the run's members as nodes, coordination edges with evidence.

One graph per file, undirected (coordination is symmetric; edges are stored a < b).
Nodes carry type, role, network and scores; edges carry the weight and each signal's
part of it, so Gephi can colour by network, size by strength and filter by signal.

Both files are written with ElementTree, not networkx: networkx writes GEXF only up to
1.2draft, and writing both ourselves keeps the attribute names, types and order the
same in the two formats. Namespaces are written as plain ``xmlns`` attributes so no
global ElementTree namespace registry is touched.

Graph data is attacker-controlled text: ElementTree escapes ``<&>"`` but happily writes
characters XML 1.0 forbids (NUL, most C0 controls, lone surrogates), which would make the
file unreadable; ``xml_text`` replaces them with U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cibgraph.graph.exports.bundle import (
    SIGNALS,
    EdgeRecord,
    MemberRecord,
    NetworkRecord,
    RunBundle,
)
from cibgraph.graph.exports.output import OutputDir
from cibgraph.graph.exports.progress import NoProgress, Progress
from cibgraph.graph.exports.values import plain

GRAPHML_FILE = "network.graphml"
GEXF_FILE = "network.gexf"

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_XSD = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
GEXF_XSD = "http://gexf.net/1.3/gexf.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# Colours shared with the report and the Browser style sheet.
TYPE_COLOURS = {"account": "#4C8EDA", "page": "#F79767", "admin": "#D62728"}

_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", value)


@dataclass(frozen=True)
class Attr:
    """One declared attribute: its name, its type and how to read it from a record."""

    name: str
    type: str  # string | long | double | boolean
    get: Callable[[Any], Any]


@dataclass(frozen=True)
class NodeView:
    member: MemberRecord
    network: NetworkRecord | None


def _label(m: MemberRecord) -> str:
    return m.name or m.handle or m.key


def _member_signal(name: str) -> Callable[[NodeView], float]:
    return lambda v: v.member.signals.get(name, 0.0)


def _edge_signal(name: str) -> Callable[[EdgeRecord], float]:
    return lambda e: e.signal(name)


NODE_ATTRS: tuple[Attr, ...] = (
    Attr("label", "string", lambda v: _label(v.member)),
    Attr("type", "string", lambda v: v.member.type),
    Attr("role", "string", lambda v: v.member.role),
    Attr("network", "string", lambda v: v.member.network),
    Attr("network_rank", "long", lambda v: v.network.rank if v.network else None),
    Attr("network_score", "double", lambda v: v.network.score if v.network else None),
    Attr("network_tier", "string", lambda v: v.network.tier if v.network else None),
    Attr("network_flagged", "boolean", lambda v: v.network.flagged if v.network else None),
    Attr("name", "string", lambda v: v.member.name),
    Attr("handle", "string", lambda v: v.member.handle),
    Attr("followers", "long", lambda v: v.member.followers),
    Attr("created_at", "string", lambda v: plain(v.member.created_at)),
    Attr("country", "string", lambda v: v.member.country),
    Attr("degree", "long", lambda v: v.member.degree),
    Attr("strength", "double", lambda v: v.member.strength),
    *(Attr(f"signal_{s}", "double", _member_signal(s)) for s in SIGNALS),
)

EDGE_ATTRS: tuple[Attr, ...] = (
    Attr("weight", "double", lambda e: e.weight),
    Attr("network", "string", lambda e: e.network),
    *(Attr(s, "double", _edge_signal(s)) for s in SIGNALS),
    Attr("co_share_objects", "long", lambda e: e.co_share_objects),
    Attr("shared_admins", "long", lambda e: e.shared_admins),
    Attr("shared_identifiers", "long", lambda e: e.shared_identifiers),
    Attr("min_gap_seconds", "long", lambda e: e.min_gap),
    # Gephi has no list type that every version reads; one object per line instead.
    Attr("sample_objects", "string", lambda e: "\n".join(e.sample_objects) or None),
)


def _text(value: Any, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    if kind == "long":
        return str(int(value))
    return xml_text(str(value))


def _nodes(bundle: RunBundle) -> list[NodeView]:
    by_id = {n.id: n for n in bundle.networks}
    return [NodeView(m, by_id.get(m.network)) for m in bundle.members]


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def graphml_bytes(bundle: RunBundle) -> bytes:
    root = ET.Element(
        "graphml",
        {
            "xmlns": GRAPHML_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_XSD}",
        },
    )
    for prefix, domain, attrs in (("n", "node", NODE_ATTRS), ("e", "edge", EDGE_ATTRS)):
        for index, attr in enumerate(attrs):
            ET.SubElement(
                root,
                "key",
                {
                    "id": f"{prefix}{index}",
                    "for": domain,
                    "attr.name": attr.name,
                    "attr.type": attr.type,
                },
            )
    graph = ET.SubElement(
        root, "graph", {"id": xml_text(bundle.run.id), "edgedefault": "undirected"}
    )
    for view in _nodes(bundle):
        node = ET.SubElement(graph, "node", {"id": xml_text(view.member.key)})
        _graphml_data(node, "n", NODE_ATTRS, view)
    for index, edge in enumerate(bundle.edges):
        element = ET.SubElement(
            graph,
            "edge",
            {"id": f"e{index}", "source": xml_text(edge.source), "target": xml_text(edge.target)},
        )
        _graphml_data(element, "e", EDGE_ATTRS, edge)
    return _serialise(root)


def _graphml_data(parent: ET.Element, prefix: str, attrs: Sequence[Attr], record: Any) -> None:
    for index, attr in enumerate(attrs):
        value = attr.get(record)
        if value is not None:
            ET.SubElement(parent, "data", {"key": f"{prefix}{index}"}).text = _text(
                value, attr.type
            )


def _rgb(colour: str) -> dict[str, str]:
    return {
        "r": str(int(colour[1:3], 16)),
        "g": str(int(colour[3:5], 16)),
        "b": str(int(colour[5:7], 16)),
    }


def gexf_bytes(bundle: RunBundle, now: datetime | None = None) -> bytes:
    root = ET.Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:viz": GEXF_VIZ_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{GEXF_NS} {GEXF_XSD}",
            "version": "1.3",
        },
    )
    modified = (now or datetime.now(UTC)).date().isoformat()
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": modified})
    ET.SubElement(meta, "creator").text = "cibgraph"
    ET.SubElement(meta, "description").text = xml_text(
        f"Coordination networks of detection run {bundle.run.id}"
        + (" (flagged only)" if bundle.flagged_only else "")
    )
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    # "label" is the node's own GEXF label, not a declared attribute.
    node_attrs = [a for a in NODE_ATTRS if a.name != "label"]
    # "weight" is the edge's own GEXF weight; declared too, so Gephi's filters see it.
    for domain, attrs in (("node", node_attrs), ("edge", EDGE_ATTRS)):
        declared = ET.SubElement(graph, "attributes", {"class": domain, "mode": "static"})
        for index, attr in enumerate(attrs):
            ET.SubElement(
                declared, "attribute", {"id": str(index), "title": attr.name, "type": attr.type}
            )
    nodes = ET.SubElement(graph, "nodes")
    for view in _nodes(bundle):
        node = ET.SubElement(
            nodes, "node", {"id": xml_text(view.member.key), "label": xml_text(_label(view.member))}
        )
        _gexf_values(node, node_attrs, view)
        colour = TYPE_COLOURS["admin" if view.member.role == "admin" else view.member.type]
        ET.SubElement(node, "viz:color", _rgb(colour))
        ET.SubElement(
            node, "viz:size", {"value": repr(round(4.0 + 2.0 * view.member.strength**0.5, 3))}
        )
    edges = ET.SubElement(graph, "edges")
    for index, edge in enumerate(bundle.edges):
        element = ET.SubElement(
            edges,
            "edge",
            {
                "id": str(index),
                "source": xml_text(edge.source),
                "target": xml_text(edge.target),
                "weight": repr(float(edge.weight)),
            },
        )
        _gexf_values(element, EDGE_ATTRS, edge)
    return _serialise(root)


def _gexf_values(parent: ET.Element, attrs: Sequence[Attr], record: Any) -> None:
    values = ET.SubElement(parent, "attvalues")
    for index, attr in enumerate(attrs):
        value = attr.get(record)
        if value is not None:
            ET.SubElement(values, "attvalue", {"for": str(index), "value": _text(value, attr.type)})


def _write_one(
    name: str,
    build: Callable[[RunBundle], bytes],
    bundle: RunBundle,
    out: OutputDir,
    progress: Progress | None,
) -> dict[str, Path]:
    progress = progress or NoProgress()
    out.plan((name,))
    progress.stage(f"Writing {name}", 1)
    path = out.write_bytes(name, build(bundle))
    progress.advance()
    return {name: path}


def write_graphml(
    bundle: RunBundle, out: OutputDir, progress: Progress | None = None
) -> dict[str, Path]:
    return _write_one(GRAPHML_FILE, graphml_bytes, bundle, out, progress)


def write_gexf(
    bundle: RunBundle, out: OutputDir, progress: Progress | None = None
) -> dict[str, Path]:
    return _write_one(GEXF_FILE, gexf_bytes, bundle, out, progress)
