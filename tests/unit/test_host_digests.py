"""Files hashed beside a load: the same digests as reading them alone, in any order asked."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cibgraph.core.host import BackgroundDigests, file_sha256


def _files(tmp_path: Path) -> list[Path]:
    paths = []
    for index, size in enumerate([0, 10, 3 << 20]):
        path = tmp_path / f"f{index}.csv"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        paths.append(path)
    return paths


def test_background_digests_are_the_files_sha256(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    digests = BackgroundDigests(paths)
    try:
        for path in reversed(paths):  # asking for a later file first waits for it
            assert digests.digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
        # by another spelling of the same path too
        relative = Path(tmp_path.name) / paths[1].name
        assert digests.digest(tmp_path.parent / relative) == file_sha256(paths[1])
    finally:
        digests.close()


def test_a_stopped_hash_is_empty_not_wrong(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"y" * (8 << 20))
    digests = BackgroundDigests([big])
    digests.close()
    assert digests.digest(big, wait=False) in ("", file_sha256(big))
    assert digests.digest(big) in ("", file_sha256(big))  # a stopped worker never hangs


def test_an_unreadable_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    missing, real = tmp_path / "gone.csv", tmp_path / "real.csv"
    real.write_bytes(b"a,b\n")
    digests = BackgroundDigests([missing, real])
    try:
        assert digests.digest(missing) == ""
        assert digests.digest(real) == file_sha256(real)
    finally:
        digests.close()
