"""The dashboard's store connection and the decorator that turns a kinmon.queries function into a cached
read: `cached_query(fn)` gives a function called without a connection, run on the published store and
cached in st.cache_data (shared by every session) under the store file's version token, so a newly
published store is read without a restart."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any, Callable

import streamlit as st

from kinmon import config, store
from kinmon.ui import legacy_pages

_BUILD_LOCK = threading.Lock()


def db_path() -> Path:
    return config.db_path()


def ensure_store() -> Path:
    """Build the store from the shipped snapshot on first start (offline), and say so."""
    path = db_path()
    if path.exists():
        _connection(str(path), store.version_token(path))  # a damaged or newer store fails here, as StoreError
        return path
    with _BUILD_LOCK:
        if not path.exists():
            from kinmon import snapshot

            with st.status("First start: building the kinmon store from the snapshot in data/ ...") as status:
                counts = snapshot.build(path)
                _write_feeds(path)
                status.update(label=f"Built the store from the snapshot ({sum(counts.values())} rows).",
                              state="complete")
    return path


def _write_feeds(path: Path) -> None:
    """Give the alert feeds their first content, so the What's new links work from the first start."""
    from kinmon import feeds

    if (config.FEEDS_DIR / "all.atom").exists():
        return
    con = store.connect_readonly(path)
    try:
        feeds.write_feeds(con, config.FEEDS_DIR)
    except OSError:
        pass  # a read-only checkout: `python -m kinmon feeds` can write them elsewhere
    finally:
        con.close()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, token: str):
    return store.connect_readonly(Path(path))


def cached_query(fn: Callable[..., Any], *, max_entries: int = 128) -> Callable[..., Any]:
    """`fn(con, *args, **kwargs)` from kinmon.queries as `f(*args, **kwargs)`: run on a cursor of the
    published store and cached, shared across sessions, keyed on the store's path and version token and on
    the arguments (which must be hashable by Streamlit). Each query gets its own cache."""

    def run(path: str, token: str, args: tuple, kwargs: tuple) -> Any:
        cur = store.cursor(_connection(path, token))
        try:
            return fn(cur, *args, **dict(kwargs))
        finally:
            cur.close()

    # Streamlit names a function's cache by its module, qualified name and source; every `run` has the same
    # source, so the qualified name carries the query's own name.
    run.__qualname__ = f"cached_query.{fn.__module__}.{fn.__qualname__}"
    made: list[Callable[..., Any]] = []

    def cached() -> Callable[..., Any]:
        # made at the first call, inside the running app (made at import, outside it, Streamlit warns once
        # per query that it has no runtime); st.cache_data keeps one cache per function key, so two threads
        # making it at once still share one cache
        if not made:
            made.append(st.cache_data(max_entries=max_entries, show_spinner=False)(run))
        return made[0]

    @functools.wraps(fn)
    def read(*args: Any, **kwargs: Any) -> Any:
        legacy_pages.leave_folder_mode()
        path = ensure_store()
        return cached()(str(path), store.version_token(path), args, tuple(sorted(kwargs.items())))

    return read
