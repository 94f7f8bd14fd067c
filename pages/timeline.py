"""Timeline: what has government, Parliament and the sector done on kinship care, and when?"""

from datetime import date

import streamlit as st

from kinmon import ui
from kinmon.ui import reads
from kinmon.charts import core as charts

ui.page_header("What has happened on kinship care, and when?",
               "Every dated commitment, publication, debate and statement kinmon holds, each with its source.")
ui.freshness_line()

prios = reads.priorities()
titles = dict(zip(prios["priority_id"], prios["short_title"]))
types = reads.event_types()

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
with c1:
    choice = ui.url_selectbox("Priority", ["all"] + [str(p) for p in titles], key="priority",
                                format_func=lambda p: "All priorities" if p == "all" else f"{p}. {titles[int(p)]}")
with c2:
    chosen = ui.url_multiselect("Kinds of event", types, key="types", placeholder="All kinds")
with c3:
    start = ui.url_date("From", key="from", default=date(2022, 1, 1))
with c4:
    end = ui.url_date("To", key="to", default=date.today())
span = (start, end)

events = reads.timeline(None if choice == "all" else int(choice), span[0], span[1], chosen or None)
label = "all priorities" if choice == "all" else f"priority {choice}"
st.markdown(f"**{ui.plural(len(events), 'event')}** for {label}, {ui.fmt_date(span[0])} to {ui.fmt_date(span[1])}.")
if events.empty:
    st.info("Nothing matches these filters.")
else:
    ui.chart(ui.figure(charts.timeline, events, f"Kinship care timeline: {label}",
                             "Source: kinmon timeline, compiled from government, parliamentary and sector "
                             "publications; each event links to its source."), "kinmon-timeline")
    shown = events[["date", "title", "type", "priorities", "amount_gbp", "source_title", "source_url", "notes"]]
    ui.table(shown.assign(title=[ui.expand_terms(t) for t in shown["title"]]),
                 column_config={"source_url": st.column_config.LinkColumn("Source", display_text="open"),
                                "date": st.column_config.DateColumn("Date"), "title": "Event", "type": "Kind",
                                "priorities": "Priorities", "source_title": "Source title", "notes": "Notes",
                                "amount_gbp": st.column_config.NumberColumn("Amount (£)", format="localized")})
    st.caption("Where a source gives only a month or a year, the event is placed on the first day of it. "
               "Amounts are as announced, each with its own scope: never add them up.")
    ui.download_row(shown, "timeline", f"Kinship care timeline ({label})", full=reads.timeline(),
                    filters={"priority": choice, "types": ",".join(chosen) or "all", "from": span[0], "to": span[1]})
ui.source_footer([], note="each event's own source, as linked on its row",
                 rows=events.rename(columns={"source_title": "title_", "title": "event"})
                 .rename(columns={"title_": "title", "source_url": "url"}) if len(events) else None)
