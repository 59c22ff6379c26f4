"""Engine settings checked before any engine is imported (the CLI validates them early)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cibgraph.core.errors import UsageError

# DuckDB's size syntax (Spark's is a subset once the unit is turned into k/m/g/t).
_SIZE = re.compile(r"^(\d+)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
_BYTES = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_BYTES.update({"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40})


def check_memory_limit(value: str) -> str:
    if not _SIZE.match(value.strip()):
        raise UsageError(
            f"--engine-memory must be a whole size such as 2GB or 512MiB, not {value!r}.",
            "use a number followed by B, KB, MB, GB, TB (or KiB, MiB, GiB, TiB)",
        )
    return value.strip()


def memory_bytes(value: str) -> int:
    match = _SIZE.match(check_memory_limit(value))
    assert match is not None
    return int(match.group(1)) * _BYTES[match.group(2).lower()]


# DuckDB's memory_limit bounds its buffer manager, not the process: Parquet reading,
# result batches, the allocator and Python come on top. Measured at scale 100
# (bench/pairs.py, 14.7M shares): a 2 GB limit peaked at 2.45 GB RSS and a 4 GB limit at
# 4.32 GB, about 0.3-0.45 GB over. DuckDB gets this share of --engine-memory, so the
# whole process, not only DuckDB's part, stays within the setting.
DUCKDB_SHARE = 0.7


def duckdb_limit(value: str) -> str:
    """DuckDB's ``memory_limit`` for an engine budget of ``value`` (DUCKDB_SHARE of it)."""
    return f"{int(memory_bytes(value) * DUCKDB_SHARE) // 10**6}MB"


def duckdb_config(memory_limit: str, work_dir: Path) -> dict[str, Any]:
    """A DuckDB connection's settings for a run: its share of ``memory_limit``, spilling
    to the run's folder (created here) beyond it."""
    spill = spill_dir(work_dir)
    spill.mkdir(parents=True, exist_ok=True)
    return {
        "memory_limit": duckdb_limit(memory_limit),
        "temp_directory": str(spill),
        # Insertion order is not needed (results are sorted by the caller), and keeping
        # it makes DuckDB buffer more in the window operators.
        "preserve_insertion_order": False,
    }


def spill_dir(work_dir: Path) -> Path:
    """Where DuckDB spills in a run's folder."""
    return work_dir / "duckdb-spill"


def spark_size(value: str) -> str:
    """The same limit in Spark's notation (whole mebibytes: "2048m")."""
    return f"{max(1, memory_bytes(value) // 2**20)}m"
