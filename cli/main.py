"""The `cib` entry point: one sub-app per noun, errors rendered in one place."""

from __future__ import annotations

import logging

import typer

from cibgraph.cli import db, demo, query, runs, schema
from cibgraph.cli.browser import browser_command
from cibgraph.cli.common import CibGroup
from cibgraph.cli.demo_run import demo_run_command
from cibgraph.cli.detect import detect_command
from cibgraph.cli.evaluate import evaluate_command
from cibgraph.cli.explain import explain_command
from cibgraph.cli.export import export_command
from cibgraph.cli.load import load_command
from cibgraph.cli.report import report_command

app = typer.Typer(
    cls=CibGroup,
    help="cibgraph: find coordinated inauthentic behaviour in a Neo4j graph of accounts, "
    "pages, admins, organisations, posts and ads.\n\n"
    "Start with `cib demo run`; on your own data: `cib db install && cib db start`, "
    "`cib load DIR`, `cib detect`, `cib explain NETWORK`, `cib report --out DIR`.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(schema.app, name="schema")
demo.app.command("run")(demo_run_command)
app.add_typer(demo.app, name="demo")
app.add_typer(query.app, name="query")
app.command("load")(load_command)
app.command("detect")(detect_command)
app.command("explain")(explain_command)
app.add_typer(runs.app, name="runs")
app.add_typer(runs.networks_app, name="networks")
app.command("evaluate")(evaluate_command)
app.command("export")(export_command)
app.command("report")(report_command)
app.command("browser")(browser_command)


def main() -> None:
    # The driver logs each retry at WARNING; the CLI reports outcomes itself.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    app()
