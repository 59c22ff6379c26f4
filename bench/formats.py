"""Benchmark the field's formats: items read and validated per second, no database.

Not a test. For each format a file of ``--rows`` items is generated from the same
shapes as the fixtures in tests/data/formats/ (Telegram messages with link and
hashtag entities, Jetstream post events with link facets, X API v2 pages of 100
tweets with their 100 users, Content Library CSV rows), then read and validated
end to end exactly as ``cib load`` does before writing (``FormatReader.rows`` and
``validate``). The baseline is the contract's own ``posts.csv`` with the same posts,
read and validated in the same run; repeats are interleaved and the median is
reported, per wall-clock second and per CPU second of this process (on a shared
machine the wall-clock rate mostly measures the other processes). Target (issue 18):
>= 50,000 rows/s per format.

    .venv/bin/python bench/formats.py --rows 200000 --repeat 5

Writes bench/results/formats.json and formats.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

from cibgraph.loaders.formats import open_reader
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


def bluesky(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            did = f"did:plc:{i % 5000:024d}"
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


def _validate_format(fmt: str) -> Callable[[Path], tuple[int, int]]:
    def run(path: Path) -> tuple[int, int]:
        reader = open_reader(fmt, path, CTX)
        valid = read = 0
        for raw in reader.rows():
            read += 1
            valid += isinstance(reader.validate(raw), Record)
        return read, valid

    return run


CASES: dict[str, tuple[str, Callable[[Path, int], None], Callable[[Path], tuple[int, int]]]] = {
    "contract posts (baseline)": ("posts.csv", contract_posts, _validate_contract),
    "telegram": ("result.json", telegram, _validate_format("telegram")),
    "bluesky": ("jetstream.jsonl", bluesky, _validate_format("bluesky")),
    "twitter-v2": ("search.jsonl", twitter_v2, _validate_format("twitter-v2")),
    "meta-content-library": (
        "export.csv",
        meta_content_library,
        _validate_format("meta-content-library"),
    ),
}


def measure(rows: int, repeat: int) -> dict[str, Any]:
    folder = harness.DATA / f"formats-{rows}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, (file, write, _) in CASES.items():
        path = folder / file
        if not path.is_file():
            harness.log(f"writing {name}: {rows:,} items")
            write(path, rows)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    cpu: dict[str, list[float]] = {name: [] for name in CASES}
    counts: dict[str, tuple[int, int]] = {}
    for attempt in range(repeat):
        for name, (file, _, run) in CASES.items():  # interleaved: noise falls on all alike
            started, started_cpu = time.perf_counter(), time.process_time()
            counts[name] = run(folder / file)
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
        harness.log(f"repeat {attempt + 1}/{repeat} done")
    baseline = "contract posts (baseline)"
    base = counts[baseline][0] / harness.median(times[baseline])
    base_cpu = counts[baseline][0] / harness.median(cpu[baseline])
    results: dict[str, Any] = {}
    for name in CASES:
        read, valid = counts[name]
        rate = read / harness.median(times[name])
        rate_cpu = read / harness.median(cpu[name])
        results[name] = {
            "items": read,
            "valid": valid,
            "size_bytes": (folder / CASES[name][0]).stat().st_size,
            "seconds": times[name],
            "median_seconds": harness.median(times[name]),
            "rows_per_second": round(rate),
            "vs_baseline": round(rate / base, 2),
            "cpu_seconds": cpu[name],
            "rows_per_cpu_second": round(rate_cpu),
            "vs_baseline_cpu": round(rate_cpu / base_cpu, 2),
            "meets_target": rate >= TARGET,
            "meets_target_cpu": rate_cpu >= TARGET,
        }
    return results


def table(results: dict[str, Any], repeat: int) -> str:
    rows = [
        [
            name,
            f"{r['items']:,}",
            f"{r['size_bytes'] / 2**20:.1f} MB",
            f"{r['median_seconds']:.2f}",
            f"{r['rows_per_second']:,}",
            f"**{r['rows_per_cpu_second']:,}**",
            f"{r['vs_baseline_cpu']:.2f}x",
            "yes" if r["meets_target_cpu"] else "NO",
        ]
        for name, r in results.items()
    ]
    heading = f"Validate (read + map + check, no database), median of {repeat}; target {TARGET:,} rows/s.\n\n"
    return heading + harness.markdown(
        [
            "format",
            "items",
            "file",
            "median wall s",
            "rows/s (wall)",
            "rows/CPU-s",
            "vs contract (CPU)",
            f">= {TARGET:,}/CPU-s",
        ],
        rows,
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
    }
    text = table(results, args.repeat)
    harness.save("formats", document, text)
    print(text)


if __name__ == "__main__":
    main()
