"""About: what kinmon is, how it rates and classifies, its sources and licences, and a glossary."""

import streamlit as st

from kinmon import classify, licences, ui
from kinmon.ui import reads

ui.page_header("About kinmon", "How kinmon works, where its data comes from, and what the words mean.")

st.markdown("""
**kinmon** is an open-source monitor of how England's National Kinship Care Strategy, *Championing kinship care*
(Department for Education, December 2023), is being delivered. It measures progress against the seven priorities of
the **Kinship Care Alliance**, a coalition of charities, and is built for Alliance members, parliamentary researchers
and journalists.

#### Method
- **Commitments and their status.** A register of government commitments on kinship care, each linked to the
  priorities it serves. Each has an append-only history of dated status changes; every change has a one-line reason
  and a source. A status can move backwards. Process milestones (a document published) are kept apart from outcomes
  (families reached, money spent), and amounts of different scope are never added together.
- **Parliament.** Written questions and answers, written statements and debates from the UK Parliament's APIs. Each
  item is tagged with priorities by published, versioned rules; every tag names the rule that made it, and curated
  corrections override a rule.
- **Statistics.** Published figures from the Department for Education's Explore Education Statistics service and
  others, each with its publication and release. Suppressed values (c, k, u, x, z, low) are shown as their codes,
  never as 0. Revised figures keep every vintage; the latest is shown by default.
- **Freshness.** The offline snapshot shipped with kinmon is dated; each live ingest run is recorded with its window,
  its counts and any error.
""")

st.subheader("The seven priorities")
prios = reads.priorities()
for _, p in prios.iterrows():
    st.markdown(f"**{p['priority_id']}. {ui.md_escape(p['short_title'])}**: {ui.md_escape(p['summary'])}")
if len(prios):
    st.caption(f"Source: the Kinship Care Alliance ([link]({prios['source_url'].iloc[0]})). Summaries are kinmon's own words.")

st.subheader("The status scale")
st.caption("From worst to best. A status can move backwards; each change is dated, sourced and kept.")
for _, sc in reads.status_scale().iterrows():
    st.markdown(f"- **{ui.md_escape(sc['label'])}**: {ui.md_escape(sc['definition'])}")

st.subheader("How questions and debates are tagged with priorities")
rules = classify.load_rules()
st.markdown(
    f"Each written question (its heading and question, not the answer), statement, debate and speech is tagged by "
    f"{len(rules.rules)} published rules (version {ui.md_escape(rules.version)}, in `data/classification_rules.json`): "
    "phrases combined with AND, OR and exclusions, some requiring that the text is about kinship care at all. "
    "Every tag names the rule that made it, and curated corrections (`data/classification_overrides.csv`) override "
    "a rule. The rules are measured against a labelled set of real questions in the test suite; the README gives the "
    "latest figures.")

st.subheader("Glossary")
st.caption("Abbreviations are spelled out the first time each page uses them; hover over a ⓘ for help.")
for _, g in reads.glossary().iterrows():
    link = "" if ui.blank(g["source_url"]) else \
        f" ([{ui.text_or(g['source_title'], 'source')}]({ui.link_target(g['source_url'])}))"
    st.markdown(f"**{ui.md_escape(g['term'])}**: {ui.md_escape(g['definition'])}{link}",
                help=None if ui.blank(g["definition"]) else str(g["definition"]))
st.markdown("**Other abbreviations used on these pages**: " + "; ".join(
    ui.md_escape(v) for k, v in sorted(ui.ABBREVIATIONS.items())) + ".")

st.subheader("Sources and licences")
st.markdown(
    f"- Parliamentary material: {licences.OPL_ATTRIBUTION} ([Open Parliament Licence]({licences.OPL_URL}))\n"
    f"- Government statistics: {licences.OGL_ATTRIBUTION} ([Open Government Licence]({licences.OGL_URL}))\n"
    "- Figures quoted from charities and the press are credited to their publisher on every row and used for reporting.")
ui.table(reads.licences_in_use(),
         column_config={"licence": "Licence", "licence_url": st.column_config.LinkColumn("Licence text", display_text="read"),
                        "sources": "Sources", "publishers": "Publishers"})
ui.source_footer(["kinship-care-alliance", "snapshot-commitments"], note="the priorities and the status scale")
