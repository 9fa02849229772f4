"""An upload folder that cannot take a file: full (ENOSPC after half the bytes), a read-only file system
(EROFS), or a folder without write permission (chmod; only when not running as root, which ignores it)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FAULTS = ["full", "read-only file system", "no write permission"]


@contextmanager
def unwritable(folder: Path, fault: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    if fault == "no write permission":
        if os.geteuid() == 0:
            pytest.skip("root ignores file permissions")
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    real_write_bytes = Path.write_bytes
    error_number = errno.ENOSPC if fault == "full" else errno.EROFS

    def failing_write_bytes(path: Path, data: bytes) -> int:
        if not path.resolve().is_relative_to(folder.resolve()):
            return real_write_bytes(path, data)
        if error_number == errno.ENOSPC:  # a full disk takes part of the file first
            real_write_bytes(path, bytes(data)[: len(data) // 2])
        raise OSError(error_number, os.strerror(error_number), str(path))

    monkeypatch.setattr(Path, "write_bytes", failing_write_bytes)
    yield
    monkeypatch.undo()


def files_in(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden partial files too."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
