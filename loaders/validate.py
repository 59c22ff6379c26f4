"""Turning one raw row of a contract file into a ``Record`` or a ``Rejection``.

Validation happens in two steps: every column is parsed by its type from
``loaders/contract.py`` (first bad cell wins, with its column named), then a small
builder per file kind shapes the parameters of its write statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cibgraph.loaders.contract import CONTRACT, FileSpec
from cibgraph.loaders.fingerprints import IdentifierHasher, text_hash
from cibgraph.loaders.records import Record, Rejection
from cibgraph.loaders.sources import RawRow
from cibgraph.loaders.urls import keep_given_url
from cibgraph.loaders.values import BadValue, is_missing, parse, parse_text

EXTRA_PREFIX = "x_"


@dataclass(frozen=True)
class ValidationContext:
    hasher: IdentifierHasher | None = None
    keep_extra: bool = False
    # strict: a bad value in an optional column rejects the row (as before 0.2); by
    # default the row is kept without that value and a warning is counted.
    strict: bool = False
    assume_utc: bool = False  # timestamps without an offset are UTC (--assume-utc)


LEFT_OUT = "value left out: "


class Warnings(list[Rejection]):
    """Bad optional values met while validating one row (the row itself is kept)."""

    def keep(self, ctx: ValidationContext, raw: RawRow, column: str, exc: BadValue) -> None:
        """Record the left-out value, or reject the row under --strict."""
        if ctx.strict:
            raise exc
        self.append(Rejection(raw.line, column, LEFT_OUT + str(exc), raw.raw))


def _props(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Only present values: a later row never erases a field with an empty cell."""
    return {n: values[n] for n in names if values.get(n) is not None}


def _missing_required(spec: FileSpec, raw: RawRow) -> list[str]:
    return [name for name in spec.required if name not in raw.values]


def parse_columns(
    spec: FileSpec,
    raw: RawRow,
    ctx: ValidationContext | None = None,
    warnings: Warnings | None = None,
) -> dict[str, Any] | Rejection:
    # Without a context (graph/evaluate.py's truth files) every bad value rejects its row.
    ctx = ctx or ValidationContext(strict=True)
    warnings = Warnings() if warnings is None else warnings
    values: dict[str, Any] = {}
    for column in spec.columns:
        cell = raw.values.get(column.name)
        if is_missing(cell):
            if column.required:
                absent = _missing_required(spec, raw)
                if column.name not in raw.values and len(absent) > 1:
                    # Every absent column at once: fixing one at a time is a slow loop.
                    reason = "missing required columns " + ", ".join(map(repr, absent))
                elif column.name not in raw.values:
                    reason = f"missing required column {column.name!r}"
                else:
                    reason = f"missing required value for {column.name!r}"
                return Rejection(raw.line, column.name, reason, raw.raw)
            values[column.name] = None
            continue
        try:
            values[column.name] = parse(column, cell, assume_utc=ctx.assume_utc)
        except BadValue as exc:
            if column.required or ctx.strict:
                return Rejection(raw.line, column.name, str(exc), raw.raw)
            warnings.keep(ctx, raw, column.name, exc)
            values[column.name] = None
    return values


def _extras(
    spec: FileSpec, raw: RawRow, ctx: ValidationContext, warnings: Warnings
) -> dict[str, Any] | Rejection:
    extras: dict[str, Any] = {}
    for name, cell in raw.values.items():
        if name in spec.names or is_missing(cell):
            continue
        try:
            extras[EXTRA_PREFIX + str(name)] = parse_text(cell)
        except BadValue as exc:
            if ctx.strict:
                return Rejection(raw.line, str(name), str(exc), raw.raw)
            warnings.keep(ctx, raw, str(name), exc)
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
        extra_props=_props(v, "image_hash"),
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
    warnings = Warnings()
    values = parse_columns(spec, raw, ctx, warnings)
    if isinstance(values, Rejection):
        return values
    try:
        record = BUILDERS[kind](values, ctx)
        if kind == "posts":
            keep_given_url(record.row, values["url"], raw.values.get("url"))
    except BadValue as exc:
        column = "value" if kind == "identifiers" else None
        return Rejection(raw.line, column, str(exc), raw.raw)
    if ctx.keep_extra:
        extras = _extras(spec, raw, ctx, warnings)
        if isinstance(extras, Rejection):
            return extras
        if extras:
            record.row.setdefault("props", {}).update(extras)
    return replace(record, warnings=tuple(warnings)) if warnings else record


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
