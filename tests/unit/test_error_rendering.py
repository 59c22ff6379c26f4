"""The CLI's error path shows library messages as text: input in them is never markup."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cibgraph.cli import common
from cibgraph.core.errors import CibError


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buffer = io.StringIO()
    monkeypatch.setattr(common, "err", Console(file=buffer, width=200, color_system=None))
    return buffer


def test_markup_and_controls_in_a_message_are_shown_as_they_are(stderr: io.StringIO) -> None:
    # A file name an analyst was sent: Rich markup, a closing tag with nothing open (which
    # raised MarkupError from inside the error handler) and an ANSI colour sequence.
    name = "[red]posts[/] [/]\x1b[31mfile.csv"
    common.render_error(CibError(f"cannot read {name}", hint=f"check {name}"))
    shown = stderr.getvalue()
    assert "cannot read [red]posts[/] [/]\\x1b[31mfile.csv" in shown
    assert "Hint: check [red]posts[/] [/]\\x1b[31mfile.csv" in shown
    assert "\x1b" not in shown


def test_a_bidi_override_in_a_message_is_marked(stderr: io.StringIO) -> None:
    common.render_error(CibError("no page named \u202emoc.elgoog"))
    assert "no page named [U+202E]moc.elgoog" in stderr.getvalue()
