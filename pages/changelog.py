"""Changelog: what changed in kinmon's ratings and data, and when."""

from datetime import date

import streamlit as st

from kinmon import ui
from kinmon.ui import reads

ui.page_header("What changed, and when?",
               "Every change of a commitment's status, with its reason and source, and every update of the data.")
ui.freshness_line()

since = ui.url_date("Changes since", key="since", default=date(2023, 12, 1))

st.subheader("Ratings")
changes = reads.rating_changes(since)
st.markdown(f"**{ui.plural(len(changes), 'status change')}** on or after {ui.fmt_date(since)}. A status can move "
            "backwards; the history is append-only. A first rating counts as a change; a later entry that keeps "
            "the same status (new evidence, same rating) does not, and is listed in the full history below.")
ui.table(changes.drop(columns=["commitment_id"]),
             column_config={"priorities": "Priorities","changed_on": st.column_config.DateColumn("Date"), "commitment": "Commitment",
                            "from_status": "From", "to_status": "To", "reason": "Why",
                            "source_url": st.column_config.LinkColumn("Source", display_text="source")})
ui.download_row(changes, "rating-changes", "Changes of commitment status", filters={"since": since}, key="ratings",
                full=reads.rating_changes(None, include_unchanged=True))

st.subheader("Data updates")
runs = reads.ingest_runs()
failed = reads.failed_runs()
ui.table(runs,
             column_config={"finished_at": st.column_config.DatetimeColumn("Finished (UTC)"), "source": "Source",
                            "window_from": "Window from", "window_to": "Window to", "rows_added": "Added",
                            "rows_updated": "Updated", "cursor": "Cursor"})
if len(failed):
    st.markdown("**Failed runs** (the store was left as it was):")
    ui.table(failed,
             column_config={"finished_at": "Finished (UTC)", "source": "Source", "error": "Error"})
ui.source_footer(["snapshot-commitments"], note="status changes link their own sources")
