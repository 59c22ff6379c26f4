"""Column-built posts into the importer's files: a batch of posts as Arrow columns,
written with Arrow's CSV writer, with no Python object per post.

A batch goes this way only when ``CsvSink._post`` would have written every one of its
rows to CSV (none to the replay spool): every post id new to the load and once in the
batch. Then the files hold the same rows ``_post`` writes (the Post node with the same
cells, POSTED, LINKS_TO, TAGS, SHARES), the sink's sets learn the same ids (authors'
stubs, referenced posts, URLs, hashtags) and ``created`` is the count ``_post`` would
have returned, including where the order it sees the rows in matters (a post shared by
another of the same batch is referenced, not created, when the sharer goes first). Any
other batch is the caller's to send row by row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from cibgraph.graph.server import admin
from cibgraph.loaders.bulk.columns import POST, header_of

if TYPE_CHECKING:  # the sink imports this module
    from cibgraph.loaders.bulk.sink import CsvSink

# The Post node's cells by header column: the posts table's field, or always empty.
_POST_CELLS = {
    "created_at": "created_text",
    "text": "text",
    "text_hash": "text_hash",
    "image_hash": "image_hash",
    "url_given": "url_given",
}
_POST_HEADER = ["id:ID(Post)", *header_of(POST), "stub:boolean"]
_OPTIONS = pcsv.WriteOptions(include_header=False, quoting_style="needed")


@dataclass
class _Out:
    path: Path
    kind: str
    labels: tuple[str, ...]
    handle: IO[bytes]
    writer: pcsv.CSVWriter | None = None
    rows: int = 0


def _blank_as_null(array: pa.Array) -> pa.Array:
    """csv.writer writes "" and None alike, and the importer reads both as no value;
    Arrow would quote an empty string, which the importer keeps as one."""
    if not pa.types.is_string(array.type):
        return array
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


# Batches are routed one by one (claims and counts depend on their order); the files
# and the sink's sets (order-free) are written a few tens of thousands of posts at once.
FLUSH_ROWS = 50_000


class PostFiles:
    """The column path's own importer files (beside the sink's, same labels and types)."""

    def __init__(self, folder: Path, sink: CsvSink) -> None:
        self.folder = folder
        self.sink = sink
        self._outs: dict[str, _Out] = {}
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def add(self, posts: pa.Table) -> None:
        """Posts routed (claimed, counted), to be written."""
        self._pending.append(posts)
        self._pending_rows += posts.num_rows
        if self._pending_rows >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write what was added; the sink learns its authors, URLs and hashtags. Called at
        the end of every file, before anything else reads those sets."""
        if not self._pending:
            return
        posts = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        _learn(self.sink, posts)
        self.write(posts)

    def _out(self, name: str, header: list[str], kind: str, *labels: str) -> _Out:
        found = self._outs.get(name)
        if found is None:
            path = self.folder / f"{name}.columns.csv"
            handle = path.open("wb")
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerow(header)  # Arrow ends its rows so
            handle.write(text.getvalue().encode("utf-8"))
            found = self._outs[name] = _Out(path, kind, labels, handle)
        return found

    def _write(self, out: _Out, columns: list[pa.Array]) -> None:
        if not len(columns[0]):
            return
        table = pa.table(
            [_blank_as_null(c) for c in columns], names=[f"c{i}" for i in range(len(columns))]
        )
        if out.writer is None:
            out.writer = pcsv.CSVWriter(out.handle, table.schema, write_options=_OPTIONS)
        out.writer.write_table(table)
        out.rows += table.num_rows

    def write(self, posts: pa.Table) -> None:
        """One batch of posts (``arrays.POST_FIELDS``), every one to be written."""
        rows = posts.num_rows
        ids = posts.column("id").combine_chunks()
        cells = [ids]
        for name, kind in POST:
            field = _POST_CELLS.get(name)
            if field is not None:
                cells.append(posts.column(field).combine_chunks())
            else:
                cells.append(pa.nulls(rows, pa.bool_() if kind == "boolean" else pa.string()))
        cells.append(pa.array([False] * rows, pa.bool_()))
        self._write(self._out("Post", _POST_HEADER, "nodes", "Post"), cells)
        kinds = posts.column("author_type").combine_chunks()
        authors = posts.column("author_id").combine_chunks()
        for label in ("Account", "Page"):
            mask = pc.equal(kinds, label.lower())
            header = [f":START_ID({label})", ":END_ID(Post)"]
            out = self._out(f"POSTED_{label}", header, "relationships", "POSTED")
            self._write(out, [pc.filter(authors, mask), pc.filter(ids, mask)])
        urls = posts.column("url").combine_chunks()
        has_url = pc.is_valid(urls)
        out = self._out(
            "LINKS_TO", [":START_ID(Post)", ":END_ID(Url)"], "relationships", "LINKS_TO"
        )
        self._write(out, [pc.filter(ids, has_url), pc.filter(urls, has_url)])
        tags = posts.column("hashtags").combine_chunks()
        parents = pc.list_parent_indices(tags)
        out = self._out("TAGS", [":START_ID(Post)", ":END_ID(Hashtag)"], "relationships", "TAGS")
        self._write(out, [pc.take(ids, parents), pc.list_flatten(tags)])
        shared = posts.column("shared_post_id").combine_chunks()
        has_share = pc.is_valid(shared)
        out = self._out("SHARES", [":START_ID(Post)", ":END_ID(Post)"], "relationships", "SHARES")
        self._write(out, [pc.filter(ids, has_share), pc.filter(shared, has_share)])

    def sources(self) -> list[admin.ImportSource]:
        self.flush()
        self.close()
        return [
            admin.ImportSource(out.kind, (out.path,), out.labels)
            for out in self._outs.values()
            if out.rows
        ]

    def close(self) -> None:
        for out in self._outs.values():
            if out.writer is not None:
                out.writer.close()
                out.writer = None
            out.handle.close()


