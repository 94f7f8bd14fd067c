"""What the store holds per source and how its runs went: the `status` command's table, the Data page's
"Sources and their last runs" and the Changelog's failed runs. Runs are read from the store's ingest_run
table and from the run journal beside the store (which also holds the runs that failed and published
nothing)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kinmon import store
from kinmon.store.journal import read_journal

# Rows held by each ingest source, by the source_id prefixes its rows carry.
SOURCE_ROWS = {
    "snapshot": [("written_question", "source_id LIKE 'snapshot-%'"), ("debate", "source_id LIKE 'snapshot-%'"),
                 ("observation", "source_id LIKE 'figure:%'"), ("commitment", "true"), ("timeline_event", "true")],
    "parliament": [("written_question", "source_id NOT LIKE 'snapshot-%'"), ("statement", "true"),
                   ("debate", "source_id NOT LIKE 'snapshot-%'"), ("contribution", "true")],
    "statistics": [("observation", "source_id LIKE 'ees:%'")],
    "file": [("observation", "source_id LIKE 'file:%'")],
}


def rows_held(con, source: str) -> int:
    return sum(con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]
               for table, where in SOURCE_ROWS[source])


def failed_runs(db: Path) -> pd.DataFrame:
    """Every run that failed or was interrupted (the store was left as it was), in the order they started."""
    failed = [r for r in read_journal(db) if r.status in ("failed", "interrupted")]
    return pd.DataFrame([{"finished_at": r.finished_at, "source": r.source, "error": r.error} for r in failed],
                        columns=["finished_at", "source", "error"])


def stored_status(con) -> tuple[dict[str, int], dict[str, str]]:
    """What the store itself says per source: rows held, and the last successful run it records. It changes only
    with a publish, so the dashboard caches it on the store's version (the counts scan the large tables)."""
    held = {s: rows_held(con, s) for s in SOURCE_ROWS}
    ok = con.execute(
        "SELECT source, max(finished_at) FROM ingest_run WHERE status = 'succeeded' GROUP BY source"
    ).fetchall()
    return held, {s: t.isoformat(sep=" ", timespec="seconds") for s, t in ok}


def source_status(db: Path, stored: tuple[dict[str, int], dict[str, str]] | None = None) -> pd.DataFrame:
    """One row per source: rows held, last successful run, last failed run and its error. `stored` is
    stored_status() of the store at `db` when the caller has it; the run journal is always read afresh (a
    failed run publishes nothing, so only the journal knows of it)."""
    if stored is None:
        con = store.connect_readonly(db)
        try:
            stored = stored_status(con)
        finally:
            con.close()
    held, last_ok = stored[0], dict(stored[1])
    last_fail: dict[str, tuple[str, str]] = {}
    for run in read_journal(db):
        if run.status == "succeeded":
            last_ok[run.source] = max(last_ok.get(run.source, ""), run.finished_at.replace("T", " "))
        elif run.status in ("failed", "interrupted"):
            when = (run.finished_at or run.started_at).replace("T", " ")
            last_fail[run.source] = (when + (" (interrupted)" if run.status == "interrupted" else ""), run.error or "")
    rows = []
    for s in SOURCE_ROWS:
        fail_at, error = last_fail.get(s, ("", ""))
        rows.append({"source": s, "rows_held": held[s], "last_success": last_ok.get(s) or "never",
                     "last_failure": fail_at or "-", "last_error": error or "-"})
    return pd.DataFrame(rows)
