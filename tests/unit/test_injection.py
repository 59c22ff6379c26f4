"""No Cypher is built from user input: a static proof over the code, and what is sent.

Static: every ``.py`` under graph/, loaders/, queries/ and cli/ is parsed, and

- every string built at run time that reads as Cypher (an f-string, ``%``, ``.format``
  or ``+`` with a Cypher keyword in its literal text) may interpolate only the
  identifiers listed in ``ALLOWED`` below, each a code constant, with the reason;
- every query call (``runner.read/write/auto/write_all``, ``session.run``, ``tx.run``)
  takes as its query a literal, a module constant, or one of the ``ALLOWED`` names;
- the write statements are built only from literals at import time, and every schema
  label, property and name is a plain identifier.

Dynamic: a load of files whose every id and text is a Cypher-injection payload sends
exactly the statements a benign load sends, with the payloads only in parameters.
The same payloads go through the CLI, detection, exports and truth files against the
real server in tests/integration/test_injection.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.schema import SCHEMA
from cibgraph.loaders.discover import plan_load
from cibgraph.loaders.load import LoadOptions, load
from cibgraph.loaders.statements import STATEMENTS
from tests.fakes import RecordingRunner

REPO = Path(__file__).resolve().parents[2]
FOLDERS = ("graph", "loaders", "queries", "cli")
CYPHER = re.compile(
    r"\b(MATCH|MERGE|CREATE|RETURN|UNWIND|CALL|DELETE|SET|REMOVE|YIELD|SHOW|FOREACH|LOAD CSV)\b"
)
QUERY_METHODS = {"read", "write", "auto", "write_all", "run", "execute_query"}
# Receivers that run Cypher (QueryRunner implementations, driver sessions and
# transactions); `.write` on files and CSV writers is not a query.
RUNNERS = {"runner", "self.runner", "self._runner", "db", "session", "tx", "driver"}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# (file, source text of what is interpolated or passed as a query) -> why it is a constant.
ALLOWED: dict[tuple[str, str], str] = {
    ("graph/runs.py", "label"): "one of the literal LABELS (LoadRun, DetectionRun)",
    ("graph/runs.py", "_WRITE[kind]"): "module constant per run kind, from the literal LABELS",
    ("graph/runs.py", "_RUNNING[kind]"): "module constant per run kind, from the literal LABELS",
    ("graph/runs.py", "_MARK_FAILED[kind]"): "module constant per run kind, from LABELS",
    ("graph/detect/edges.py", "_EDGE_FIELDS"): "module constant: EDGE_PROPERTIES as a map",
    ("graph/schema.py", "self.name"): "SchemaItem: only the literals of SCHEMA (checked below)",
    ("graph/schema.py", "self.label"): "SchemaItem: only the literals of SCHEMA",
    ("graph/schema.py", "props"): "SchemaItem.properties joined: literals of SCHEMA",
    ("graph/schema.py", "target"): "SchemaItem.properties joined: literals of SCHEMA",
    ("graph/schema.py", "rel_props"): "SchemaItem.properties joined: literals of SCHEMA",
    ("graph/schema.py", "item.statement"): "SchemaItem.statement of a SCHEMA item",
    ("loaders/statements.py", "_COUNTS"): "module constant",
    ("loaders/statements.py", "label"): "builder parameter; builders get literals only",
    ("loaders/statements.py", "prefix"): "builder parameter; builders get literals only",
    ("loaders/statements.py", "var"): "builder parameter; builders get literals only",
    ("loaders/statements.py", "id_expr"): "builder parameter; builders get literals only",
    ("loaders/statements.py", "stub"): "a stub template formatted with builder parameters",
    ("loaders/statements.py", "replace_block"): "module constant or ''",
    ("loaders/statements.py", "extra"): "module constant _FORWARD_ORIGINS or ''",
    ("loaders/statements.py", "is_page"): "'true' or 'false' from the builder's literal label",
    ("loaders/load.py", "statements"): "(PROGRESS or STATEMENTS[name], params) pairs: "
    "module constants; name is a Record's statement, set by the validators from literals",
    ("loaders/bulk/importer.py", "statements"): "(STATEMENTS[name] or AUTHOR_PROPS[label], params) "
    "pairs: module constants",
    ("graph/connection.py", "query"): "Database's own methods: their callers are checked",
    ("graph/report/facts.py", "query"): "OBJECT_SHARES.get(kind): a module constant or None",
    ("graph/detect/pipeline.py", "query.cypher"): "a query library file: reviewed data",
    ("graph/detect/signals.py", "query.cypher"): "a query library file: reviewed data",
    ("queries/registry.py", "self.cypher"): "a query library file: reviewed data",
}


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "assembly" in path.parts:
                continue
            yield path.relative_to(REPO).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _literal_text(node: ast.AST) -> str:
    return " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def _pieces(node: ast.AST) -> list[ast.expr] | None:
    """What a run-time string interpolates, or None when ``node`` builds no string."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        parts: list[ast.expr] = []
        for side in (node.left, node.right):
            inner = _pieces(side)
            if inner is not None:
                parts += inner
            elif not (isinstance(side, ast.Constant) and isinstance(side.value, str)):
                parts.append(side)
        return parts
    return None


