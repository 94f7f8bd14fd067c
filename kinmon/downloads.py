"""Files built when a reader asks for them, once per published store: the pages' deferred downloads.

A page hands Streamlit's download button a function from here instead of the file's bytes, so nothing is
built while the page renders. Streamlit calls it when the button is clicked, outside the page's script
(no session, no Streamlit cache), so it opens its own read-only connection. What it built is kept for the
store version it was built from (a small shared cache: every session gets the same bytes, and a new
publish makes new ones).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

from kinmon import exports, store
from kinmon.queries import core, sources, tables

FORMATS = ("csv", "parquet", "zip", "xlsx")
CACHED_FILES = 6


@functools.lru_cache(maxsize=CACHED_FILES)
def _build(path: str, token: str, kind: str | Callable, name: str, fmt: str, args: tuple, title: str) -> bytes:
    con = store.connect_readonly(Path(path))
    try:
        if kind == "table":  # a ready-made table, with its README
            df = tables.frame(con, name)
            readme = (exports.readme_lines(tables.TABLES[name].title, df, sources.sources_of(con, df))
                      if fmt in ("zip", "xlsx") else [])
        elif kind == "stored":  # a table as stored, under its own column names
            df = core.whole_table(con, name)
            readme = []
        else:  # a kinmon.queries function (the function itself: the cache keys on it) with its arguments
            df = kind(con, *args)
            readme = exports.readme_lines(title, df, sources.sources_of(con, df)) if fmt in ("zip", "xlsx") else []
    finally:
        con.close()
    if fmt == "csv":
        return exports.to_csv_bytes(df)
    if fmt == "parquet":
        return exports.to_parquet_bytes(df)
    if fmt == "zip":
        return exports.csv_zip_pack(df, readme, name)
    if fmt == "xlsx":
        return exports.to_xlsx_bytes(df, readme, name[:31])
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def _deferred(path: Path, kind: str | Callable, name: str, fmt: str, args: tuple = (), title: str = "") -> Callable[[], bytes]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    token = store.version_token(path)  # the store as the page saw it
    return lambda: _build(str(path), token, kind, name, fmt, tuple(args), title)


def table_file(path: Path, name: str, fmt: str) -> Callable[[], bytes]:
    """A ready-made table (kinmon.queries.tables.TABLES) as csv, parquet or zip (CSV + README), built when called."""
    if name not in tables.TABLES:
        raise ValueError(f"unknown table {name!r}")
    return _deferred(path, "table", name, fmt)


def stored_table_file(path: Path, name: str, fmt: str) -> Callable[[], bytes]:
    """A table as stored, as csv or parquet, built when called (the name is checked against the store)."""
    return _deferred(path, "stored", name, fmt)


def query_file(path: Path, fn: Callable, args: tuple, fmt: str, name: str, title: str) -> Callable[[], bytes]:
    """What a kinmon.queries function returns for `args`, as csv, xlsx or zip with a README, built when called."""
    return _deferred(path, fn, name, fmt, tuple(args), title)
