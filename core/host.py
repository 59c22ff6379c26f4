"""Facts about this machine that runs and ledgers need: is a process alive, a file's hash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (ours, or another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
