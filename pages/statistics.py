"""Statistics: how many children leave care to live with family, and how does it vary across England?"""

from datetime import date

import streamlit as st

from kinmon import exports, ui
from kinmon.ui import reads
from kinmon.charts import statistics as charts
from kinmon.queries import statistics as stats

DEFAULT_MEASURE = "cla_ceased_special_guardianship_order"
LEVELS = ["National", "Regional", "Local authority"]
LEVEL_WORDS = {"National": "England", "Regional": "A region", "Local authority": "A council"}
SHOW_CHOICES = {"top": "Highest 20", "bottom": "Lowest 20", "all": "All councils"}
RANKED = 20
TABLE_COLUMNS = {
    "Value": st.column_config.NumberColumn("Value", format="localized",
                                           help="The number as published; empty when it is suppressed"),
    "Suppressed": st.column_config.TextColumn("Suppressed", help="The statistical code published instead of a number"),
    "Label": st.column_config.TextColumn("As shown"),
    "Period ends": st.column_config.DateColumn("Period ends"),
    "Published": st.column_config.DateColumn("Published"),
    "Latest release": st.column_config.CheckboxColumn("Latest release"),
    "Source": st.column_config.LinkColumn("Source", display_text="open"),
}

ui.page_header("What do the published statistics show?",
               "Official figures on kinship care and the care system, chosen for the Kinship Care Alliance's "
               "priorities: the latest release of each, with earlier releases kept. A suppressed figure is shown "
               "as its code (such as c), never as 0.")
ui.freshness_line()

measures = reads.measures()
if measures.empty:
    st.info("No statistics are loaded yet. Run `python -m kinmon ingest statistics`, or load a DfE CSV with "
            "`python -m kinmon ingest file PATH_OR_URL`.")
    ui.source_footer(like="figure:%")
    st.stop()

ids = list(measures["series_id"])
names = {s: t + (" (context)" if ctx else "")
         for s, t, ctx in zip(measures["series_id"], measures["title"], measures["is_context"])}
sid = ui.url_selectbox("Measure", ids, key="measure", index=ids.index(DEFAULT_MEASURE) if DEFAULT_MEASURE in ids else 0,
                       format_func=names.get)
info = reads.series_info(sid)
if info.get("description"):
    st.caption(ui.md_escape(info["description"]))

# ---------------------------------------------------------------- where, which breakdown, which years
places = reads.geographies(sid)
levels = [lv for lv in LEVELS if lv in set(places["geographic_level"])] or sorted(set(places["geographic_level"]))
breakdowns = reads.breakdowns(sid)
c1, c2, c3 = st.columns([1, 2, 2])
with c1:
    level = ui.url_selectbox("Area", levels, key="level", format_func=lambda lv: LEVEL_WORDS.get(lv, lv),
                             help="England, or a wider country (England and Wales, the UK) where only that is published.")
at_level = places[places["geographic_level"] == level]
codes = list(at_level["geography_code"])
labels = dict(zip(at_level["geography_code"], at_level["label"]))
with c2:
    code = ui.url_selectbox("Place", codes, key="place", format_func=lambda c: labels[c])
with c3:
    keys = list(breakdowns["filter_key"])
    filter_key = ui.url_selectbox("Breakdown", keys, key="breakdown", index=keys.index("") if "" in keys else 0,
                                  format_func=lambda k: k.replace("|", "; ") or "All (as published)") \
        if len(keys) > 1 else (keys[0] if keys else "")
place = labels.get(code, code)

everything = reads.series_values(sid, code, filter_key=filter_key)
years = sorted({d.year for d in everything["period_end"].dropna()})
y1, y2, y3 = st.columns([1, 1, 2])
if years:
    with y1:
        first = ui.url_selectbox("From", years, key="from")
    with y2:
        last = ui.url_selectbox("To", years[::-1], key="to")
    first, last = min(first, last), max(first, last)
else:
    first = last = None
with y3:
    st.write("")
    all_vintages = ui.url_toggle("Show earlier releases' values too", key="vintages",
                                 help="Each new release restates earlier years; kinmon keeps every release.")
start, end = (date(first, 1, 1), date(last, 12, 31)) if years else (None, None)
values = reads.series_values(sid, code, filter_key=filter_key, all_vintages=all_vintages,
                  start=start, end=end)

# ---------------------------------------------------------------- the chart and the table, side by side
shown = values[values["is_shown_vintage"]] if len(values) else values
codes_seen = list(values["suppression"].dropna()) if len(values) else []
releases = stats.releases_shown(values)  # exactly the releases of the values drawn, newest first
source = charts.releases_line(releases, codes_seen)
title = charts.chart_title(info["title"], place, start, end)
st.subheader(ui.md_escape(title))  # a place name comes from upstream
for note in reads.geography_notes(code):
    st.info(ui.md_escape(note), icon=":material/account_tree:")
if values.empty:
    st.info("No values for this place and these years.")
