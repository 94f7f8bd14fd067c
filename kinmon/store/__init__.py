"""The DuckDB store, and every file beside it. One module a job:

- schema.py   the numbered `.sql` migrations in schema/, applied in order (SCHEMA_VERSION = how many)
- connect.py  read-only connections to the published file, and the version token that keys caches
- publish.py  build-a-new-file-then-publish writes: the writer lock, the private temp copy, the atomic rename
- journal.py  the run journal beside the store (`<db>.runs.jsonl`), including runs that failed or were killed
- runs.py     the store's own record of successful runs (`ingest_run`) and the cursor the next run starts from
- rows.py     one row builder per table: a record's values as a dict keyed by column name
- write.py    the one batch writer: `INSERT INTO t (columns) SELECT columns FROM batch`, and upserts on a key
- search_index.py  the search_doc table and the tantivy search index kept inside the store, updated for what changed
- derived.py  fingerprints of what each derived table was built from, so a writer skips a rebuild nothing asked for

Readers (the dashboard) open the published file read-only. Writers never touch it in place: they copy it
(or start empty) to a temporary file beside it, write there, check it, and publish it with an atomic
rename. A failed or killed write leaves the last good file exactly as it was.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from kinmon.errors import StoreError
from kinmon.store import rows
from kinmon.store.connect import connect_readonly, cursor, version_token
from kinmon.store.journal import (INTERRUPTED, INTERRUPTED_ERROR, RunResult, append_journal, journal_path,
                                  read_journal)
from kinmon.store.publish import lock_path, remove_stale_temp_files, temp_files, writer, writer_active
from kinmon.store.runs import last_cursor, new_run_id, record_run
from kinmon.store.schema import MIGRATIONS, SCHEMA_DIR, SCHEMA_VERSION, current_version, migrate, utcnow
from kinmon.store.write import insert_frame, insert_rows, upsert_rows

__all__ = [
    "INTERRUPTED", "INTERRUPTED_ERROR", "MIGRATIONS", "SCHEMA_DIR", "SCHEMA_VERSION", "RunResult", "StoreError",
    "append_journal", "connect_readonly", "current_version", "cursor", "insert_frame", "insert_rows",
    "journal_path", "last_cursor", "lock_path", "migrate", "new_run_id", "read_journal", "record_run",
    "remove_stale_temp_files", "rows", "temp_files", "upsert_rows", "upsert_source", "utcnow", "version_token",
    "writer", "writer_active",
]


def upsert_source(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    *,
    publisher: str,
    title: str,
    url: str | None,
    licence: str,
    licence_url: str | None,
    retrieved_at: datetime,
) -> None:
    """Record (or replace) where rows came from: publisher, title, URL, licence and retrieval time."""
    insert_rows(con, "source", [rows.source(source_id, publisher=publisher, title=title, url=url, licence=licence,
                                            licence_url=licence_url, retrieved_at=retrieved_at)],
                on_conflict="replace")
