"""Build-a-new-file-then-publish writes, and the files beside the store that make them safe.

Writers never touch the published file in place: they take the lock (`<db>.lock`), copy the store (or start
empty) to a private temp file beside it (`.<name>.XXXX.tmp`), write there, checkpoint, and publish it with
an atomic rename. A failed or killed write leaves the last good file exactly as it was; the next writer
removes the temp files a killed one left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import duckdb

from kinmon.errors import StoreError
from kinmon.store.schema import migrate


def lock_path(path: Path) -> Path:
    return Path(str(path) + ".lock")


@contextlib.contextmanager
def writer(path: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the store; publish it atomically on success.

    With fresh=True the copy starts empty (used by `init`). On any exception the temporary file is
    removed and the published store is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        remove_stale_temp_files(path)
        yield from _write_copy(path, fresh)


def temp_files(path: Path) -> list[Path]:
    """Private copies beside the store (`.<name>.XXXX.tmp` and its `.tmp.wal`), live or left by a killed writer."""
    path = Path(path)
    return sorted(p for pattern in (f".{path.name}.*.tmp", f".{path.name}.*.tmp.wal")
                  for p in path.parent.glob(pattern) if p.is_file())


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temp files a killed writer left. Only call this holding the writer lock: then no live
    writer owns any of them."""
    removed = []
    for leftover in temp_files(path):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed


def writer_active(path: Path) -> bool:
    """Whether a writer holds the store's lock right now (a run in progress, not one that was killed)."""
    lock = lock_path(path)
    if not lock.exists():
        return False
    try:
        fh = open(lock, "r")
    except OSError:
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        fh.close()
    return False


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    """One writer at a time: two runs copying the same store would each publish without the other's rows.
    An OS lock (flock) is released by the kernel if the holder is killed, so a crash never leaves it stuck."""
    lock = lock_path(path)
    fh = open(lock, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another kinmon writer is updating {path} (lock {lock}); try again when it ends") from None
        yield
    finally:
        fh.close()


def _write_copy(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        if path.exists() and not fresh:
            shutil.copy2(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            migrate(con)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
