"""The store's schema: the numbered `.sql` files in `schema/`, applied once each, in order.

Migration N is the file whose name starts with N (`001_initial.sql`, `002_...sql`); SCHEMA_VERSION is how
many there are. Each is applied in one transaction and recorded in `schema_version`, so a store built by
an older kinmon is brought up to date by the next writer. Never edit a published file: add a new one.
The files are package data, found beside this module at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from kinmon import util
from kinmon.errors import StoreError

SCHEMA_DIR = Path(__file__).parent / "schema"
_NUMBERED = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migration_files(folder: Path = SCHEMA_DIR) -> list[Path]:
    """The migration files in order; their numbers must run 1, 2, 3 ... with no gap or repeat."""
    files = sorted(p for p in folder.iterdir() if _NUMBERED.match(p.name))
    numbers = [int(_NUMBERED.match(p.name).group(1)) for p in files]
    if numbers != list(range(1, len(files) + 1)):
        raise StoreError(f"the schema files in {folder} are not numbered 001, 002, ... in order: {numbers}")
    return files


MIGRATIONS: list[str] = [p.read_text(encoding="utf-8") for p in migration_files()]
SCHEMA_VERSION = len(MIGRATIONS)


utcnow = util.utcnow  # timestamps are stored as naive UTC (kinmon.util, written once)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration not yet applied; return the resulting version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store is at schema version {version}, newer than this kinmon ({SCHEMA_VERSION}); upgrade kinmon"
        )
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        con.execute("BEGIN")
        con.execute(sql)
        con.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", [number, utcnow()])
        con.execute("COMMIT")
    return SCHEMA_VERSION
