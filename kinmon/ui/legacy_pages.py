"""Streamlit's old folder mode, left on the first run of a fresh server (one workaround, kept apart).

Why this exists: the project's page scripts live in a folder called `pages/`. When that folder exists,
Streamlit starts in its legacy multipage mode, in which it lists every `pages/*.py` itself (plus
dashboard.py as a page), until some script calls `st.navigation`. A new server's first visitor who opens a
page's address directly (a bookmark, a shared permalink such as /statistics?measure=...) gets that page run
on its own: no dashboard.py, no navigation, no store check, and a sidebar that lists "dashboard". The
folder keeps its name (the project's layout names `pages/`), so the mode is left here instead: such a run
is recognised, Streamlit's class-wide `PagesManager.uses_pages_directory` flag is switched off (a
Streamlit internal, which is why this lives in one small module) and the run restarts, so dashboard.py
runs and routes the same address.

The browser test that shows it: tests/test_browser.py::
test_a_permalink_as_a_new_servers_first_visit_still_gets_the_dashboard (a fresh server whose first
request is /statistics?measure=... must show the dashboard's navigation and the Statistics page).

Never call leave_folder_mode() at import: an exception raised while kinmon.ui is being imported (st.rerun
raises one) is seen by every session importing it at that moment as `ImportError: cannot import name 'ui'
from 'kinmon'` (the first-import race of a fresh server; tests/reliability/test_first_start.py). Pages reach
it through the cached queries and page_header(); dashboard.py calls neither before st.navigation.
"""

from __future__ import annotations

import os

import streamlit as st


def leave_folder_mode() -> None:
    """If this run is Streamlit's old folder mode, leave the mode and restart the run (see the module)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    if PagesManager.uses_pages_directory or _registered_by_folder(ctx):
        PagesManager.uses_pages_directory = False
        st.rerun()


def _registered_by_folder(ctx) -> bool:
    """Whether this run's pages are Streamlit's folder list (dashboard.py and every pages/*.py), not the
    list dashboard.py gives st.navigation (pages only) nor the lone main script before it runs."""
    # called before every cached read: plain string work, no Path per page per read
    scripts = [os.path.basename(info.get("script_path") or "") for info in ctx.pages_manager.get_pages().values()]
    return len(scripts) > 1 and "dashboard.py" in scripts
