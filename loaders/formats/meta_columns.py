"""Meta Content Library CSV for the column path (``columns.py``):
``meta_content_library.py``'s mapping, field for field, with ids, texts and timestamps
handed to ``Cells``."""

from __future__ import annotations

from typing import Any

from cibgraph.loaders.formats import meta_content_library
from cibgraph.loaders.formats.column_fields import Decline, optional_text, post_row
from cibgraph.loaders.formats.columns import Cells
from cibgraph.loaders.formats.common import ItemRow
from cibgraph.loaders.records import Record
from cibgraph.loaders.values import parse_bool, parse_tags


def _content_id(cells: Cells, value: str) -> str:
    if meta_content_library._SCIENTIFIC.match(value):
        raise Decline
    return cells.id(value)


def map_meta(
    reader: meta_content_library.MetaContentLibraryReader, row: ItemRow, cells: Cells
) -> Record | None:
    if reader.header_problem or reader.ctx.keep_extra:
        return None
    values: dict[str, str] = row.item
    post_id = _content_id(cells, values["id"])
    owner = _content_id(cells, values["post_owner.id"])
    label = meta_content_library.OWNER_TYPES.get(values["post_owner.type"].strip().lower())
    if label is None or values["creation_time"] == "":
        raise Decline
    props: dict[str, Any] = {}
    cells.time(values["creation_time"], props, "created_at")
    text = optional_text(cells, values.get("text"))
    shared = values.get("shared_post_id") or None
    if shared is not None:
        _content_id(cells, shared)
    urls: list[str] = []
    link = values.get("link_attachment.link") or None
    if link is not None:
        cells.url(link, urls)
    tags = [] if text is None else parse_tags(meta_content_library._HASHTAG.findall(text))
    for column, prop in (("lang", "lang"), ("surface.name", "surface_name")):
        value = optional_text(cells, values.get(column))
        if value is not None:
            props[prop] = value
    if values.get("surface.id"):
        props["surface_id"] = _content_id(cells, values["surface.id"])
    if values.get("is_branded_content"):
        props["branded_content"] = parse_bool(values["is_branded_content"])
    for column, prop in reader.stat_columns:
        cell = values.get(column)
        if cell:
            # parse_int goes through a float: exact for 15 digits.
            if not (cell.isascii() and cell.isdigit() and len(cell) <= 15):
                raise Decline
            props[prop] = int(cell)
    author_props: dict[str, Any] = {}
    name = optional_text(cells, values.get("post_owner.name"))
    if name is not None:
        author_props["name" if label == "page" else "display_name"] = name
    username = optional_text(cells, values.get("post_owner.username"))
    if username is not None:
        author_props["handle"] = username
    post = post_row(post_id, owner, props, text, cells, author_props, shared, tags)
    post["urls"] = urls
    return Record(f"posts_by_{label}", f"post:{post_id}", post)
