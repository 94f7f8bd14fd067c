"""The store's own record of successful runs (`ingest_run`): writing a run, and the cursor the next run starts from."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

import duckdb

from kinmon.errors import StoreError
from kinmon.store.connect import connect_readonly
from kinmon.store import rows
from kinmon.store.write import insert_rows


def new_run_id() -> str:
    return uuid.uuid4().hex


def record_run(con: duckdb.DuckDBPyConnection, *, run_id: str, source: str, started_at: datetime,
               finished_at: datetime, rows_added: int, rows_updated: int = 0, cursor: str | None = None,
               window_from: date | None = None, window_to: date | None = None, notes: str | None = None) -> None:
    """A succeeded run, written in the copy it publishes (a failed run lives only in the journal)."""
    insert_rows(con, "ingest_run", [rows.ingest_run(
        run_id, source, started_at=started_at, finished_at=finished_at, status="succeeded", rows_added=rows_added,
        rows_updated=rows_updated, cursor=cursor, notes=notes, window_from=window_from, window_to=window_to)])


def last_cursor(db: Path, source: str) -> str | None:
    """The cursor of the last successful run of `source` held in the published store (None when there is
    no store, or it cannot be read: the run itself then says why)."""
    if not Path(db).exists():
        return None
    try:
        con = connect_readonly(db, any_version=True)
    except StoreError:
        return None
    try:
        return cursor_in(con, source)
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def cursor_in(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The cursor of the last successful run of `source` recorded in the store `con` is open on."""
    row = con.execute("SELECT cursor FROM ingest_run WHERE source = ? AND status = 'succeeded' "
                      "ORDER BY finished_at DESC LIMIT 1", [source]).fetchone()
    return row[0] if row else None


def published_runs(db: Path, run_ids: list[str]) -> dict[str, str]:
    """Which of these runs the published store records as succeeded, with when they finished."""
    try:
        con = connect_readonly(db)
    except StoreError:
        return {}
    try:
        found = con.execute("SELECT run_id, finished_at FROM ingest_run WHERE status = 'succeeded' AND "
                            "list_contains(?, run_id)", [run_ids]).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {run_id: finished.isoformat(timespec="seconds") for run_id, finished in found}
