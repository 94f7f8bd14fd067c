"""The run journal beside the store (`<db>.runs.jsonl`): every ingest run, good or bad, one JSON line per state;
and the error log beside it (`<db>.errors.log`), where the command line keeps the traceback of a bug.

A failed run must leave the published store byte for byte as it was yet still be visible to `status`, so
runs are journaled outside the store. A run writes a "running" line when it starts and its outcome when
it ends; a run killed in between (kill -9, power loss) has no outcome and, when no writer holds the lock,
reads back as "interrupted" (or as succeeded, if the store it published records it).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from kinmon.store.publish import writer_active
from kinmon.store.runs import published_runs

INTERRUPTED = "interrupted"
INTERRUPTED_ERROR = ("the run was killed or interrupted before it finished (no outcome was journaled); "
                     "the published store was left as it was")


@dataclass
class RunResult:
    """One run as journaled (and as `ingest` returns it)."""

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
    traceback: str | None = None  # a run that failed on a bug keeps its traceback here


def journal_path(db: Path) -> Path:
    return Path(str(db) + ".runs.jsonl")


def append_journal(db: Path, result: RunResult) -> str | None:
    """Append one line; on a full disk or a read-only folder, say why instead of hiding the run's own error."""
    path = journal_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(result)) + "\n")
    except OSError as exc:
        return f"the run journal {path} could not be written ({exc.strerror or exc})"
    return None


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
    if any(r.status == "running" for r in out) and not writer_active(Path(db)):
        published = published_runs(Path(db), [r.run_id for r in out if r.status == "running"])
        for r in out:
            if r.status != "running":
                continue
            if r.run_id in published:  # killed after it published, before it journaled: it did succeed
                r.status, r.finished_at = "succeeded", published[r.run_id]
            else:
                r.status, r.error = INTERRUPTED, INTERRUPTED_ERROR
    return out


def errors_path(db: Path) -> Path:
    return Path(str(db) + ".errors.log")


def keep_traceback(db: Path | None, command: str, text: str) -> Path:
    """Append a bug's traceback to the error log beside the store (or, with no store or an unwritable folder,
    to a new file in the temp folder); returns where it went."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    entry = f"--- {stamp} python -m kinmon {command}\n{text.rstrip()}\n"
    if db is not None:
        path = errors_path(db)
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(entry)
            return path
        except OSError:
            pass
    with tempfile.NamedTemporaryFile("w", prefix="kinmon-traceback-", suffix=".txt", delete=False,
                                     encoding="utf-8") as fh:
        fh.write(entry)
    return Path(fh.name)
