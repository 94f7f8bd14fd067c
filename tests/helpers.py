"""Test helpers: a private copy of the shipped snapshot, and a store built from it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from kinmon import snapshot
from kinmon.config import DATA_DIR

SNAPSHOT_SUFFIXES = (".csv", ".jsonl", ".json")


def copy_snapshot(dest: Path) -> Path:
    """Copy the snapshot files in data/ (not the store) to dest, writable."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in DATA_DIR.iterdir():
        if f.suffix in SNAPSHOT_SUFFIXES:
            shutil.copyfile(f, dest / f.name)
    return dest


def build_store(db: Path, data_dir: Path | None = None) -> dict[str, int]:
    return snapshot.build(db, force=True, data_dir=data_dir or DATA_DIR)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def count_lines(path: Path) -> int:
    """Data rows in a CSV (header excluded) or records in a JSONL file."""
    import csv
    import json

    if path.suffix == ".jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and json.loads(line))
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return sum(1 for row in csv.reader(fh) if any(c.strip() for c in row)) - 1


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Query a published store read-only, as the dashboard would."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def values(db: Path, series_id: str, code: str = "E92000001") -> list[tuple]:
    """A series' observations for one place, every vintage, in a stable order."""
    return rows(db, """SELECT time_period, value, suppression, release_id, is_latest FROM observation
                       WHERE series_id = ? AND geography_code = ? ORDER BY time_period, release_id""", [series_id, code])
