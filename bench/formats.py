"""Benchmark the field's formats: items read and validated per second, no database.

Not a test. For each format a file of ``--rows`` items is generated from the same
shapes as the fixtures in tests/data/formats/ (Telegram messages with link and
hashtag entities, Jetstream post events with link facets, X API v2 pages of 100
tweets with their 100 users, Content Library CSV rows), then read and validated
end to end three ways, in the same run: the record path (``FormatReader.rows`` and
``validate``, item by item), the column path as ``cib load --dry-run`` runs it
(``column_maps.by_columns``: cells checked a batch at a time, nothing filled in), and
the column path as a load that writes runs it (timestamps, canonical URLs and text
fingerprints filled into the records). The contract's own ``posts.csv`` with the same
posts, by its row path, is the reference row. Repeats are interleaved and the median
is reported, per CPU second of this process and per wall-clock second (on a shared
machine the wall-clock rate mostly measures the other processes); every column path's
results are compared with the record path's, item for item. Target (issue 18):
>= 50,000 rows/s per format.

    .venv/bin/python bench/formats.py --rows 50000 --repeat 3

Writes bench/results/formats.json and formats.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from cibgraph.loaders.formats import open_reader
from cibgraph.loaders.formats.column_maps import by_columns
from cibgraph.loaders.records import Record
from cibgraph.loaders.sources import SourceFile
from cibgraph.loaders.validate import ValidationContext, validate_row

T0 = 1_704_110_400
CTX = ValidationContext()
TARGET = 50_000


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _url(i: int) -> str:
    return f"https://news{i % 997}.example/story-{i % 5003}"


def contract_posts(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["post_id", "author_id", "author_type", "created_at", "text", "url", "hashtags"]
        )
        for i in range(rows):
            out.writerow(
                [
                    f"p{i}",
                    f"a{i % 5000}",
                    "account",
                    _iso(T0 + i),
                    f"Read this {i} now",
                    _url(i),
                    "resign;news",
                ]
            )


def telegram(path: Path, rows: int) -> None:
    messages = []
    for i in range(rows - 1):  # the chat itself is an item too
        text: Any = [
            f"Read this {i}: ",
            {"type": "text_link", "text": "here", "href": _url(i)},
            " ",
            {"type": "hashtag", "text": "#Resign"},
        ]
        message: dict[str, Any] = {
            "id": i + 1,
            "type": "message",
            "date": "2024-01-01T15:00:00",
            "date_unixtime": str(T0 + i),
            "from": "Patriot Daily",
            "from_id": "channel1001",
            "text": text,
            "text_entities": [
                p if isinstance(p, dict) else {"type": "plain", "text": p} for p in text
            ],
        }
        if i % 10 == 0:
            message["forwarded_from"] = "Patriot Daily"
        messages.append(message)
    chat = {"name": "Patriot Daily", "type": "public_channel", "id": 1001, "messages": messages}
    path.write_text(json.dumps(chat, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


_LETTERS = str.maketrans("0123456789", "abcdefghij")


def bluesky(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            # did:plc identifiers are 24 base-32 letters and digits (a zero-padded
            # number would be a 24-digit run, which sends a line to json, not orjson).
            did = "did:plc:" + f"{i % 5000:024d}".translate(_LETTERS)
            record = {
                "$type": "app.bsky.feed.post",
                "text": f"Everyone needs to see this {i}",
                "createdAt": _iso(T0 + i),
                "langs": ["en"],
                "facets": [
                    {
                        "index": {"byteStart": 0, "byteEnd": 8},
                        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": _url(i)}],
                    },
                    {
                        "index": {"byteStart": 9, "byteEnd": 16},
                        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "Resign"}],
                    },
                ],
            }
            event = {
                "did": did,
                "time_us": (T0 + i) * 1_000_000,
                "kind": "commit",
                "commit": {
                    "rev": "3kaaa",
                    "operation": "create",
                    "collection": "app.bsky.feed.post",
                    "rkey": f"3k{i}",
                    "record": record,
                    "cid": "bafyreib",
                },
            }
            handle.write(json.dumps(event) + "\n")


def twitter_v2(path: Path, rows: int) -> None:
    per_page = 100  # 100 tweets and their 100 users: 200 items a line
    with path.open("w", encoding="utf-8") as handle:
        for page in range(max(1, rows // (2 * per_page))):
            data, users = [], []
            for j in range(per_page):
                i = page * per_page + j
                data.append(
                    {
                        "id": str(1742000000000000000 + i),
                        "text": f"You won't believe this {i}",
                        "author_id": str(1500000000000000000 + i),
                        "created_at": _iso(T0 + i),
                        "conversation_id": str(1742000000000000000 + i),
                        "lang": "en",
                        "referenced_tweets": [
                            {"type": "retweeted", "id": str(1741000000000000000 + i % 300)}
                        ],
                        "entities": {
                            "urls": [
                                {
                                    "start": 0,
                                    "end": 23,
                                    "url": "https://t.co/x",
                                    "expanded_url": _url(i),
                                }
                            ],
                            "hashtags": [{"start": 24, "end": 31, "tag": "Resign"}],
                        },
                    }
                )
                users.append(
                    {
                        "id": str(1500000000000000000 + i),
                        "username": f"maria{i}",
                        "name": f"Maria {i}",
                        "created_at": _iso(T0 - 86400 + i),
                        "public_metrics": {
                            "followers_count": i % 50,
                            "following_count": 400,
                            "tweet_count": 50,
                            "listed_count": 0,
                        },
                        "verified": False,
                    }
                )
            handle.write(
                json.dumps(
                    {"data": data, "includes": {"users": users}, "meta": {"result_count": per_page}}
                )
                + "\n"
            )


def meta_content_library(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "id",
                "creation_time",
                "text",
                "lang",
                "shared_post_id",
                "link_attachment.link",
                "post_owner.id",
                "post_owner.name",
                "post_owner.type",
                "post_owner.username",
                "statistics.reaction_count",
                "statistics.share_count",
            ]
        )
        for i in range(rows):
            out.writerow(
                [
                    str(9007199254740993 + i),
                    datetime.fromtimestamp(T0 + i, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    f"Share before it is gone #Resign {i}",
                    "en",
                    "",
                    _url(i),
                    str(122100000000000000 + i % 5000),
                    f"Page {i % 5000}",
                    "page",
                    f"page{i % 5000}",
                    str(i % 100),
                    str(i % 7),
                ]
            )


def _validate_contract(path: Path) -> tuple[int, int]:
    valid = read = 0
    for raw in SourceFile(path).rows():
        read += 1
        valid += isinstance(validate_row("posts", raw, CTX), Record)
    return read, valid


def _by_records(fmt: str, path: Path) -> tuple[int, int]:
    """The record path: ``FormatReader.rows`` and ``validate``, item by item."""
    reader = open_reader(fmt, path, CTX)
    valid = read = 0
    for raw in reader.rows():
        read += 1
        valid += isinstance(reader.validate(raw), Record)
    return read, valid


def _by_columns(fmt: str, path: Path, dry_run: bool) -> tuple[int, int]:
    """The column path as ``cib load`` runs it: a dry run's checks, or (``dry_run``
    False) the records a load writes, their timestamps, URLs and fingerprints filled."""
    results = by_columns(open_reader(fmt, path, CTX), dry_run=dry_run)
    assert results is not None
    valid = read = 0
    for _, result in results:
        read += 1
        valid += isinstance(result, Record)
    return read, valid


def _same_results(fmt: str, path: Path) -> bool:
    """The column path's records and rejections are the record path's, item for item."""
    reader = open_reader(fmt, path, CTX)
    expected = [reader.validate(raw) for raw in reader.rows()]
    results = by_columns(open_reader(fmt, path, CTX))
    assert results is not None
    return [result for _, result in results] == expected


BASELINE = "contract posts (row path)"
# name -> (file, writer, format; None for the contract's posts.csv)
CASES: dict[str, tuple[str, Callable[[Path, int], None], str | None]] = {
    BASELINE: ("posts.csv", contract_posts, None),
    "telegram": ("result.json", telegram, "telegram"),
    "bluesky": ("jetstream.jsonl", bluesky, "bluesky"),
    "twitter-v2": ("search.jsonl", twitter_v2, "twitter-v2"),
    "meta-content-library": ("export.csv", meta_content_library, "meta-content-library"),
}
# How each format is validated; repeats interleave every case and path.
PATHS = ("record path", "column path (dry run)", "column path (records filled)")


def _run(fmt: str | None, way: str, path: Path) -> tuple[int, int]:
    if fmt is None:
        return _validate_contract(path)
    if way == "record path":
        return _by_records(fmt, path)
    return _by_columns(fmt, path, dry_run=way == "column path (dry run)")


def measure(rows: int, repeat: int) -> dict[str, Any]:
    folder = harness.DATA / f"formats-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (file, write, _) in CASES.items():
        path = folder / file
        if not path.is_file():
            harness.log(f"writing {name}: {rows:,} items")
            write(path, rows)
    runs = [
        (name, way) for name, (_, _, fmt) in CASES.items() for way in (PATHS if fmt else PATHS[:1])
    ]
    times: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
    cpu: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for attempt in range(repeat):
        for name, way in runs:  # interleaved: noise falls on all alike
            file, _, fmt = CASES[name]
            started, started_cpu = time.perf_counter(), time.process_time()
            counts[name, way] = _run(fmt, way, folder / file)
            times[name, way].append(time.perf_counter() - started)
            cpu[name, way].append(time.process_time() - started_cpu)
        harness.log(f"repeat {attempt + 1}/{repeat} done")
    base_cpu = counts[BASELINE, PATHS[0]][0] / harness.median(cpu[BASELINE, PATHS[0]])
    results: dict[str, Any] = {}
    for name, (file, _, fmt) in CASES.items():
        entry: dict[str, Any] = {"size_bytes": (folder / file).stat().st_size}
        if fmt is not None:
            entry["same_results_both_paths"] = _same_results(fmt, folder / file)
        record_cpu = counts[name, PATHS[0]][0] / harness.median(cpu[name, PATHS[0]])
        for way in PATHS if fmt else PATHS[:1]:
            read, valid = counts[name, way]
            rate = read / harness.median(times[name, way])
            rate_cpu = read / harness.median(cpu[name, way])
            entry[way] = {
                "items": read,
                "valid": valid,
                "seconds": times[name, way],
                "median_seconds": harness.median(times[name, way]),
                "rows_per_second": round(rate),
                "cpu_seconds": cpu[name, way],
                "median_cpu_seconds": harness.median(cpu[name, way]),
                "rows_per_cpu_second": round(rate_cpu),
                "vs_record_path_cpu": round(rate_cpu / record_cpu, 2),
                "vs_contract_row_path_cpu": round(rate_cpu / base_cpu, 2),
                "meets_target": rate >= TARGET,
                "meets_target_cpu": rate_cpu >= TARGET,
            }
        results[name] = entry
    return results


def table(results: dict[str, Any], repeat: int, load: str) -> str:
    rows = []
    for name, entry in results.items():
        for way in PATHS:
            r = entry.get(way)
            if r is None:
                continue
            rows.append(
                [
                    name,
                    way,
                    f"{r['items']:,}",
                    f"{entry['size_bytes'] / 2**20:.1f} MB",
                    f"{r['median_cpu_seconds']:.2f}",
                    f"**{r['rows_per_cpu_second']:,}**",
                    f"{r['vs_record_path_cpu']:.2f}x",
                    f"{r['rows_per_second']:,}",
                    "yes" if r["meets_target_cpu"] else "NO",
                ]
            )
    same = all(e.get("same_results_both_paths", True) for e in results.values())
    heading = (
        f"Validate (read + map + check, no database), median of {repeat} interleaved "
        f"repeats; target {TARGET:,} rows/s. Load average at the start: {load}. Column "
        f"path results identical to the record path's on every file: "
        f"{'yes' if same else 'NO'}.\n\n"
    )
    return heading + harness.markdown(
        [
            "format",
            "path",
            "items",
            "file",
            "median CPU s",
            "rows/CPU-s",
            "vs record path (CPU)",
            "rows/s (wall)",
            f">= {TARGET:,}/CPU-s",
        ],
        rows,
        right=2,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="items per format file")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = harness.machine()
    results = measure(args.rows, args.repeat)
    document = {
        "machine": started,
        "rows": args.rows,
        "repeat": args.repeat,
        "results": results,
        "finished": harness.machine()["date"],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    document["load_average_at_start"] = load
    text = table(results, args.repeat, load)
    harness.save("formats", document, text)
    print(text)


if __name__ == "__main__":
    main()
