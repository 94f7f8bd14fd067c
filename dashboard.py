"""kinmon's dashboard: `streamlit run dashboard.py`. Builds the store from data/ on first start."""

import streamlit as st

from kinmon import ui
from kinmon.errors import BadInput, StoreError

# a local file, not a Material icon: an icon name is fetched from a font CDN and fails offline
st.set_page_config(page_title="kinmon: kinship care strategy monitor", page_icon="static/favicon.png",
                   layout="wide")

try:
    ui.ensure_store()
except (BadInput, StoreError) as exc:  # a snapshot file or the store is wrong: one line, no traceback
    st.error(f"kinmon could not open its store: {exc}")
    st.stop()

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/priorities.py", title="Priorities", icon=":material/flag:", url_path="priorities"),
    st.Page("pages/explore.py", title="Search", icon=":material/search:", url_path="search"),
    st.Page("pages/parliament.py", title="Parliament", icon=":material/account_balance:", url_path="parliament"),
    st.Page("pages/statistics.py", title="Statistics", icon=":material/bar_chart:", url_path="statistics"),
    st.Page("pages/members.py", title="Asks of MPs", icon=":material/groups:", url_path="members"),
    st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page("pages/changelog.py", title="Changelog", icon=":material/history:", url_path="changelog"),
    st.Page("pages/data.py", title="Data & downloads", icon=":material/download:", url_path="data"),
    st.Page("pages/about.py", title="About", icon=":material/info:", url_path="about"),
]

page = st.navigation(PAGES)
st.session_state["_kinmon_page_path"] = page.url_path
page.run()