else:
    left, right = st.columns([3, 2])
    with left:
        ui.chart(ui.figure(charts.series_over_time, values, title, source, info.get("unit")), f"kinmon-{sid}", key="series")
    table = exports.statistics_table(values)
    with right:
        shown_columns = ["Period", "Value", "Suppressed", "Release", "Published", "Source", "Latest release"]
        if values["value_text"].notna().any():  # a figure published in words shows its words
            shown_columns.insert(1, "Label")
        if table["Published under"].notna().any():
            shown_columns.insert(3, "Published under")
        ui.table(table[shown_columns].fillna({"Suppressed": ""}), hide_index=True, height=380,
                     column_config=TABLE_COLUMNS)
    notes = [f"Unit: {ui.md_escape(info.get('unit') or 'as published')}."]
    if codes_seen:
        notes.append("Codes: " + ui.md_escape(charts.suppression_note(codes_seen)) + ".")
    for _, r in releases[releases["published_note"].notna()].iterrows():
        notes.append(f"Release date of {ui.md_escape(r['release_title'])}: {ui.md_escape(r['published_note'])}.")
    if info.get("newer_available"):
        notes.append(f"A newer version ({ui.md_escape(info['newer_available'])}) of this data set exists than the one "
                     "kinmon is pinned to.")
    if sid.endswith("_as_reported"):
        notes.append("These figures were read from reports by others, not from a DfE release: they are kept apart "
                     "from DfE's own series.")
    st.caption(" ".join(notes))
    ui.download_row(table, f"{sid}-{code}", title, full_query=(stats.observations_export, (sid,)),
                    filters={"measure": sid, "place": place, "breakdown": filter_key or "all", "from": first,
                             "to": last, "earlier releases": all_vintages}, key="series")

changes = reads.vintage_changes(sid, code, filter_key=filter_key)
if len(changes):
    with st.expander(f"What later releases changed ({len(changes)} revisions)"):
        ui.table(changes[["time_period", "earlier_release_title", "earlier_display", "later_release_title",
                              "later_display", "change"]], hide_index=True,
                     column_config={"time_period": "Period", "earlier_release_title": "Earlier release",
                                    "earlier_display": "Was", "later_release_title": "Later release",
                                    "later_display": "Now", "change": st.column_config.NumberColumn("Change")})

# ---------------------------------------------------------------- councils compared
periods = reads.la_periods(sid, filter_key)
if periods:
    st.subheader("How do councils compare?")
    p1, p2 = st.columns([1, 1])
    with p1:
        period = ui.url_selectbox("Year ending", periods, key="year", format_func=lambda d: f"{d:%-d %B %Y}")
    with p2:
        show = ui.url_selectbox("Show", list(SHOW_CHOICES), key="show", format_func=SHOW_CHOICES.get)
    comparison = reads.la_comparison(sid, period, filter_key=filter_key)
    numbered = comparison[comparison["value"].notna()]
    suppressed = comparison[comparison["value"].isna()]
    picked = {"top": numbered.head(RANKED), "bottom": numbered.tail(RANKED), "all": comparison}[show]
    if level == "Local authority" and code not in set(picked["geography_code"]):
        picked = comparison[comparison["geography_code"].isin(set(picked["geography_code"]) | {code})]
    ranked_title = f"{info['title']}: councils ranked, year ending {period:%-d %B %Y}"
    left, right = st.columns([3, 2])
    with left:
        ui.chart(ui.figure(charts.councils_ranked, picked, ranked_title,
                                        charts.releases_line(stats.releases_shown(picked),
                                                             list(picked["suppression"].dropna())),
                                        info.get("unit"), highlight=code),
                 f"kinmon-{sid}-councils", key="councils")
    ranked = exports.statistics_table(picked)
    with right:
        ui.table(ranked[["Rank", "Area", "Value", "Suppressed", "Area code", "Period", "Release", "Published",
                             "Source"]].fillna({"Suppressed": ""}), hide_index=True, height=420,
                     column_config={**TABLE_COLUMNS, "Rank": st.column_config.NumberColumn("Rank"),
                                    "Area": "Council", "Area code": "Code"})
    if len(suppressed) and show != "all":
        st.caption(f"{len(suppressed)} {'council has' if len(suppressed) == 1 else 'councils have'} no number "
                   "published for this year: "
                   + ui.md_escape(", ".join(f"{n} ({d})" for n, d in zip(suppressed["geography_name"], suppressed["display"])))
                   + ".")
    st.caption("Councils' figures are not rounded; national and regional ones are rounded to the nearest 10. "
               "Councils that merged or split are labelled, not joined up.")
    ui.download_row(ranked, f"{sid}-councils-{period:%Y}", ranked_title, full=exports.statistics_table(comparison),
                    filters={"measure": sid, "year ending": period, "show": SHOW_CHOICES[show]}, key="councils")

ui.source_footer(sorted(set(values["source_id"].dropna())) if len(values) else None,
                 note="figures as published, with their release", like="figure:%")
