"""Build the store from the curated snapshot shipped in data/: validated, all or nothing.

Every file is checked row by row before anything is written; a malformed row raises SnapshotError
naming the file, the line and the reason. The store is then built in a new file and published by
atomic rename (kinmon.store.writer), so a failed build leaves any previous store untouched. One module a job:

- parse.py        field parsers, file readers and row checks; SnapshotError and the Snapshot being read
- commitments.py  the curated register: priorities, status scale, commitments, history, timeline, evidence, ...
- parliament.py   curated questions, statements, members and debates
- statistics.py   DfE's extract and the curated figures, their releases, series and latest vintages
- licences.py     the licences credited on the snapshot's rows
- write.py        writing a read snapshot into a store, and deriving tags, suggestions and the search index
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.snapshot.commitments import (read_appg, read_commitments, read_evidence, read_glossary, read_indicators,
                                        read_priorities, read_status_scale, read_timeline)
from kinmon.licences import OGL, OPL, QUOTED
from kinmon.snapshot.parliament import question_record, read_debates, read_members, read_questions, read_statements
from kinmon.snapshot.parse import (Snapshot, SnapshotError, add_source, parse_date, parse_figure_value,
                                   parse_period_end)
from kinmon.snapshot.statistics import read_figures, release_id_for
from kinmon.snapshot.write import derive, write

__all__ = ["OGL", "OPL", "QUOTED", "Snapshot", "SnapshotError", "build", "derive", "parse_date", "parse_figure_value",
           "parse_period_end", "question_record", "read_snapshot", "release_id_for", "write"]


def read_snapshot(data_dir: Path = DATA_DIR) -> Snapshot:
    """Read and validate every snapshot file; raises SnapshotError on the first bad row."""
    data_dir = Path(data_dir)
    manifest = data_dir / "snapshot.json"
    try:
        compiled_on = parse_date(json.loads(manifest.read_text(encoding="utf-8"))["compiled_on"])[0]
    except FileNotFoundError:
        raise SnapshotError(manifest, None, "file is missing") from None
    except (json.JSONDecodeError, KeyError, ValueError) as exc:
        raise SnapshotError(manifest, None, f"needs a compiled_on date ({exc})") from None
    snap = Snapshot(compiled_on=compiled_on)
    retrieved = datetime.combine(compiled_on, datetime.min.time())
    read_priorities(data_dir, snap, retrieved)
    statuses = read_status_scale(data_dir, snap)
    commitments = read_commitments(data_dir, snap, statuses)
    add_source(snap, "snapshot-commitments", "kinmon",
            "Register of government commitments on kinship care, compiled from the sources cited on each row",
            None, QUOTED, retrieved)
    events = read_timeline(data_dir, snap, commitments)
    questions = read_questions(data_dir, snap, retrieved)
    statements = read_statements(data_dir, snap, retrieved)
    read_members(data_dir, snap, retrieved)
    debates = read_debates(data_dir, snap, retrieved)
    read_evidence(data_dir, snap, commitments, {"question": questions, "statement": statements, "debate": debates,
                                                 "event": events})
    read_glossary(data_dir, snap)
    read_appg(data_dir, snap)
    read_figures(data_dir, snap, retrieved)
    read_indicators(data_dir, snap)
    return snap


def build(db: Path, *, force: bool = False, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Build the store at `db` from the snapshot; refuses to replace an existing store without force."""
    db = Path(db)
    if db.exists() and not force:
        raise FileExistsError(f"a store already exists at {db}; use --force to rebuild it from the snapshot")
    snap = read_snapshot(data_dir)  # validate everything before touching anything
    with store.writer(db, fresh=True) as con:
        counts = write(con, snap, data_dir)
        now = store.utcnow()
        store.record_run(con, run_id=store.new_run_id(), source="snapshot", started_at=now, finished_at=now,
                         rows_added=sum(counts.values()), cursor=snap.compiled_on.isoformat())
    return counts
