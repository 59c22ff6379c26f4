"""What the formats' column mappers share (``*_columns.py``): ids, optional texts and
posts whose cells go to ``Cells``, and ``Decline`` for whatever the record path maps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cibgraph.loaders.formats.columns import Cells


class Decline(ValueError):
    """The item is the record path's to map."""


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ident(cells: Cells, value: Any) -> str:
    """``text_id``/``parse_id``: a plain string id, or an integer's digits."""
    if type(value) is str:
        return cells.id(value)
    if type(value) is int:
        return cells.id(str(value))
    raise Decline


def optional_text(cells: Cells, value: Any) -> str | None:
    """An optional text (``optional(..., parse_text)``): None when absent or empty."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise Decline
    return cells.text(value)


def post_row(
    post_id: str,
    author_id: str,
    props: dict[str, Any],
    text: str | None,
    cells: Cells,
    author_props: dict[str, Any],
    shared: str | None = None,
    hashtags: list[str] | None = None,
) -> dict[str, Any]:
    """``validate.post_row``'s row; ``props`` holds ``created_at`` as a cell to fill."""
    row = {
        "id": post_id,
        "author_id": author_id,
        "props": props,
        "author_props": author_props,
        "urls": [],
        "hashtags": hashtags or [],
        "shared_post_id": shared,
    }
    if text is not None:
        props["text"] = text
        cells.hashed_text(text, props)
    return row


def listed(value: Any) -> list[Any]:
    """``common.array``: an absent list is empty; anything else but a list is declined."""
    if value is None:
        return []
    if type(value) is not list:
        raise Decline
    return value
