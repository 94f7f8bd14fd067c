"""Opening the published store for reading: read-only, always the file as it is now, at this code's schema."""

from __future__ import annotations

from pathlib import Path

import duckdb

from kinmon.errors import StoreError
from kinmon.store.schema import SCHEMA_VERSION, current_version


def connect_readonly(path: Path, *, any_version: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the published store for reading. Raises StoreError if it is missing, damaged, or (unless
    any_version, for a writer's bookkeeping before it migrates its copy) at another schema version."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path}: run `python -m kinmon init` to build it")
    try:
        con = _open_published(path)
        version = current_version(con)
    except duckdb.Error as exc:
        raise StoreError(f"the store at {path} cannot be opened ({' '.join(str(exc).split())[:160]}): it is damaged "
                         "or not a kinmon store; restore a copy or rebuild it with `python -m kinmon init --force`"
                         ) from None
    if version != SCHEMA_VERSION and not (any_version and version < SCHEMA_VERSION):
        con.close()
        raise StoreError(
            f"the store at {path} is at schema version {version}, this kinmon expects {SCHEMA_VERSION}: "
            "run `python -m kinmon init --force` to rebuild it"
        )
    return con


def _open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at `path` now, attached to a private in-memory database.

    duckdb.connect(path) shares one database instance per path within a process: while any older connection
    is open (a dashboard keeps one per published version), a new one would reuse that instance, which still
    holds the file as it was before the last publish, and serve the old data. Attaching opens the current file."""
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS kinmon (READ_ONLY)")
        con.execute("USE kinmon")
    except BaseException:
        con.close()
        raise
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (for one thread) on a connect_readonly() connection, reading the published store like it."""
    cur = con.cursor()
    cur.execute("USE kinmon")
    return cur


def version_token(path: Path) -> str:
    """Changes whenever a new file is published: the cache key for dashboard queries."""
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"