def _learn(sink: CsvSink, posts: pa.Table) -> None:
    """The authors (stubs unless loaded in full), URLs and hashtags of written posts."""
    kinds = posts.column("author_type").combine_chunks()
    authors = posts.column("author_id").combine_chunks()
    for label in ("Account", "Page"):
        actors = sink.actors[label]
        named = set(pc.unique(pc.filter(authors, pc.equal(kinds, label.lower()))).to_pylist())
        for author in named - actors.full - actors.stubs.keys():
            actors.stubs[author] = {}  # a dict of its own: author props may merge into it
    sink._urls.update(pc.unique(posts.column("url").combine_chunks().drop_null()).to_pylist())
    tags = pc.list_flatten(posts.column("hashtags").combine_chunks())
    sink._tags.update(pc.unique(tags).to_pylist())


def _shared_first(posts: pa.Table, ids: pa.Array) -> set[str]:
    """Posts of the batch that another post of it shares *before* its own row is routed:
    ``_post`` then finds them referenced (``_post_refs``), not created. The rows go in as
    ``write_batch`` groups them: by statement in order of first appearance, then in order."""
    target = pc.index_in(posts.column("shared_post_id").combine_chunks(), value_set=ids)
    inside = pc.is_valid(target)
    if not pc.any(inside).as_py():
        return set()
    kinds = posts.column("author_type").combine_chunks()
    rows = len(ids)
    later_group = pc.cast(pc.not_equal(kinds, kinds[0]), pa.int64())
    rank = pc.add(pc.multiply(later_group, rows), pa.array(np.arange(rows, dtype=np.int64)))
    targets = pc.filter(target, inside)
    earlier = pc.less(pc.filter(rank, inside), pc.take(rank, targets))
    return set(pc.unique(pc.take(ids, pc.filter(targets, earlier))).to_pylist())


def take_posts(sink: CsvSink, posts: pa.Table) -> int | None:
    """Route a batch of column-built posts as ``CsvSink._post`` would, row by row; the
    number of posts it created, or None (nothing done) when the batch is not one this
    can route exactly (module docstring)."""
    id_array = posts.column("id").combine_chunks()
    ids: list[str] = id_array.to_pylist()
    id_set = set(ids)
    if len(id_set) != len(ids) or sink.post_claims.any_of(ids):
        return None  # a post id again: last row wins, field by field, by the row path
    if sink.post_files is None:
        sink.post_files = PostFiles(sink.folder, sink)
    shared = list(set(posts.column("shared_post_id").drop_null().to_pylist()))
    referenced = _shared_first(posts, id_array)
    created = len(id_set) - len((sink._post_refs & id_set) | referenced)
    sink.post_claims.update(ids)
    sink._post_refs |= referenced | sink.posts_unwritten(shared)
    sink.post_files.add(posts)
    sink.column_rows += len(ids)
    return created
