"""The `cib` entry point: one sub-app per noun, errors rendered in one place."""

from __future__ import annotations

import logging

import typer

from cibgraph.cli import db, query, schema
from cibgraph.cli import demo
from cibgraph.cli.load import load_command
from cibgraph.cli.evaluate import evaluate_command
from cibgraph.cli.common import CibGroup

app = typer.Typer(
    cls=CibGroup,
    help="cibgraph: find coordinated inauthentic behaviour in a Neo4j graph of accounts, "
    "pages, admins, organisations, posts and ads.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(db.app, name="db")
app.add_typer(schema.app, name="schema")
app.add_typer(demo.app, name="demo")
app.add_typer(query.app, name="query")
app.command("load")(load_command)
app.command("evaluate")(evaluate_command)


def main() -> None:
    # The driver logs each retry at WARNING; the CLI reports outcomes itself.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    app()
