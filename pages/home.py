"""Home: is the government delivering on the Kinship Care Alliance's seven priorities?"""

import streamlit as st

from kinmon import licences, scorecard, ui
from kinmon.ui import reads
from kinmon.charts import core as charts

ui.page_header(
    "Is the government delivering on kinship care?",
    "kinmon tracks England's National Kinship Care Strategy (Department for Education, December 2023) against "
    "the seven priorities of the Kinship Care Alliance: government commitments and their status, what Parliament "
    "asks and is told, and the published figures.",
)
ui.freshness_line()
st.caption(f"Picture last updated: the latest change of a commitment's status is dated "
           f"{ui.fmt_date(reads.last_rating_change())} (see the Changelog).")

prios = reads.priorities()
mix = reads.status_mix()
scale = reads.status_scale()
latest = reads.latest_evidence().set_index("priority_id")
attention = reads.attention_by_quarter()
counts = reads.parliament_counts().set_index("priority_id")
titles = dict(zip(prios["priority_id"], prios["short_title"]))

st.subheader("The seven priorities at a glance")
st.caption("Each badge sums up the status of the government's own commitments on that priority (fewer than three "
           "are too few to judge); whether they meet the Alliance's ask is for the reader to weigh. Parliamentary items "
           "are tagged by kinmon's published rules (see About) and counted as on each priority's own page.")
for start in range(0, len(prios), 4):
    cols = st.columns(4)
    for col, (_, p) in zip(cols, prios.iloc[start:start + 4].iterrows()):
        pid = int(p["priority_id"])
        label, colour = scorecard.verdict(mix, pid)
        with col.container(border=True, height="stretch"):
            st.markdown(f"**{pid}. {ui.md_escape(p['short_title'])}**")
            st.badge(label, color=colour)
            st.write(scorecard.priority_line(mix, pid))
            if pid in latest.index:
                ev = latest.loc[pid]
                st.caption(f"Latest evidence, {ui.fmt_date(ev['date'])}: {ui.md_escape(ui.expand_terms(ev['what']))}")
            c = counts.loc[pid]
            st.caption("Tagged to this priority: " + ui.plural(int(c["questions"]), "written question") + ", "
                       + ui.plural(int(c["debates"]), "debate") + ", " + ui.plural(int(c["statements"]), "statement"))
            st.page_link("pages/priorities.py", label=f"Open priority {pid}", icon=":material/arrow_forward:",
                         query_params={"priority": str(pid)})

st.subheader("Commitments by status")
ui.chart(ui.figure(charts.status_mix, mix, titles, scale, "Source: kinmon commitments register, each status with its source "
                           "(see Priorities). Compiled from government and parliamentary publications."),
         "kinmon-commitments-by-status")
with st.expander("What the statuses mean"):
    ui.table(scale[["label", "definition"]], {"label": "Status", "definition": "What it means"})

st.subheader("Parliamentary attention over time")
undated = reads.undated_tagged()
ui.chart(ui.figure(charts.attention, attention, "Written questions, debates and statements on kinship care, per quarter",
                          "Source: UK Parliament, via kinmon. " + licences.OPL_ATTRIBUTION),
         "kinmon-parliamentary-attention")
if undated:
    st.caption(f"{ui.plural(undated, 'tagged written question')} with no known date "
               f"{'is' if undated == 1 else 'are'} not in this chart, but {'is' if undated == 1 else 'are'} "
               "counted on the cards above.")

ui.source_footer(["snapshot-commitments", "kinship-care-alliance", *reads.tagged_source_ids()],
                 note="commitments, their statuses and the parliamentary records tagged to each priority")