def _allowed(path: str, piece: ast.expr) -> bool:
    if isinstance(piece, ast.Constant):
        return True
    text = ast.unparse(piece)
    if (path, text) in ALLOWED:
        return True
    # A call of a builder of the same file with literal arguments (statements.py's _actor).
    if isinstance(piece, ast.Call) and isinstance(piece.func, ast.Name):
        return (path, piece.func.id) in _BUILDERS and all(
            isinstance(a, ast.Constant) or (path, ast.unparse(a)) in ALLOWED for a in piece.args
        )
    return False


_BUILDERS = {("loaders/statements.py", name) for name in ("_actor", "_actor_rows", "_posts")}
_used: set[tuple[str, str]] = set()


def _note(path: str, node: ast.expr) -> None:
    _used.add((path, ast.unparse(node)))


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to strings (literal text of f-strings too)."""
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and isinstance(
                stmt.value, ast.Constant | ast.JoinedStr
            ):
                found[target.id] = _literal_text(stmt.value)
    return found


def _template_text(node: ast.AST, strings: dict[str, str]) -> str:
    """The literal text of a ``.format`` template given by name (or by a choice of names)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return ""
    template = node.func.value
    names: list[ast.expr] = [template] if isinstance(template, ast.Name) else []
    if isinstance(template, ast.IfExp):
        names = [template.body, template.orelse]
    return " ".join(strings.get(n.id, "") for n in names if isinstance(n, ast.Name))


Sources = Iterable[tuple[str, ast.Module]]


def dynamic_cypher(sources: Sources | None = None) -> Iterator[tuple[str, int, list[ast.expr]]]:
    """(file, line, pieces) of every string built at run time that reads as Cypher."""
    for path, tree in sources or _sources():
        strings = _module_strings(tree)
        for node in ast.walk(tree):
            pieces = _pieces(node)
            text = _literal_text(node) + " " + _template_text(node, strings)
            if pieces is None or not CYPHER.search(text):
                continue
            yield path, getattr(node, "lineno", 0), pieces


def query_arguments(sources: Sources | None = None) -> Iterator[tuple[str, int, ast.expr]]:
    """(file, line, query expression) of every query call."""
    for path, tree in sources or _sources():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in QUERY_METHODS
                and ast.unparse(node.func.value) in RUNNERS
                and node.args
            ):
                continue
            query = node.args[0]
            if node.func.attr == "write_all" and isinstance(query, ast.ListComp | ast.List):
                element = query.elt if isinstance(query, ast.ListComp) else query.elts[0]
                assert isinstance(element, ast.Tuple), ast.unparse(node)
                query = element.elts[0]
            yield path, node.lineno, query


def test_cypher_built_at_run_time_interpolates_only_code_constants() -> None:
    problems = []
    seen = 0
    for path, line, pieces in dynamic_cypher():
        seen += 1
        for piece in pieces:
            if _allowed(path, piece):
                _note(path, piece)
            else:
                problems.append(f"{path}:{line}: interpolates {ast.unparse(piece)!r}")
    assert seen > 10  # the scan reaches the statement builders
    assert problems == [], "\n".join(problems)
    print(f"\ninjection scan: {seen} Cypher strings built at run time, all from constants")


def test_every_query_call_takes_a_literal_a_constant_or_an_allowed_name() -> None:
    problems = []
    calls = 0
    for path, line, query in query_arguments():
        calls += 1
        text = ast.unparse(query)
        if isinstance(query, ast.Constant) and isinstance(query.value, str):
            continue
        if isinstance(query, ast.Name) and query.id.lstrip("_").isupper():
            continue  # a module constant; how constants are built is checked above
        if (path, text) in ALLOWED:
            _note(path, query)
            continue
        pieces = _pieces(query)
        if pieces is not None and all(_allowed(path, p) for p in pieces):
            continue
        problems.append(f"{path}:{line}: query is {text!r}")
    assert calls > 50
    assert problems == [], "\n".join(problems)
    print(f"\ninjection scan: {calls} query calls, none with a query built from input")


def test_statement_builders_get_literals_only() -> None:
    """loaders/statements.py: at import, builders are called with literals; inside,
    they pass on only literals or their own parameters."""
    tree = ast.parse((REPO / "loaders/statements.py").read_text(encoding="utf-8"))
    builders = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in builders:
            continue
        enclosing = next(
            (b for b in builders.values() if any(n is node for n in ast.walk(b))), None
        )
        params = {a.arg for a in enclosing.args.args} if enclosing else set()
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            ok = isinstance(arg, ast.Constant) or (isinstance(arg, ast.Name) and arg.id in params)
            assert ok, f"statements.py:{node.lineno}: {ast.unparse(node)}"


def test_schema_names_labels_and_properties_are_plain_identifiers() -> None:
    for item in SCHEMA:
        assert all(IDENTIFIER.match(x) for x in (item.name, item.label, *item.properties)), item


