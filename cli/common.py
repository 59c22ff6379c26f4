"""Options shared by every command, defined once, and the one place errors become text."""

from __future__ import annotations

import functools
import inspect
import json
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from cibgraph.core.display import terminal_safe
from cibgraph.core.errors import CibError, ServerStartFailed
from cibgraph.graph.connection import open_database
from cibgraph.graph.settings import resolve_settings

# Results go to stdout; progress, notes and errors to stderr, so pipes stay clean.
# Piped output gets a wide console so tables are not cut to 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 200)

P = ParamSpec("P")
R = TypeVar("R")

UriOpt = Annotated[
    str | None,
    typer.Option(
        "--uri", help="Bolt URI (env NEO4J_URI; default: the local server).", show_default=False
    ),
]
UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user", help="User name (env NEO4J_USERNAME; default neo4j).", show_default=False
    ),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password",
        help="Password (env NEO4J_PASSWORD; default: the local server's). Prefer the env var: "
        "flags are visible to other users in the process list.",
        show_default=False,
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database", help="Database (env NEO4J_DATABASE; default neo4j).", show_default=False
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON document instead of a table.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
RunOpt = Annotated[
    str | None,
    typer.Option(
        "--run",
        metavar="ID",
        help="Detection run id (default: the newest complete run).",
        show_default=False,
    ),
]

_CONNECTION_PARAMS = (
    inspect.Parameter("uri", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=UriOpt),
    inspect.Parameter("user", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=UserOpt),
    inspect.Parameter(
        "password", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=PasswordOpt
    ),
    inspect.Parameter(
        "database", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DatabaseOpt
    ),
)


def with_database(func: Callable[..., R]) -> Callable[..., R]:
    """Give a command the four connection options and call it with an open ``db``.

    The options are declared once here; the wrapped command takes ``db: Database``.
    """
    return _with_connection(func, skip_if=None)


def with_optional_database(skip_if: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """As ``with_database``, but ``db`` is None (no server needed) when the command's
    boolean option ``skip_if`` (e.g. ``dry_run``) is true."""
    return lambda func: _with_connection(func, skip_if=skip_if)


def _with_connection(func: Callable[..., R], skip_if: str | None) -> Callable[..., R]:
    signature = inspect.signature(func)
    # Resolve string annotations (PEP 563) so Typer sees each option's Annotated metadata.
    hints = typing.get_type_hints(func, include_extras=True)
    kept = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.name != "db"
    ]

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        **kwargs: Any,
    ) -> R:
        if skip_if is not None and kwargs.get(skip_if):
            return func(*args, db=None, **kwargs)
        settings = resolve_settings(uri, user, password, database)
        with open_database(settings) as db:
            return func(*args, db=db, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *_CONNECTION_PARAMS])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*kept, *_CONNECTION_PARAMS]}
    return wrapper


def print_json(data: Any) -> None:
    # default=str: datetimes and paths print as ISO strings, not errors.
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def render_error(exc: CibError) -> None:
    # Messages quote input (file names, values, server text): shown as plain text, never
    # read as Rich markup (a "[/]" in a file name would crash the error path itself) and
    # with terminal controls escaped.
    err.print(Text("Error: ", style="bold red") + Text(terminal_safe(exc.message)))
    if isinstance(exc, ServerStartFailed) and exc.log_tail:
        err.print(Text("Last log lines:", style="dim"))
        err.print(Text(terminal_safe(exc.log_tail)))
    if exc.hint:
        err.print(Text("Hint: ", style="yellow") + Text(terminal_safe(exc.hint)))


class CibGroup(TyperGroup):
    """Root group: library errors become a message, a hint and an exit code."""

    def invoke(self, ctx: Any) -> Any:  # typer types ctx with its vendored click
        try:
            return super().invoke(ctx)
        except CibError as exc:
            render_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("[red]Interrupted.[/]")
            raise typer.Exit(130) from None


@contextmanager
def progress_lines(message: str, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner on a terminal; elsewhere (CI, pipes, logs) a line now and one per update,
    so a half-minute wait is never silent. Yields the update callback."""
    if quiet:
        yield lambda _: None
        return
    if err.is_terminal:
        with err.status(message) as spinner:
            yield lambda text: spinner.update(f"{message}: {text}")
        return
    err.print(f"{message}...", markup=False, highlight=False)
    yield lambda text: err.print(f"{message}: {text}", markup=False, highlight=False)


@contextmanager
def status(message: str, quiet: bool = False) -> Iterator[None]:
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def new_app(help_text: str) -> typer.Typer:
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        rich_markup_mode="rich",
    )
