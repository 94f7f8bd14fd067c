"""Ingest orchestration: one run = one private copy of the store, published only if the run succeeds.

Every run, good or bad, is appended to the run journal beside the store (kinmon.store.journal), because
a failed run must leave the published store byte for byte as it was yet still be visible to `status`.
A successful run is also recorded in the store's own `ingest_run` table (kinmon.store.runs).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import duckdb

from kinmon import store
from kinmon.errors import IngestError, UpstreamError, is_bug
from kinmon.store import journal
# The journal and the cursor live in the store package; these names stay importable from here.
from kinmon.store.journal import INTERRUPTED, RunResult, journal_path, read_journal
from kinmon.store.runs import last_cursor

__all__ = ["Counts", "INTERRUPTED", "IngestError", "LoadFn", "RunResult", "Window", "journal_path", "last_cursor",
           "parse_day", "read_journal", "run"]


@dataclass
class Window:
    since: date | None = None
    until: date | None = None


@dataclass
class Counts:
    """What a source's load step reports back."""

    added: int = 0
    updated: int = 0
    cursor: str | None = None
    run_notes: str | None = None  # what the run skipped or assumed, for the operator


LoadFn = Callable[[duckdb.DuckDBPyConnection, Window], Counts]


def run(db: Path, source: str, window: Window, load: LoadFn) -> RunResult:
    """Run one ingest of `source` into a private copy of the store and publish it on success."""
    db = Path(db)
    if not db.exists():
        raise IngestError(f"no store at {db}: run `python -m kinmon init` first")
    started = store.utcnow()
    result = RunResult(
        run_id=store.new_run_id(),
        source=source,
        window_from=window.since.isoformat() if window.since else None,
        window_to=window.until.isoformat() if window.until else None,
        started_at=started.isoformat(timespec="seconds"),
        finished_at=None,
        status="running",
    )
    try:
        with store.writer(db) as con:
            journal.append_journal(db, result)  # "running": if this process dies, status can say so
            counts = load(con, window)
            _refresh_derived(con)
            finished = store.utcnow()
            result.rows_added, result.rows_updated, result.cursor = counts.added, counts.updated, counts.cursor
            result.notes = counts.run_notes
            result.finished_at = finished.isoformat(timespec="seconds")
            result.status = "succeeded"
            store.record_run(con, run_id=result.run_id, source=source, started_at=started, finished_at=finished,
                             rows_added=counts.added, rows_updated=counts.updated, cursor=counts.cursor,
                             window_from=window.since, window_to=window.until, notes=counts.run_notes)
    except Exception as exc:  # every failure is journaled; a bug also keeps its traceback
        bug = is_bug(exc)
        result.status = "failed"
        result.finished_at = store.utcnow().isoformat(timespec="seconds")
        result.error = str(exc) if isinstance(exc, UpstreamError) else f"{type(exc).__name__}: {exc}"
        if bug:
            result.traceback = traceback.format_exc()
            result.error = f"a bug in kinmon, {result.error} (the traceback is in {journal_path(db)})"
        unjournaled = journal.append_journal(db, result)
        raise IngestError(f"{source} ingest failed, store left unchanged: {result.error}"
                          + (f"; {unjournaled}" if unjournaled else ""), bug=bug) from exc
    journal.append_journal(db, result)  # the store's own ingest_run table already holds a successful run
    return result


def _refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """After new rows: re-suggest evidence links and bring the search index up to date (tags are set at load).

    Each is skipped when nothing it is built from changed (kinmon.store.derived), so a run that adds nothing
    costs the copy and the publish, not a rebuild."""
    from kinmon import evidence, search

    evidence.suggest(con)
    search.rebuild_index(con)


def parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ValueError(f"{flag} must be a date as YYYY-MM-DD, got {value!r}") from exc
