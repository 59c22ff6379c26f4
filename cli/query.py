"""`cib query ...`: the Cypher query library — list it, read a query, run it."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cibgraph.cli.common import JsonOpt, QuietOpt, err, new_app, out, print_json, with_database
from cibgraph.core.display import terminal_safe
from cibgraph.core.errors import OutputExists, UsageError
from cibgraph.core.runner import Row
from cibgraph.graph.connection import Database
from cibgraph.graph.exports.safe_csv import write_csv
from cibgraph.graph.exports.values import plain
from cibgraph.queries.registry import CATEGORIES, LibraryQuery, load_library

app = new_app(
    "The query library: named, reviewed Cypher for Neo4j Browser and for scripts. "
    "Every query caps its rows and takes its inputs as parameters."
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


NameArg = Annotated[
    str, typer.Argument(help="Query name, as shown by `cib query list`.", show_default=False)
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="A parameter as NAME=VALUE; repeat for several. VALUE is read as JSON when it "
        'parses (10, true, [1,2], "text"), else taken as text.',
        show_default=False,
    ),
]


def parse_params(pairs: Sequence[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` into a mapping; the value may itself contain ``=``."""
    parsed: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r} is not NAME=VALUE.", "for example --param limit=50")
        parsed[key.strip()] = value
    return parsed


def cell_text(value: Any) -> str:
    """How one value reads in a terminal table: lists and maps as compact JSON."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Column names in the order the query returns them (first row first)."""
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def rows_to_table(rows: Sequence[Mapping[str, Any]], title: str | None = None) -> Table:
    """A rich table of query rows. Cells are ``Text``, so data is never read as markup."""
    names = columns_of(rows)
    table = Table(*names, title=title)
    for row in rows:
        table.add_row(*(Text(terminal_safe(cell_text(row.get(name)))) for name in names))
    return table


def _refuse_existing(path: Path) -> None:
    if path.is_symlink():
        raise UsageError(
            f"--out {path} is a symlink; refusing to write through it.",
            "remove it, or pass --force to replace the link itself with the file",
        )
    if path.exists():
        raise OutputExists([str(path)], "pass --force to overwrite, or choose another --out")


@contextmanager
def _output(path: Path | None, force: bool = False) -> Iterator[IO[str]]:
    """The --out file, created new: an existing file (or a symlink, wherever it points)
    is refused without --force; with it, a symlink is replaced, never written through."""
    if path is None:
        yield sys.stdout
        return
    if not force:
        _refuse_existing(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    if not force:
        flags |= os.O_EXCL  # also refuses a file created since the check above
    try:
        if force and path.is_symlink():
            path.unlink()
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        raise OutputExists([str(path)], "pass --force to overwrite") from None
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {exc.strerror}.") from None
    with open(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle


def write_rows(rows: list[Row], fmt: OutputFormat, target: IO[str]) -> None:
    if fmt is OutputFormat.json:
        target.write(json.dumps(plain(rows), indent=2, ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.csv:
        write_csv(target, columns_of(rows), rows)
    elif rows:
        console = (
            out if target is sys.stdout else Console(file=target, width=200, color_system=None)
        )
        console.print(rows_to_table(rows))


@app.command("list")
def list_(
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            help=f"Only this category: {', '.join(CATEGORIES)}.",
            show_default=False,
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List the queries in the library: name, category, title and revision.

    [bold]Examples[/]

      cib query list
      cib query list --category exploration
      cib query list --json | jq '.[].name'
    """
    queries = load_library().in_category(category)
    if json_:
        print_json([_summary(q) for q in queries])
        return
    table = Table("name", "category", "title", "revision")
    for q in queries:
        table.add_row(Text(q.name), q.category, Text(q.title), str(q.revision))
    out.print(table)


@app.command()
def show(
    name: NameArg,
    browser: Annotated[
        bool,
        typer.Option(
            "--browser",
            help="Print only what to paste into Neo4j Browser: `:param` lines, then the query.",
        ),
    ] = False,
    param: ParamOpt = None,
) -> None:
    """Show a query: what it finds, its parameters with defaults, and its Cypher.

    With [bold]--browser[/], prints exactly what to paste into Neo4j Browser (the
    `:param` lines set the parameters, then the query runs as-is); --param values
    replace the defaults in those lines.

    [bold]Examples[/]

      cib query show actor_neighbourhood
      cib query show actor_neighbourhood --browser --param actor_key=page:42
    """
    query = load_library().get(name)
    values = query.bind(parse_params(param))
    if browser:
        sys.stdout.write(query.browser_script(values))
        return
    out.print(Text(f"{query.name}  (revision {query.revision}, {query.category})", style="bold"))
    out.print(Text(query.title))
    out.print()
    out.print(Text(query.description))
    for ref in query.references:
        out.print(Text(f"see {ref}", style="dim"))
    out.print()
    if query.parameters:
        table = Table(
            "parameter", "default", "description", title="Parameters", title_justify="left"
        )
        for p in query.parameters:
            table.add_row(
                Text(p.name),
                Text(json.dumps(values[p.name], ensure_ascii=False)),
                Text(p.description),
            )
        out.print(table)
    else:
        out.print("Parameters: none")
    out.print()
    out.print(query.cypher, markup=False, highlight=False)


@app.command()
@with_database
def run(
    db: Database,
    name: NameArg,
    param: ParamOpt = None,
    format_: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", help="table for people; csv (spreadsheet-safe) or json for tools."
        ),
    ] = OutputFormat.table,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", help="Seconds before Neo4j stops the query (a transaction timeout)."
        ),
    ] = 60.0,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the rows to this file instead of stdout.", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite an existing --out file (a symlink is replaced)."),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Run a library query read-only and print its rows.

    Values go to Neo4j as query parameters, never into the Cypher text, so any
    --param value is safe to pass. The --timeout bounds a runaway query on the
    server side. CSV output neutralises spreadsheet formulas (a cell starting with
    = + - @ gets a leading ').

    [bold]Examples[/]

      cib query run load_runs
      cib query run actor_neighbourhood --param actor_key=account:1042 --format json
      cib query run pages_by_organization -p org_id=org_7 -p limit=20 --format csv --out pages.csv
    """
    if timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds.")
    query = load_library().get(name)
    if out_file is not None and not force:
        _refuse_existing(out_file)  # before the query runs, not after
    rows = query.run(db, parse_params(param), timeout=timeout)
    with _output(out_file, force) as target:
        write_rows(rows, format_, target)
    if not quiet:
        where = f" to {out_file}" if out_file else ""
        err.print(f"{len(rows)} row{'s' if len(rows) != 1 else ''}{where}.", highlight=False)


def _summary(query: LibraryQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "category": query.category,
        "title": query.title,
        "revision": query.revision,
        "description": query.description,
        "parameters": {
            p.name: {"default": p.default, "description": p.description} for p in query.parameters
        },
        "references": list(query.references),
    }
