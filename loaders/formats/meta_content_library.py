"""Meta Content Library's CSV export of posts (columns as in its data dictionary).

Columns read: ``id``, ``creation_time``, ``text``, ``post_owner.id``,
``post_owner.name``, ``post_owner.type``, ``post_owner.username``,
``shared_post_id``, and when present ``link_attachment.link`` (a link the post
carries), ``lang``, ``is_branded_content``, ``surface.id``/``surface.name`` (where
it was posted) and ``statistics.*`` counts; other columns are ignored (kept as
``x_<name>`` with ``--keep-extra``).

Ids are read as strings, never numbers: they exceed 2**53, and an id a spreadsheet
turned into ``1.2345E+17`` is rejected rather than loaded as another post's id.
``post_owner.type`` says whether the owner is a page (``page``) or a person's
profile (``profile``/``user``): pages become ``Page`` nodes, profiles ``Account``.
A reshare names the post it shares in ``shared_post_id``. Hashtags are taken from
the text (``#word``), as the export has no hashtag column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cibgraph.loaders.formats.common import FormatReader, ItemRow, Reject, optional, required
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import RawRow, SourceFile
from cibgraph.loaders.validate import EXTRA_PREFIX, ValidationContext, post_row
from cibgraph.loaders.values import (
    BadValue,
    is_missing,
    parse_bool,
    parse_id,
    parse_int,
    parse_tags,
    parse_text,
    parse_timestamp,
    parse_url,
)

REQUIRED_COLUMNS = ("id", "creation_time", "post_owner.id", "post_owner.type")
KNOWN_COLUMNS = (
    *REQUIRED_COLUMNS,
    "text",
    "post_owner.name",
    "post_owner.username",
    "shared_post_id",
    "link_attachment.link",
    "lang",
    "is_branded_content",
    "surface.id",
    "surface.name",
)
OWNER_TYPES = {"page": "page", "profile": "account", "user": "account", "person": "account"}
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")
_HASHTAG = re.compile(r"(?<![\w&])#(\w{1,200})")


def content_id(value: Any) -> str:
    text = parse_id(value)
    if _SCIENTIFIC.match(text):
        raise BadValue(f"id {text!r} is in scientific notation (a spreadsheet rounded it)")
    return text


def _stat_columns(header: list[str]) -> list[tuple[str, str]]:
    found = [(c, c.removeprefix("statistics.")) for c in header if c.startswith("statistics.")]
    return [(column, f"stat_{name}") for column, name in found if name.isidentifier()]


class MetaContentLibraryReader(FormatReader):
    name = "meta-content-library"

    def __init__(self, path: Path, ctx: ValidationContext) -> None:
        super().__init__(path, ctx)
        self.source = SourceFile(path, fmt="csv")
        # (column, property) of the header's ``statistics.*`` counts, found once.
        self.stat_columns: list[tuple[str, str]] = []
        self._checked: list[str] | None = None

    def position(self) -> int:
        return self.source.position()

    def rows(self) -> Iterator[RawRow]:
        for row in self.source.rows():
            if self.source.header is not self._checked:  # once per header, not per row
                self._checked = self.source.header
                self.header_problem = self.source.header_problem or self._header_check()
                self.stat_columns = _stat_columns(self._checked)
            if row.problem is not None:
                yield row
            else:
                yield ItemRow(row.line, row.values, "", text=row.raw)

    def _header_check(self) -> str | None:
        missing = [c for c in REQUIRED_COLUMNS if c not in self.source.header]
        if missing:
            return f"not a Content Library posts export: no column {', '.join(map(repr, missing))}"
        return None

    def record(self, row: ItemRow) -> Record:
        if self.header_problem:
            raise Reject(None, self.header_problem)
        values: dict[str, Any] = row.item
        post_id = required(values, "id", content_id)
        created_at = required(values, "creation_time", parse_timestamp)
        owner = required(values, "post_owner.id", content_id)
        owner_type = required(values, "post_owner.type", parse_text).strip().lower()
        label = OWNER_TYPES.get(owner_type)
        if label is None:
            raise Reject(
                "post_owner.type",
                f"{owner_type[:30]!r} is not a known owner type ({', '.join(OWNER_TYPES)})",
            )
        text = optional(values, "text", parse_text)
        shared = optional(values, "shared_post_id", content_id)
        link = optional(values, "link_attachment.link", parse_url)
        tags = [] if text is None else parse_tags(_HASHTAG.findall(text))
        props: dict[str, Any] = {}
        for column, prop, parser in (
            ("lang", "lang", parse_text),
            ("is_branded_content", "branded_content", parse_bool),
            ("surface.id", "surface_id", content_id),
            ("surface.name", "surface_name", parse_text),
        ):
            value = optional(values, column, parser)
            if value is not None:
                props[prop] = value
        for column, cell in values.items():
            if column.startswith("statistics.") and not is_missing(cell):
                name = column.removeprefix("statistics.")
                if name.isidentifier():
                    props[f"stat_{name}"] = optional(values, column, parse_int)
            elif self.ctx.keep_extra and column not in KNOWN_COLUMNS and not is_missing(cell):
                props[EXTRA_PREFIX + column] = optional(values, column, parse_text)
        author_props: dict[str, Any] = {}
        name = optional(values, "post_owner.name", parse_text)
        if name is not None:
            author_props["name" if label == "page" else "display_name"] = name
        username = optional(values, "post_owner.username", parse_text)
        if username is not None:
            author_props["handle"] = username
        record = post_row(
            post_id, owner, created_at, text=text, urls=[link] if link else [], hashtags=tags,
            shared_post_id=shared, extra_props=props, author_props=author_props,
        )  # fmt: skip
        return Record(f"posts_by_{label}", f"post:{post_id}", record)
