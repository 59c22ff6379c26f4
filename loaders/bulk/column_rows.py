"""Column-built accounts, pages and identifiers into the sink's files
(``columnar/tables.py`` builds them): a batch routed at once, as ``CsvSink._actor`` and
``_identifier`` route it row by row.

A batch goes this way only when the sink would have written every one of its rows to
CSV: each identity (an actor's id; an account and identifier pair) new to the load and
once in the batch. The same claims, stubs, identifier nodes and ``created`` count follow,
in the same order, and the files get the same rows, cell for cell, through the same CSV
writer. Any other batch is the caller's to send row by row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.bulk.columns import USES, header_of
from cibgraph.loaders.columnar.arrays import iso_text

if TYPE_CHECKING:  # the sink imports this module
    from cibgraph.loaders.bulk.sink import CsvSink

_LINE_BREAK = r"[\r\n]"


def _cells(array: pa.Array, kind: str) -> pa.Array:
    """A typed column as ``columns._cell`` writes each value (null: an empty cell)."""
    if kind == "datetime":
        return iso_text(array)
    if kind == "long":
        return pc.cast(array, pa.string())
    if kind == "boolean":
        return pc.if_else(array, pa.scalar("true"), pa.scalar("false"))
    if kind == "string":
        return array
    raise ValueError(f"no column form for {kind} cells")  # doubles: repr() is Python's


def _write(sink: CsvSink, out_name: str, columns: list[pa.Array], header: list[str] | None,
           kind: str, *labels: str) -> None:  # fmt: skip
    multiline = any(
        pc.any(pc.match_substring_regex(c, _LINE_BREAK)).as_py() is True
        for c in columns
        if pa.types.is_string(c.type)
    )
    out = sink._file(out_name, header, kind, *labels)
    sink.column_rows += out.write_rows(
        zip(*(c.to_pylist() for c in columns), strict=True), multiline
    )


def take_actors(sink: CsvSink, table: pa.Table, label: str) -> int | None:
    """Accounts or pages (``tables.actor_columns``) into the full actors' spool; the
    number created (not seen before as a stub), or None when the batch is not one this
    routes exactly."""
    actors = sink.actors[label]
    ids: list[str] = table.column("id").to_pylist()
    keys = [(label, actor) for actor in ids]
    if len(set(ids)) != len(ids) or any(key in sink._owned for key in keys):
        return None  # an actor again: last row wins, field by field, by the row path
    cells = [_cells(table.column(name).combine_chunks(), kind) for name, kind in actors.columns]
    id_array = table.column("id").combine_chunks()
    key = pc.binary_join_element_wise(pa.scalar(f"{actors.prefix}:"), id_array, "")
    flag = pa.array(["false"] * len(ids), pa.string())
    sink._owned.update(keys)
    created = sum(1 for actor in ids if actor not in actors.stubs)
    actors.full.update(ids)
    _write(sink, f"{label}_full", [id_array, key, *cells, flag], None, "spool")
    return created


def take_identifiers(sink: CsvSink, table: pa.Table) -> int | None:
    """Identifiers (``tables.identifier_columns``): USES, the identifier nodes and the
    accounts' stubs; the number created (every one), or None as ``take_actors``."""
    accounts: list[str] = table.column("account_id").to_pylist()
    node_ids: list[str] = table.column("id").to_pylist()
    keys = [("USES", account, node) for account, node in zip(accounts, node_ids, strict=True)]
    if len(set(keys)) != len(keys) or any(key in sink._owned for key in keys):
        return None
    dated = [_cells(table.column(name).combine_chunks(), kind) for name, kind in USES]
    sink._owned.update(keys)
    known = sink._identifiers
    kinds, hashes = table.column("kind").to_pylist(), table.column("hash").to_pylist()
    for node, kind, digest in zip(node_ids, kinds, hashes, strict=True):
        known.setdefault(node, (kind, digest))
    account_actors = sink.actors["Account"]
    for account in accounts:
        if account not in account_actors.full:
            account_actors.stubs.setdefault(account, {})
    header = [":START_ID(Account)", ":END_ID(Identifier)", *header_of(USES)]
    ends = [table.column(n).combine_chunks() for n in ("account_id", "id")]
    _write(sink, "USES", [*ends, *dated], header, "relationships", "USES")
    return len(keys)
