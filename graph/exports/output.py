"""Where exports and reports write: one folder, fixed file names, no silent overwrites.

Every file name comes from the writer's own fixed list (or a fixed pattern such as
``network-0001.png``), never from graph data, and is still checked here: a name must be
a plain file name inside the resolved ``--out`` folder, and a symlink at a name is refused
before anything is written, so neither a crafted name nor a symlink planted in the folder
can send a write elsewhere or make an export stop halfway.

Files are written to a temporary name in the same folder and renamed into place, so a
crash or Ctrl-C never leaves a half-written export under its final name.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cibgraph.core.errors import OutputExists, UnsafeOutputPath, UsageError

# Lower-case letters, digits, dots and dashes; one extension we know.
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(csv|json|graphml|gexf|html|md|png)$")


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


class OutputDir:
    """A folder to write a fixed set of files into.

    ``plan(names)`` checks every name before anything is written, so an export either
    refuses up front (files exist, no ``force``) or writes all its files.
    """

    def __init__(self, root: str | Path, force: bool = False) -> None:
        self.root = Path(root).expanduser()
        self.force = force
        self.written: list[Path] = []

    @property
    def resolved_root(self) -> Path:
        return self.root.resolve()

    def prepare(self) -> None:
        """Create the folder (and parents) if needed; refuse a path that is not a folder."""
        if self.root.exists() and not self.root.is_dir():
            raise UsageError(f"--out {self.root} exists and is not a folder.", "give a folder path")
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The checked path of ``name`` inside the folder."""
        if not _NAME.match(name) or ".." in name:
            raise UnsafeOutputPath(
                f"Refusing to write {name!r}: not one of the export's file names.",
                "file names are fixed by cibgraph; this is a bug, please report it",
            )
        root = self.resolved_root
        target = root / name
        if not target.is_symlink():
            return target
        # A symlink at the name is refused whatever it points to: outside the folder it
        # would send a write elsewhere; inside it, two of the export's names would be one
        # file, and the export would stop halfway when the second found the first there.
        pointed = target.resolve()
        if pointed.parent != root:
            raise UnsafeOutputPath(
                f"Refusing to write {name!r}: it resolves to {pointed}, outside {root}.",
                "remove the symlink, or choose another --out folder",
            )
        raise UnsafeOutputPath(
            f"Refusing to write {name!r}: it is a symlink to {pointed.name} in {root}.",
            "remove the symlink: exports write only regular files",
        )

    def plan(self, names: Iterable[str]) -> list[Path]:
        """Check every name up front; raise ``OutputExists`` listing the files in the way."""
        self.prepare()
        paths = [self.path(name) for name in names]
        if not self.force:
            existing = [str(p) for p in paths if p.exists() or p.is_symlink()]
            if existing:
                raise OutputExists(existing)
        return paths

    @contextmanager
    def open_text(self, name: str) -> Iterator[IO[str]]:
        """A text stream (UTF-8, ``newline=''`` for csv) that becomes ``name`` on success."""
        target = self.path(name)
        with self._atomic(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
            yield handle

    def write_bytes(self, name: str, data: bytes) -> Path:
        target = self.path(name)
        with self._atomic(target) as tmp:
            tmp.write_bytes(data)
        return target

    def write_text(self, name: str, text: str) -> Path:
        target = self.path(name)
        with self._atomic(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return target

    @contextmanager
    def _atomic(self, target: Path) -> Iterator[Path]:
        if not self.force and (target.exists() or target.is_symlink()):
            raise OutputExists([str(target)])
        fd, tmp_name = tempfile.mkstemp(prefix=".cib-", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            yield tmp
            # mkstemp makes the file 0600; give it the mode a plain open() would have.
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self.written.append(target)
