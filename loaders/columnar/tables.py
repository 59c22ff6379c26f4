"""A block of accounts, pages or identifiers as Arrow columns, for the rows the column
checks are sure of: what ``validate._account``, ``_page`` and ``_identifier`` would put
in a row, with no Python object per row (``columns_load.py`` routes them).

The values are typed as the row path's are (timestamps as UTC microseconds, counts as
int64, flags as booleans); an identifier's keyed hash is computed once per distinct
(kind, value) by the very ``IdentifierHasher`` the row path calls, and a value it
refuses leaves its row to the row path, which rejects it with the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from cibgraph.loaders.columnar.arrays import (
    CACHE_LIMIT,
    ArrowChecked,
    BlockColumns,
    Parsed,
    check_arrow,
)
from cibgraph.loaders.columnar.blocks import Block
from cibgraph.loaders.contract import CONTRACT, FieldType
from cibgraph.loaders.records import Record
from cibgraph.loaders.validate import ValidationContext
from cibgraph.loaders.values import BadValue

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The kinds by columns beside posts, and the column holding each one's id.
ID_COLUMN = {"accounts": "account_id", "pages": "page_id"}
# The identifier table's fields beside its dated props.
IDENTIFIER_FIELDS = ("id", "kind", "hash", "account_id")
IDENTIFIER_PROPS = ("first_seen", "last_seen")


def _checked(
    kind: str, block: Block, ctx: ValidationContext, caches: dict[str, dict[str, Parsed]]
) -> tuple[dict[str, ArrowChecked], pa.BooleanArray]:
    checked: dict[str, ArrowChecked] = {}
    for column in CONTRACT[kind].columns:
        if column.name not in block.table.column_names:
            continue
        array = block.table.column(column.name).combine_chunks()
        cache = caches.setdefault(column.name, {})
        checked[column.name] = check_arrow(column, array, assume_utc=ctx.assume_utc, cache=cache)
    sure: pa.BooleanArray = pa.array([True] * block.rows, pa.bool_())
    for found in checked.values():
        sure = pc.and_(sure, found.sure)
    return checked, sure


def _value(kind: str, name: str, checked: dict[str, ArrowChecked], rows: int) -> pa.Array:
    found = checked.get(name)
    if found is not None:
        return found.values
    column = CONTRACT[kind].column(name)
    return pa.nulls(rows, pa.int64() if column.type == FieldType.TIMESTAMP else pa.string())


def actor_columns(
    kind: str, block: Block, ctx: ValidationContext, caches: dict[str, dict[str, Parsed]]
) -> BlockColumns:
    """Accounts or pages: ``id`` and each contract column but the id, typed."""
    checked, sure = _checked(kind, block, ctx, caches)
    names = [name for name in CONTRACT[kind].names if name != ID_COLUMN[kind]]
    columns = [_value(kind, ID_COLUMN[kind], checked, block.rows)]
    columns += [_value(kind, name, checked, block.rows) for name in names]
    return BlockColumns(sure, pa.table(columns, names=["id", *names]))


def _digests(
    kinds: pa.Array, values: pa.Array, ctx: ValidationContext, cache: dict[str, Parsed]
) -> tuple[pa.Array, pa.BooleanArray]:
    """Each row's keyed hash, once per distinct (kind, value), and which rows have one."""
    hasher = ctx.hasher
    if hasher is None:  # every row is the row path's to reject, with its reason
        raise ValueError("no hashing secret")
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    # NUL never occurs in a sure value (arrays._texts) nor in a kind (an enum).
    encoded = pc.dictionary_encode(pc.binary_join_element_wise(kinds, values, "\x00"))
    digests: list[str | None] = []
    for pair in encoded.dictionary.to_pylist():
        found = cache.get(pair)
        if found is None:
            kind, value = pair.split("\x00", 1)
            try:
                found = cache[pair] = (hasher.hash(kind, value), True, None)
            except BadValue:
                found = cache[pair] = (None, False, None)
        digests.append(found[0])
    hashed = pc.take(pa.array(digests, pa.string()), encoded.indices)
    return hashed, pc.is_valid(hashed)


def identifier_columns(
    block: Block, ctx: ValidationContext, caches: dict[str, dict[str, Parsed]]
) -> BlockColumns:
    """Identifiers: ``IDENTIFIER_FIELDS`` (the node id is ``kind:hash``) and the props."""
    checked, sure = _checked("identifiers", block, ctx, caches)
    null = pa.scalar(None, pa.string())
    kinds = pc.if_else(sure, _value("identifiers", "kind", checked, block.rows), null)
    values = pc.if_else(sure, _value("identifiers", "value", checked, block.rows), null)
    hashed, hashable = _digests(kinds, values, ctx, caches.setdefault("\x00identifier", {}))
    columns = [
        pc.binary_join_element_wise(kinds, hashed, ":"),
        kinds,
        hashed,
        _value("identifiers", "account_id", checked, block.rows),
    ]
    columns += [_value("identifiers", name, checked, block.rows) for name in IDENTIFIER_PROPS]
    table = pa.table(columns, names=[*IDENTIFIER_FIELDS, *IDENTIFIER_PROPS])
    return BlockColumns(pc.and_(sure, hashable), table)


def _typed(row: dict[str, Any], kind: str, names: list[str]) -> dict[str, Any]:
    """The present values, as the row path's ``_props`` keeps them, timestamps as
    datetimes."""
    spec = CONTRACT[kind]
    props: dict[str, Any] = {}
    for name in names:
        value = row[name]
        if value is None:
            continue
        if spec.column(name).type == FieldType.TIMESTAMP:
            value = _EPOCH + timedelta(microseconds=value)
        props[name] = value
    return props


def actor_records(kind: str, table: pa.Table) -> list[Record]:
    """Column-built accounts or pages as the records ``validate._account`` builds."""
    names = [name for name in table.column_names if name != "id"]
    return [
        Record(kind, row["id"], {"id": row["id"], "props": _typed(row, kind, names)})
        for row in table.to_pylist()
    ]


def identifier_records(table: pa.Table) -> list[Record]:
    """Column-built identifiers as the records ``validate._identifier`` builds."""
    out: list[Record] = []
    for row in table.to_pylist():
        built = {name: row[name] for name in IDENTIFIER_FIELDS}
        built["props"] = _typed(row, "identifiers", list(IDENTIFIER_PROPS))
        out.append(Record("identifiers", f"{row['account_id']}|{row['id']}", built))
    return out