def test_the_scan_catches_input_in_cypher() -> None:
    """The checks above would fail on the mistakes they exist for."""
    snippet = ast.parse(
        "def find(runner, name, label):\n"
        "    runner.read(f\"MATCH (a:Account {{id: '{name}'}}) RETURN a\")\n"
        "    runner.read('MATCH (a:' + label + ') RETURN a')\n"
        "    query = 'MATCH (a) WHERE a.id = \"%s\" RETURN a' % name\n"
        "    runner.read(query)\n"
        "    runner.write(name)\n"
    )
    found = {
        (line, ast.unparse(piece))
        for path, line, pieces in dynamic_cypher([("graph/x.py", snippet)])
        for piece in pieces
        if not _allowed(path, piece)
    }
    assert found == {(2, "name"), (3, "label"), (4, "name")}
    calls = list(query_arguments([("graph/x.py", snippet)]))
    loose = [ast.unparse(q) for _, _, q in calls if isinstance(q, ast.Name)]
    assert loose == ["query", "name"]  # neither a constant nor allowed: reported


def test_every_allowed_entry_is_still_needed() -> None:
    _used.clear()
    test_cypher_built_at_run_time_interpolates_only_code_constants()
    test_every_query_call_takes_a_literal_a_constant_or_an_allowed_name()
    stale = sorted(set(ALLOWED) - _used)
    assert stale == [], f"ALLOWED entries no code needs any more: {stale}"


# ---------------------------------------------------------------------------------------
# What is sent when the input is hostile

PAYLOADS = (
    "x'}) MATCH (n) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n //',
    "x`}) MATCH (n) DETACH DELETE n //",
    "`Account`) SET n:Injected //",
    ":Admin",
    "$rows",
    "{id: $id}",
    "\\u0027}) MATCH (n) DETACH DELETE n //",
    "'; MATCH (n) DETACH DELETE n; //",
    "x'}) CALL apoc.cypher.runWrite('MATCH (n) DETACH DELETE n', {}) YIELD value RETURN 1 //",
    "CALL dbms.security.createUser('eve', 'secret', false)",
    "' OR '1'='1",
    "*/ MATCH (n) DETACH DELETE n /*",
    "x\\'}) MATCH (n) DETACH DELETE n //",
    "1 UNION MATCH (n) DETACH DELETE n RETURN 1",
    "apoc.util.sleep(60000)",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
)


def _created(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"written": len(params["rows"]), "created": len(params["rows"])}]


def _contract_files(folder: Path, values: list[str]) -> Path:
    """One file of each kind whose ids and texts are ``values``."""
    import csv

    folder.mkdir(parents=True)
    rows: dict[str, tuple[list[str], list[list[str]]]] = {
        "organizations": (["org_id", "name"], [[v, v] for v in values]),
        "accounts": (["account_id", "handle", "display_name"], [[v, v, v] for v in values]),
        "pages": (["page_id", "name", "category"], [[v, v, v] for v in values]),
        "page_admins": (["page_id", "account_id", "role"], [[v, v, v] for v in values]),
        "affiliations": (
            ["subject_id", "subject_type", "org_id", "evidence"],
            [[v, "account", v, v] for v in values],
        ),
        "posts": (
            ["post_id", "author_id", "author_type", "created_at", "text", "shared_post_id"],
            [[v, v, "account", "2019-04-01T10:00:00Z", v, v] for v in values],
        ),
        "ads": (["ad_id", "page_id", "paid_for_by"], [[v, v, v] for v in values]),
        "identifiers": (
            ["account_id", "kind", "value"],
            [[v, "device", v] for v in values],
        ),
    }
    for kind, (header, data) in rows.items():
        with open(folder / f"{kind}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(data)
    return folder


def _load(folder: Path, tmp: Path) -> RecordingRunner:
    runner = RecordingRunner(answers={"UNWIND $rows": _created})
    ledger = load(runner, plan_load([folder]), LoadOptions(rejects_dir=tmp / "rj"))
    assert ledger.status == "complete" and ledger.total("rejected") == 0
    return runner


def test_hostile_files_send_the_same_statements_as_benign_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIBGRAPH_HASH_SECRET", "ab" * 32)
    benign = _load(_contract_files(tmp_path / "benign", ["a1", "a2"]), tmp_path / "b")
    hostile = _load(_contract_files(tmp_path / "hostile", list(PAYLOADS)), tmp_path / "h")
    # Data-independent Cypher: the same statement texts, whatever the input holds.
    assert set(hostile.queries()) == set(benign.queries())
    unwinds = [c for c in hostile.calls if "UNWIND $rows" in c.query]
    assert {c.query for c in unwinds} <= set(STATEMENTS.values())
    # (":Admin", "$rows" and "{id: $id}" are in the statements anyway; the others never.)
    foreign = [p for p in PAYLOADS if not any(p in q for q in benign.queries())]
    assert len(foreign) == len(PAYLOADS) - 3
    for call in hostile.calls:
        assert not any(p in call.query for p in foreign), call.query
    # The payloads travel as parameters, verbatim.
    accounts = [c for c in unwinds if c.query == STATEMENTS["accounts"]]
    assert {row["id"] for c in accounts for row in c.params["rows"]} == set(PAYLOADS)
