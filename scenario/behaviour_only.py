"""A scenario as behaviour-only data: CooRTweet's shares layout, no account metadata.

The field's standard data (CooRTweet's German elections and Russian sets) carries who
shared what and when, and nothing about the accounts: no creation dates, followers,
handles, admins, affiliations, ads or identifiers. Writing a generated scenario in
that layout shows what detection can still say then (README, Detection quality:
behaviour-only): every post becomes one row per object it carries, in CooRTweet's
columns (``object_id, account_id, content_id, url_id, timestamp_share``):

- a reshare: ``object_id`` = the reshared post's id;
- a link: ``url_id`` = the URL;
- a text of four words or more: ``object_id`` = ``text-`` + its fingerprint (the same
  one detection uses for identical texts), as CooRTweet takes any shared object;
- a post with none of these: one row with neither, so its time still counts.

Pages become accounts (their ids never collide: ``a...`` and ``pg...``), and
``truth.csv`` / ``decoys.csv`` are rewritten with ``actor_type`` = account so that
`cib evaluate` matches the loaded actors.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from cibgraph.loaders.fingerprints import text_hash

SHARES_FILE = "shares.csv"
COLUMNS = ("object_id", "account_id", "content_id", "url_id", "timestamp_share")


@dataclass(frozen=True)
class BehaviourOnlySummary:
    out_dir: Path
    posts: int
    rows: int
    actors: int


def _open(folder: Path, kind: str) -> IO[str]:
    plain = folder / f"{kind}.csv"
    if plain.exists():
        return plain.open(encoding="utf-8", newline="")
    return gzip.open(folder / f"{kind}.csv.gz", "rt", encoding="utf-8", newline="")


def _rows(folder: Path, kind: str) -> Iterator[dict[str, str]]:
    with _open(folder, kind) as handle:
        yield from csv.DictReader(handle)


def _epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp())


def share_rows(post: dict[str, str]) -> list[tuple[str, str, str, str, str]]:
    """The CooRTweet rows of one contract post (module docstring)."""
    author, content, at = post["author_id"], post["post_id"], str(_epoch(post["created_at"]))
    rows = []
    if post.get("shared_post_id"):
        rows.append((post["shared_post_id"], author, content, "", at))
    if post.get("url"):
        rows.append(("", author, content, post["url"], at))
    fingerprint = text_hash(post.get("text") or "")
    if fingerprint is not None:
        rows.append((f"text-{fingerprint}", author, content, "", at))
    return rows or [("", author, content, "", at)]


def behaviour_only(source: Path, out: Path) -> BehaviourOnlySummary:
    """Write ``source`` (a generated scenario) to ``out`` as behaviour-only data."""
    out.mkdir(parents=True, exist_ok=True)
    posts = rows = 0
    actors: set[str] = set()
    with (out / SHARES_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for post in _rows(source, "posts"):
            posts += 1
            actors.add(post["author_id"])
            for share in share_rows(post):
                writer.writerow(share)
                rows += 1
    for kind, label in (("truth", "network_label"), ("decoys", "decoy_label")):
        with (out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("actor_id", "actor_type", label))
            for row in _rows(source, kind):
                # Only actors that posted exist in behaviour-only data.
                if row["actor_id"] in actors:
                    writer.writerow((row["actor_id"], "account", row[label]))
    return BehaviourOnlySummary(out, posts, rows, len(actors))
