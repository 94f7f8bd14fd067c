"""The dashboard's cached reads (kinmon.ui.connection.cached_query): one cache per query, shared by every
session, keyed on the store's version so a publish is read without a restart; no dispatch by name."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kinmon import store

ROOT = Path(__file__).resolve().parent.parent
CALLS: list[str] = []


def counted_priorities(con, tag: str):
    """A kinmon.queries-shaped function (connection first) that records each real run."""
    CALLS.append(tag)
    return con.execute("SELECT count(*) FROM priority").fetchone()[0]


SCRIPT = """
import streamlit as st
from kinmon import ui
import test_ui_cache

read = ui.cached_query(test_ui_cache.counted_priorities)
st.write(f"priorities: {read('a')}")
"""


def _session() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_a_cached_read_is_shared_by_sessions_and_renewed_by_a_publish(tmp_path, snapshot_store, use_store):
    db = tmp_path / "kinmon.duckdb"
    shutil.copy(snapshot_store, db)
    use_store(db)
    CALLS.clear()
    first = _session()
    assert "priorities: 7" in first.markdown[0].value
    _session()  # a second session: the same store version, so no second run
    assert CALLS == ["a"]
    # publish a new file the way writers do (a new file renamed over the old): a new version token
    before = store.version_token(db)
    fresh = tmp_path / "new.duckdb"
    shutil.copy(snapshot_store, fresh)
    fresh.replace(db)
    assert store.version_token(db) != before
    _session()
    assert CALLS == ["a", "a"]


def test_two_queries_never_share_a_cache(tmp_path, snapshot_store, use_store):
    # every cached_query wraps the same inner function: its cache must still be the query's own
    from kinmon.ui import reads

    use_store(snapshot_store)
    at = AppTest.from_string(
        "import streamlit as st\nfrom kinmon.ui import reads\n"
        "st.write(reads.priorities().columns[0] + ' ' + reads.status_scale().columns[0])", default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.markdown[0].value.split() == ["priority_id", "status"]
    assert reads.priorities.__wrapped__.__module__ == "kinmon.queries.core"


def test_no_read_is_dispatched_by_a_module_or_function_name():
    # the old ui.query and exports.table_frame looked functions up by strings through importlib
    for path in [*sorted((ROOT / "kinmon").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert "importlib" not in names, f"{path.relative_to(ROOT)}:{node.lineno} imports importlib"
