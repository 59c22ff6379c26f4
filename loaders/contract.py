"""The input data contract, as data: files, columns, types, enums.

One source of truth for the validators (``loaders/validate.py``), the scenario
generator and README's contract table. Column order here is the order the
generator writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cibgraph.graph.detect.disclosure import DISCLOSURE_SOURCES


class FieldType(StrEnum):
    ID = "id"  # non-empty, at most MAX_ID_LENGTH characters, no control characters
    TEXT = "text"
    INT = "int"  # non-negative integer
    FLOAT = "float"  # non-negative number
    BOOL = "bool"  # true/false, 1/0, yes/no
    TIMESTAMP = "timestamp"  # ISO 8601 with an offset, or epoch seconds
    ENUM = "enum"
    CONFIDENCE = "confidence"  # number in [0, 1]
    CURRENCY = "currency"  # ISO 4217 code, three letters
    COUNTRY = "country"  # ISO 3166-1 alpha-2 code
    TAGS = "tags"  # a list: JSON array in JSONL; ';' or whitespace separated in CSV
    URL = "url"


MAX_ID_LENGTH = 256
# Optional timestamp columns that also take a plain ISO date (YYYY-MM-DD), read as that
# day at 00:00 UTC: exports often give a day for "admin since" or "first seen". A post's
# created_at (required) does not: its time is what co-sharing windows measure, and a
# day would make every post of that day look simultaneous.
DATE_COLUMNS = ("since", "first_seen", "last_seen", "started_at", "ended_at", "created_at")

_DISCLOSURE = ", ".join(DISCLOSURE_SOURCES)
MAX_TEXT_LENGTH = 100_000

ORG_KINDS = ("it_firm", "party", "it_cell", "media", "agency", "government", "ngo", "other")
SUBJECT_TYPES = ("account", "page")
AUTHOR_TYPES = ("account", "page")
IDENTIFIER_KINDS = ("ip", "device", "phone", "email", "payment")


@dataclass(frozen=True)
class Column:
    name: str
    type: FieldType
    required: bool = False
    choices: tuple[str, ...] = ()

    @property
    def takes_date(self) -> bool:
        """A plain ISO date is accepted as that day (see DATE_COLUMNS)."""
        return self.type == FieldType.TIMESTAMP and not self.required and self.name in DATE_COLUMNS


@dataclass(frozen=True)
class FileSpec:
    kind: str
    columns: tuple[Column, ...]
    # Kinds that must load first in one call (organisations before affiliations, ...).
    after: tuple[str, ...] = ()
    description: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _c(
    name: str, type_: FieldType, required: bool = False, choices: tuple[str, ...] = ()
) -> Column:
    return Column(name, type_, required, choices)


T = FieldType

CONTRACT: dict[str, FileSpec] = {
    spec.kind: spec
    for spec in (
        FileSpec(
            "organizations",
            (
                _c("org_id", T.ID, True),
                _c("name", T.TEXT, True),
                _c("kind", T.ENUM, choices=ORG_KINDS),
                _c("country", T.COUNTRY),
                _c("parent_org_id", T.ID),
            ),
            description="Organisations (parties, IT cells, firms, media groups) and their parents.",
        ),
        FileSpec(
            "accounts",
            (
                _c("account_id", T.ID, True),
                _c("platform", T.TEXT),
                _c("handle", T.TEXT),
                _c("display_name", T.TEXT),
                _c("created_at", T.TIMESTAMP),
                _c("followers", T.INT),
                _c("country", T.COUNTRY),
                _c("verified", T.BOOL),
            ),
            description="User accounts.",
        ),
        FileSpec(
            "pages",
            (
                _c("page_id", T.ID, True),
                _c("platform", T.TEXT),
                _c("name", T.TEXT),
                _c("category", T.TEXT),
                _c("created_at", T.TIMESTAMP),
                _c("followers", T.INT),
                _c("country", T.COUNTRY),
            ),
            description="Pages (and groups) run by admin accounts.",
        ),
        FileSpec(
            "page_admins",
            (
                _c("page_id", T.ID, True),
                _c("account_id", T.ID, True),
                _c("role", T.TEXT),
                _c("since", T.TIMESTAMP),
            ),
            after=("accounts", "pages"),
            description="Which accounts administer which pages.",
        ),
        FileSpec(
            "affiliations",
            (
                _c("subject_id", T.ID, True),
                _c("subject_type", T.ENUM, True, SUBJECT_TYPES),
                _c("org_id", T.ID, True),
                _c("source", T.TEXT),
                _c("confidence", T.CONFIDENCE),
                _c("evidence", T.TEXT),
                _c("disclosed", T.BOOL),
            ),
            after=("organizations", "accounts", "pages"),
            description="Accounts or pages tied to organisations, with source and confidence; "
            "`disclosed` (true/false) says the tie is public, and when it is empty these "
            f"sources mean public (any case, `-`/`_` as spaces): {_DISCLOSURE}.",
        ),
        FileSpec(
            "posts",
            (
                _c("post_id", T.ID, True),
                _c("author_id", T.ID, True),
                _c("author_type", T.ENUM, True, AUTHOR_TYPES),
                _c("created_at", T.TIMESTAMP, True),
                _c("text", T.TEXT),
                _c("url", T.URL),
                _c("hashtags", T.TAGS),
                _c("shared_post_id", T.ID),
                _c("image_hash", T.ID),
            ),
            after=("accounts", "pages"),
            description="Posts; a reshare names the post it shares. `image_hash` is the "
            "perceptual hash of the post's image (any fixed format, e.g. 16 hex digits of a "
            "pHash; CooRTweet's `phash_id`): posts with the same hash share one image.",
        ),
        FileSpec(
            "ads",
            (
                _c("ad_id", T.ID, True),
                _c("page_id", T.ID, True),
                _c("spend", T.FLOAT),
                _c("currency", T.CURRENCY),
                _c("started_at", T.TIMESTAMP),
                _c("ended_at", T.TIMESTAMP),
                _c("paid_for_by", T.TEXT),
            ),
            after=("pages",),
            description="Ads run by pages, with spend and currency.",
        ),
        FileSpec(
            "identifiers",
            (
                _c("account_id", T.ID, True),
                _c("kind", T.ENUM, True, IDENTIFIER_KINDS),
                _c("value", T.TEXT, True),
                _c("first_seen", T.TIMESTAMP),
                _c("last_seen", T.TIMESTAMP),
            ),
            after=("accounts",),
            description="Personal identifiers (IP, device, phone, email, payment); "
            "stored only as a keyed hash.",
        ),
    )
}

# Evaluation only: never loaded into the graph by `cib load`.
TRUTH = FileSpec(
    "truth",
    (
        _c("actor_id", T.ID, True),
        _c("actor_type", T.ENUM, True, SUBJECT_TYPES),
        _c("network_label", T.TEXT),
    ),
    description="Ground truth for `cib evaluate`: empty network_label means organic.",
)

# Evaluation only: actors that coordinate *authentically* (organic in truth), so
# `cib evaluate --decoys` can show that none of them is flagged.
DECOYS = FileSpec(
    "decoys",
    (
        _c("actor_id", T.ID, True),
        _c("actor_type", T.ENUM, True, SUBJECT_TYPES),
        _c("decoy_label", T.TEXT, True),
    ),
    description="Openly coordinating groups (media group, fan club, ...), for evaluation.",
)

LOAD_ORDER: tuple[str, ...] = (
    "organizations",
    "accounts",
    "pages",
    "page_admins",
    "affiliations",
    "posts",
    "ads",
    "identifiers",
)


def contract_table() -> str:
    """README's contract table, generated from the specs above (a test keeps them equal)."""
    lines = ["| file | required | optional | notes |", "| --- | --- | --- | --- |"]
    for kind in LOAD_ORDER:
        spec = CONTRACT[kind]
        required = ", ".join(c.name for c in spec.columns if c.required)
        optional = ", ".join(c.name for c in spec.columns if not c.required)
        enums = "; ".join(
            f"{c.name}: {', '.join(c.choices)}" for c in spec.columns if c.type == FieldType.ENUM
        )
        notes = spec.description + (f" ({enums})" if enums else "")
        lines.append(f"| `{kind}` | {required} | {optional} | {notes} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(contract_table(), end="")
