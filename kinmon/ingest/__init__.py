"""Ingest orchestration: one run = one private copy of the store, published only if the run succeeds.

Every run, good or bad, is appended to a run journal beside the store (`<db>.runs.jsonl`), because a
failed run must leave the published store byte for byte as it was yet still be visible to `status`.
A run writes a "running" line when it starts and its outcome when it ends, so a run killed in
between (kill -9, power loss) shows as "interrupted". A successful run is also recorded in the
store's own `ingest_run` table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import duckdb

from kinmon import store
from kinmon.http import UpstreamError


class IngestError(RuntimeError):
    """An ingest run failed; the published store was left untouched."""


@dataclass
class Window:
    since: date | None = None
    until: date | None = None


@dataclass
class RunResult:
    run_id: str
    source: str
    window_from: str | None
    window_to: str | None
    started_at: str
    finished_at: str | None
    status: str
    rows_added: int = 0
    rows_updated: int = 0
    cursor: str | None = None
    error: str | None = None
    notes: str | None = None


@dataclass
class Counts:
    """What a source's load step reports back."""

    added: int = 0
    updated: int = 0
    cursor: str | None = None
    run_notes: str | None = None  # what the run skipped or assumed, for the operator


LoadFn = Callable[[duckdb.DuckDBPyConnection, Window], Counts]


def journal_path(db: Path) -> Path:
    return Path(str(db) + ".runs.jsonl")


def _append_journal(db: Path, result: RunResult) -> str | None:
    """Append one line; on a full disk or a read-only folder, say why instead of hiding the run's own error."""
    path = journal_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(result)) + "\n")
    except OSError as exc:
        return f"the run journal {path} could not be written ({exc.strerror or exc})"
    return None


INTERRUPTED = "interrupted"
INTERRUPTED_ERROR = ("the run was killed or interrupted before it finished (no outcome was journaled); "
                     "the published store was left as it was")


def read_journal(db: Path) -> list[RunResult]:
    """One entry per run, in the order the runs started, each in its last journaled state. A run that
    started but never wrote its outcome, with no writer running now, is reported as interrupted."""
    path = journal_path(db)
    if not path.exists():
        return []
    runs: dict[str, RunResult] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            result = RunResult(**json.loads(line))
        except (json.JSONDecodeError, TypeError):
            continue  # a torn last line from a killed process: skip, never fail status
        runs[result.run_id] = result
    out = list(runs.values())
    if any(r.status == "running" for r in out) and not store.writer_active(Path(db)):
        published = _published_runs(Path(db), [r.run_id for r in out if r.status == "running"])
        for r in out:
            if r.status != "running":
                continue
            if r.run_id in published:  # killed after it published, before it journaled: it did succeed
                r.status, r.finished_at = "succeeded", published[r.run_id]
            else:
                r.status, r.error = INTERRUPTED, INTERRUPTED_ERROR
    return out


def _published_runs(db: Path, run_ids: list[str]) -> dict[str, str]:
    """Which of these runs the published store records as succeeded, with when they finished."""
    try:
        con = store.connect_readonly(db)
    except store.StoreError:
        return {}
    try:
        found = con.execute("SELECT run_id, finished_at FROM ingest_run WHERE status = 'succeeded' AND "
                            "list_contains(?, run_id)", [run_ids]).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {run_id: finished.isoformat(timespec="seconds") for run_id, finished in found}


def last_cursor(db: Path, source: str) -> str | None:
    """The cursor of the last successful run of `source` held in the published store."""
    if not Path(db).exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT cursor FROM ingest_run WHERE source = ? AND status = 'succeeded' "
            "ORDER BY finished_at DESC LIMIT 1",
            [source],
        ).fetchone()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    return row[0] if row else None


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
            _append_journal(db, result)  # "running": if this process dies, status can say so
            counts = load(con, window)
            _refresh_derived(con)
            finished = store.utcnow()
            result.rows_added, result.rows_updated, result.cursor = counts.added, counts.updated, counts.cursor
            result.notes = counts.run_notes
            result.finished_at = finished.isoformat(timespec="seconds")
            result.status = "succeeded"
            con.execute(
                "INSERT INTO ingest_run (run_id, source, window_from, window_to, started_at, finished_at, status, "
                "rows_added, rows_updated, cursor, error, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [result.run_id, source, window.since, window.until, started, finished, "succeeded",
                 counts.added, counts.updated, counts.cursor, None, counts.run_notes],
            )
    except (UpstreamError, store.StoreError, ValueError, KeyError, TypeError, duckdb.Error, OSError) as exc:
        result.status = "failed"
        result.finished_at = store.utcnow().isoformat(timespec="seconds")
        result.error = str(exc) if isinstance(exc, UpstreamError) else f"{type(exc).__name__}: {exc}"
        unjournaled = _append_journal(db, result)
        raise IngestError(f"{source} ingest failed, store left unchanged: {result.error}"
                          + (f"; {unjournaled}" if unjournaled else "")) from exc
    _append_journal(db, result)  # the store's own ingest_run table already holds a successful run
    return result


def _refresh_derived(con: duckdb.DuckDBPyConnection) -> None:
    """After new rows: re-suggest evidence links and rebuild the search index (tags are set at load)."""
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
