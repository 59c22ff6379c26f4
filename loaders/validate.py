"""Turning one raw row of a contract file into a ``Record`` or a ``Rejection``.

Validation happens in two steps: every column is parsed by its type from
``loaders/contract.py`` (first bad cell wins, with its column named), then a small
builder per file kind shapes the parameters of its write statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cibgraph.loaders.contract import CONTRACT, FileSpec
from cibgraph.loaders.fingerprints import IdentifierHasher, text_hash
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.values import BadValue, is_missing, parse, parse_text

EXTRA_PREFIX = "x_"


@dataclass(frozen=True)
class ValidationContext:
    hasher: IdentifierHasher | None = None
    keep_extra: bool = False


def _props(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Only present values: a later row never erases a field with an empty cell."""
    return {n: values[n] for n in names if values.get(n) is not None}


def parse_columns(spec: FileSpec, raw: RawRow) -> dict[str, Any] | Rejection:
    values: dict[str, Any] = {}
    for column in spec.columns:
        cell = raw.values.get(column.name)
        if is_missing(cell):
            if column.required:
                reason = (
                    f"missing required column {column.name!r}"
                    if column.name not in raw.values
                    else f"missing required value for {column.name!r}"
                )
                return Rejection(raw.line, column.name, reason, raw.raw)
            values[column.name] = None
            continue
        try:
            values[column.name] = parse(column, cell)
        except BadValue as exc:
            return Rejection(raw.line, column.name, str(exc), raw.raw)
    return values


def _extras(spec: FileSpec, raw: RawRow) -> dict[str, Any] | Rejection:
    extras: dict[str, Any] = {}
    for name, cell in raw.values.items():
        if name in spec.names or is_missing(cell):
            continue
        try:
            extras[EXTRA_PREFIX + str(name)] = parse_text(cell)
        except BadValue as exc:
            return Rejection(raw.line, str(name), str(exc), raw.raw)
    return extras


def _organization(v: dict[str, Any], ctx: ValidationContext) -> Record:
    row = {
        "id": v["org_id"],
        "props": _props(v, "name", "kind", "country"),
        "parent_id": v["parent_org_id"],
    }
    return Record("organizations", v["org_id"], row)


def _account(v: dict[str, Any], ctx: ValidationContext) -> Record:
    props = _props(
        v, "platform", "handle", "display_name", "created_at", "followers", "country", "verified"
    )
    return Record("accounts", v["account_id"], {"id": v["account_id"], "props": props})


def _page(v: dict[str, Any], ctx: ValidationContext) -> Record:
    props = _props(v, "platform", "name", "category", "created_at", "followers", "country")
    return Record("pages", v["page_id"], {"id": v["page_id"], "props": props})


def _page_admin(v: dict[str, Any], ctx: ValidationContext) -> Record:
    row = {
        "page_id": v["page_id"],
        "account_id": v["account_id"],
        "props": _props(v, "role", "since"),
    }
    return Record("page_admins", f"{v['page_id']}|{v['account_id']}", row)


def _affiliation(v: dict[str, Any], ctx: ValidationContext) -> Record:
    row = {
        "subject_id": v["subject_id"],
        "org_id": v["org_id"],
        "props": _props(v, "source", "confidence", "evidence", "disclosed"),
    }
    key = f"{v['subject_type']}:{v['subject_id']}|{v['org_id']}"
    return Record(f"affiliations_{v['subject_type']}", key, row)


def post_row(
    post_id: str,
    author_id: str,
    created_at: Any,
    text: str | None = None,
    urls: list[str] | None = None,
    hashtags: list[str] | None = None,
    shared_post_id: str | None = None,
    extra_props: dict[str, Any] | None = None,
    author_props: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The parameters of one post write; shared with the peer formats."""
    props: dict[str, Any] = {"created_at": created_at, **(extra_props or {})}
    if text is not None:
        props["text"] = text
        fingerprint = text_hash(text)
        if fingerprint is not None:
            props["text_hash"] = fingerprint
    return {
        "id": post_id,
        "author_id": author_id,
        "props": props,
        "author_props": author_props or {},
        "urls": urls or [],
        "hashtags": hashtags or [],
        "shared_post_id": shared_post_id,
    }


def _post(v: dict[str, Any], ctx: ValidationContext) -> Record:
    row = post_row(
        v["post_id"],
        v["author_id"],
        v["created_at"],
        text=v["text"],
        urls=[v["url"]] if v["url"] else [],
        hashtags=v["hashtags"],
        shared_post_id=v["shared_post_id"],
    )
    return Record(f"posts_by_{v['author_type']}", v["post_id"], row)


def _ad(v: dict[str, Any], ctx: ValidationContext) -> Record:
    props = _props(v, "spend", "currency", "started_at", "ended_at", "paid_for_by")
    return Record("ads", v["ad_id"], {"id": v["ad_id"], "page_id": v["page_id"], "props": props})


def _identifier(v: dict[str, Any], ctx: ValidationContext) -> Record:
    if ctx.hasher is None:
        raise BadValue("no hashing secret: run `cib db install` or set CIBGRAPH_HASH_SECRET")
    digest = ctx.hasher.hash(v["kind"], v["value"])
    node_id = f"{v['kind']}:{digest}"
    row = {
        "id": node_id,
        "kind": v["kind"],
        "hash": digest,
        "account_id": v["account_id"],
        "props": _props(v, "first_seen", "last_seen"),
    }
    return Record("identifiers", f"{v['account_id']}|{node_id}", row)


BUILDERS: dict[str, Callable[[dict[str, Any], ValidationContext], Record]] = {
    "organizations": _organization,
    "accounts": _account,
    "pages": _page,
    "page_admins": _page_admin,
    "affiliations": _affiliation,
    "posts": _post,
    "ads": _ad,
    "identifiers": _identifier,
}


def validate_row(kind: str, raw: RawRow, ctx: ValidationContext) -> Record | Rejection:
    if raw.problem is not None:
        return Rejection(raw.line, raw.column, raw.problem, raw.raw)
    spec = CONTRACT[kind]
    values = parse_columns(spec, raw)
    if isinstance(values, Rejection):
        return values
    try:
        record = BUILDERS[kind](values, ctx)
    except BadValue as exc:
        column = "value" if kind == "identifiers" else None
        return Rejection(raw.line, column, str(exc), raw.raw)
    if ctx.keep_extra:
        extras = _extras(spec, raw)
        if isinstance(extras, Rejection):
            return extras
        if extras:
            record.row.setdefault("props", {}).update(extras)
    return record


def redact(kind: str, raw: RawRow, hasher: IdentifierHasher | None) -> str:
    """The text of a rejected row as it may be written to disk.

    Identifier rows carry personal data, so their value is replaced by its keyed
    hash (or withheld) before the row reaches the rejects file.
    """
    if kind != "identifiers":
        return raw.raw
    value = raw.values.get("value") if raw.values else None
    kind_value = raw.values.get("kind") if raw.values else None
    if not raw.values:
        return "[row withheld: identifier rows may hold personal data]"
    shown = "[withheld]"
    if isinstance(value, str) and isinstance(kind_value, str) and hasher is not None:
        try:
            shown = "hmac:" + hasher.hash(kind_value.strip().lower(), value)
        except BadValue:
            shown = "[withheld]"
    redacted = {**raw.values, "value": shown}
    return ",".join(f"{k}={v}" for k, v in redacted.items())
