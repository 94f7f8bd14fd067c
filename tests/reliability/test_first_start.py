"""Fault 3 of #13: a freshly started server's first visitors, all at once, get pages, not tracebacks.

Twenty sessions open every page of a server that has just started on an empty store path (so the first
of them also builds the store from the snapshot): the suite's fresh server (conftest.py), which later parts
then use in turn. Before the fix 5 to 11 of the 20 got
`ImportError: cannot import name 'ui' from 'kinmon'`: kinmon.ui raised st.rerun() while being imported,
and every session importing it at that moment saw the half-imported module.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import servers
import wsclient

SESSIONS = 20
# The race is in the first import of kinmon.ui, which every page makes: the pages that are quickest to draw
# keep the test short (every page is drawn by the load part, test_load.py); each is opened four times at once.
FIRST_PAGES = ("", "about", "timeline", "changelog", "members")
TITLES = {"": "Is the government delivering on kinship care?", "priorities": "Priority 2:",
          "timeline": "What has happened on kinship care, and when?", "about": "About kinmon",
          "search": "Search Parliament's record on kinship care"}


def test_twenty_sessions_on_a_fresh_server_all_get_their_page(fresh_server):
    # The suite's fresh server (conftest.py): started on an empty store path, visited by no test before this one
    # (the later parts that share it run after this module).
    assert fresh_server.fresh and not fresh_server.db.exists(), "the first-start part must meet a fresh server"
    server = fresh_server.take()
    since = server.mark()
    pages = ([(p, servers.PAGES[p]) for p in FIRST_PAGES] * SESSIONS)[:SESSIONS]
    together = threading.Barrier(SESSIONS)  # every page asked for at the same moment
    with ThreadPoolExecutor(SESSIONS) as pool:
        visits = list(pool.map(lambda pq: wsclient.visit(server.url, *pq, timeout=120, together=together), pages))
    # (A first visit to /search may also get Streamlit's "page not found" notice: in its old folder mode the
    # page is named by its file, explore.py, until the rerun routes it. The page itself then shows.)
    problems = [(v.page, v.exceptions[:1], v.errors[:1], v.failure) for v in visits if not v.ok or v.errors]
    assert problems == []
    assert server.tracebacks(since) == 0, server.serving_log(since)[-3000:]
    for v in visits:
        if v.page in TITLES:
            assert any(TITLES[v.page] in t for t in v.texts), (v.page, v.texts[:5])
