"""Personal data: identifier values are never stored raw, nor exported, on a throwaway.

A coordinated group shares devices, phones, e-mails, IPs and payment instruments with
known raw values (long ones too, so they would land in Neo4j's string store as plain
UTF-8). After loading them, detecting and exporting the run, every property of every
node and relationship is read back, the data directory (transaction logs and, after
a clean stop that checkpoints them, the store files) is searched byte for byte
(``grep -a``), and so are the exports, the ledger and rejects files and
the server logs: no raw value, and no normalised form of one, is anywhere. A control
string that *is* stored (a post's text) is found by the same search, so the search
can see what is there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from cibgraph.graph.connection import Database
from cibgraph.loaders.fingerprints import normalise_identifier
from tests.markers import slow
from tests.throwaway import Throwaway, write_coordinated_group

pytestmark = pytest.mark.integration

MEMBERS = [f"member-{i:02d}" for i in range(10)]
CONTROL = "control-text-that-is-stored-9e3b7c51-as-plain-utf8-in-the-string-store"


def _raw_identifiers() -> list[tuple[str, str, str]]:
    """(account, kind, raw value): pairs of members share each value, as operators do."""
    rows: list[tuple[str, str, str]] = []
    for i, member in enumerate(MEMBERS):
        group = i // 2
        rows += [
            (member, "phone", f"+91 98{group:03d} 4{group:02d}17"),
            (member, "email", f"Operator.{group}.Canary-7f3a9b2c@Example.org"),
            (member, "ip", f"2001:db8:7f3a::{group + 1:x}"),
            (member, "ip", f"198.51.100.{group + 7}"),
            (member, "device", f"device-canary-7f3a9b2c-{group:02d}-android-long-identifier"),
            (member, "payment", f"IN-PAY-7f3a9b2c-{group:04d}-4111111111111111"),
        ]
    return rows


def _forms(rows: list[tuple[str, str, str]]) -> set[str]:
    """Every raw value and its normalised form (what would be hashed)."""
    forms = set()
    for _, kind, value in rows:
        forms |= {value, normalise_identifier(kind, value)}
    return forms


def _all_values(db: Database) -> list[str]:
    """Every property value of every node and relationship, as text (list items each)."""
    rows = db.read(
        "MATCH (n) RETURN properties(n) AS p UNION ALL MATCH ()-[r]->() RETURN properties(r) AS p"
    )
    values: list[str] = []
    for row in rows:
        for value in row["p"].values():
            values += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return values


def _grep(forms: set[str], where: list[Path], tmp: Path) -> list[str]:
    """``grep -a -r -F -o`` for any of ``forms`` in the files under ``where``."""
    patterns = tmp / "patterns.txt"
    patterns.write_text("".join(f + "\n" for f in sorted(forms)), encoding="utf-8")
    found = subprocess.run(
        ["grep", "-a", "-r", "-F", "-o", "-h", "-f", str(patterns), *map(str, where)],
        capture_output=True,
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr  # 1: nothing matched
    return sorted(set(found.stdout.decode("utf-8", "replace").splitlines()))


def test_identifiers_are_stored_and_exported_as_keyed_hashes_only(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    _check(fresh_throwaway, tmp_path, checkpoint=False)


@slow
def test_identifiers_are_absent_from_the_checkpointed_store_files(
    fresh_throwaway: Throwaway, tmp_path: Path
) -> None:
    _check(fresh_throwaway, tmp_path, checkpoint=True)


def _check(server: Throwaway, tmp_path: Path, checkpoint: bool) -> None:
    rows = _raw_identifiers()
    forms = _forms(rows)
    data = write_coordinated_group(tmp_path / "data", MEMBERS, identifiers=rows)
    extra = tmp_path / "extra"  # a rejected identifier row, and the control text
    extra.mkdir()
    (extra / "identifiers.csv").write_text(
        "account_id,kind,value\nmember-00,email,canary-7f3a9b2c-without-an-at-sign\n"
    )
    (extra / "posts-control.csv").write_text(
        "post_id,author_id,author_type,created_at,text\n"
        f"control-post,member-00,account,2019-04-02T10:00:00Z,{CONTROL}\n"
    )
    forms.add("canary-7f3a9b2c-without-an-at-sign")

    rejects = tmp_path / "rejects"
    for folder in (data, extra):
        done = server.cib("load", str(folder), "--quiet", "--rejects-dir", str(rejects))
        # extra/identifiers.csv has only its rejected row: that file's every row was
        # rejected (exit 5); the control posts beside it load all the same.
        assert done.returncode == (0 if folder == data else 5), done.stderr
    detected = server.cib("detect", "--window", "60", "--quiet")
    assert detected.returncode == 0, detected.stderr
    exports = tmp_path / "exports"
    for fmt in ("csv", "json", "graphml", "gexf"):
        done = server.cib("export", "--format", fmt, "--out", str(exports / fmt), "--quiet")
        assert done.returncode == 0, done.stderr

    with server.connect() as db:
        values = _all_values(db)
        identifiers: list[dict[str, Any]] = db.read(
            "MATCH (a:Account)-[:USES]->(i:Identifier) "
            "RETURN i.kind AS kind, i.hash AS hash, count(a) AS accounts"
        )
    leaked = sorted(f for f in forms for v in values if f in v)
    assert leaked == [], leaked
    # Shared values meet at one node, known only by its hash (HMAC-SHA256: 64 hex digits).
    assert len(identifiers) == len({(k, v) for _, k, v in rows}) == 30
    assert all(len(i["hash"]) == 64 and i["accounts"] == 2 for i in identifiers), identifiers
    assert CONTROL in values

    places = [server.paths.data, server.paths.logs, exports, rejects]
    # Every committed write is in the transaction log, byte for byte: searched as is,
    # and (slow) again after a clean stop, which checkpoints the store files
    # (Community Edition has no db.checkpoint() procedure).
    assert _grep(forms, places, tmp_path) == []
    assert _grep({CONTROL}, [server.paths.data], tmp_path) == [CONTROL]
    if checkpoint:
        server.stop()
        assert _grep(forms, places, tmp_path) == []
        # The same search finds what is stored: the control text, in the store files.
        store = [p for p in server.paths.data.rglob("*") if "transactions" not in p.parts]
        assert _grep({CONTROL}, [p for p in store if p.is_file()], tmp_path) == [CONTROL]
    assert any(p.name.endswith(".rejects.csv") for p in rejects.rglob("*"))
    print(
        f"\npersonal data (checkpoint={checkpoint}): {len(forms)} raw and normalised "
        f"values searched in {len(values):,} property values, the store files, logs, "
        "rejects and 4 export formats: 0 found"
    )
