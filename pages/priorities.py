"""Priority: is the government delivering on priority N, what changed, and what is the evidence?"""

from datetime import date, timedelta

import streamlit as st

from kinmon import scorecard, ui
from kinmon.ui import reads
from kinmon.charts import core as charts
from kinmon.queries import core
from kinmon.queries import statistics as stats

TABS = ["Commitments", "Evidence", "Indicators", "Parliament", "Timeline", "What changed"]
EXCERPT_CHARS = 400
QUESTION_CARDS = 15
CHANGES_SHOWN = 500  # rows of "What changed" sent with the page; every one is a download away
TAG_METHODS = {"rule": "automatically, by kinmon's published rule", "override": "by a curated correction"}

prios = reads.priorities()
ids = [int(p) for p in prios["priority_id"]]
titles = dict(zip(ids, prios["short_title"]))

pid = ui.url_selectbox("Priority", ids, key="priority", format_func=lambda p: f"{p}. {titles[p]}")
p = prios[prios["priority_id"] == pid].iloc[0]

ui.page_header(f"Priority {pid}: {p['short_title']}")
st.markdown(ui.md_escape(p["summary"]))
st.caption(f"The Alliance asks: {ui.md_escape(p['alliance_ask'])} ([source]({p['source_url']}))")
ui.freshness_line()

mix = reads.status_mix()
label, colour = scorecard.verdict(mix, pid)
st.badge(label, color=colour)
st.write(scorecard.priority_line(mix, pid))

page_sources = {"snapshot-commitments", "kinship-care-alliance"}
# the open tab is part of the view's address (?tab=Parliament), so a shared link opens the same tab
tab_c, tab_e, tab_i, tab_p, tab_t, tab_new = st.tabs(TABS, key="tab", bind="query-params")

with tab_c:
    comm = reads.commitments(pid)
    scale = reads.status_scale()
    history = reads.status_history(None, pid)
    if comm.empty:
        st.info("No government commitment serves this priority yet.")
    else:
        st.caption("Process milestones (a document published, a role created) are kept apart from outcomes "
                   "(families reached, money spent). Amounts of different scope are never added together.")
        for kind, heading in (("process", "Process milestones"), ("outcome", "Outcomes")):
            part = comm[comm["kind"] == kind]
            if part.empty:
                continue
            st.markdown(f"#### {heading}")
            ui.table(
                part[["title", "status_label", "status_since", "status_reason", "announced_on", "amount_gbp",
                      "amount_scope", "source_url"]],
                column_config={
                    "title": "Commitment", "status_label": "Status", "status_since": st.column_config.DateColumn("Since"),
                    "status_reason": "Why", "announced_on": st.column_config.DateColumn("Announced"),
                    "amount_gbp": st.column_config.NumberColumn("Amount (£)", format="localized"),
                    "amount_scope": "What the amount covers",
                    "source_url": st.column_config.LinkColumn("Source", display_text="source"),
                },
            )
        st.markdown("#### How each status moved")
        ui.chart(ui.figure(charts.status_history, history, scale, f"Priority {pid}: status of each commitment over time",
                                       "Source: kinmon commitments register; each change is dated and sourced."),
                 f"kinmon-priority-{pid}-status-history")
        with st.expander("Full status history (append-only)"):
            ui.table(history[["title", "changed_on", "status_label", "reason", "source_url"]],
                         column_config={"source_url": st.column_config.LinkColumn("Source", display_text="source"),
                                        "changed_on": st.column_config.DateColumn("Date"),
                                        "status_label": "Status", "title": "Commitment", "reason": "Reason"})
        ui.download_row(comm.drop(columns=["status_rank"]), f"priority-{pid}-commitments",
                        f"Priority {pid} ({p['short_title']}): commitments and status",
                        full=reads.commitments_export(), filters={"priority": pid}, key="commitments")

with tab_e:
    ev = reads.evidence(pid)
    if ev.empty:
        st.info("No curated evidence is linked to this priority's commitments yet.")
    else:
        st.caption("Curated links were checked by hand; suggested links are found automatically (same priority, "
                   "dated after the commitment, sharing a distinctive word) and are leads, not findings.")
        ui.table(ev[["method", "date", "commitment", "item_type", "item_title", "note", "url"]],
                     column_config={"method": "Curated or suggested","url": st.column_config.LinkColumn("Record", display_text="open"),
                                    "date": st.column_config.DateColumn("Date"), "item_type": "Kind",
                                    "item_title": "Record", "note": "What it shows", "commitment": "Commitment"})
        ui.download_row(ev, f"priority-{pid}-evidence", f"Priority {pid}: evidence", filters={"priority": pid},
                        key="evidence")

with tab_i:
    for _, ind in reads.indicators(pid).iterrows():
        st.markdown(f"#### {ui.md_escape(ind['headline'])}")
        if not ui.blank(ind["note"]):
            st.caption(ui.md_escape(ui.expand_terms(ind["note"])))
        if ui.blank(ind["series_id"]):
            continue
        values = reads.indicator_values(ind["series_id"])
        if values.empty:
            st.info("No published value is held for this measure yet.")
            continue
        publications = "; ".join(sorted({str(v) for v in values["publication"] if not ui.blank(v)}))
        left, right = st.columns([3, 2])
        with left:
            ui.chart(ui.figure(charts.indicator, values, ind["headline"], f"Source: {publications}"),
                     f"kinmon-{ind['series_id']}")
        with right:
            shown = values.assign(value=[stats.display_value(v, t, c) for v, t, c in
                                         zip(values["value"], values["value_text"], values["suppression"])])
            ui.table(shown[["time_period", "geography_name", "value", "unit", "source_url"]],
                         column_config={"source_url": st.column_config.LinkColumn("Source", display_text="source"),
                                        "time_period": "Period", "geography_name": "Area", "value": "Value",
                                        "unit": "Unit"})
        page_sources.update(values["source_id"])
        st.caption("Suppressed values are shown as their code (c, k, u, x, z, low) and figures published in words "
                   "as those words: neither is plotted as a number.")
        ui.download_row(values, f"indicator-{ind['series_id']}", ind["headline"], key=f"dl-{ind['series_id']}",
                        full_query=(stats.observations_export, (ind["series_id"],)))

with tab_p:
    qs = reads.tagged_questions(pid)
    new_only = ui.url_toggle("Only answers that say something new", key="new",
                             help="At least one sentence of the answer appears in no earlier answer on kinship care.")
    if new_only:
        qs = qs[qs["id"].isin(reads.questions_saying_something_new(pid))]
    deb = reads.tagged_debates(pid)
    n = reads.parliament_counts(pid).iloc[0]
    page_sources.update(reads.tagged_source_ids(pid))
    st.markdown(f"**{ui.plural(int(n['questions']), 'written question')}**, "
                f"**{ui.plural(int(n['debates']), 'debate')}** and "
                f"**{ui.plural(int(n['statements']), 'written statement')}** are tagged to this priority "
                "by kinmon's published classification rules (see About).",
                help="The same count as the priority's card on Home, dated or not.")
    if new_only:
        st.caption(f"Showing {ui.plural(len(qs), 'question')} whose answer says something new.")
    if len(qs) > QUESTION_CARDS:
        st.caption(f"The {QUESTION_CARDS} most recent questions are shown; Search lists them all.")
    for _, q in qs.head(QUESTION_CARDS).iterrows():
        with st.container(border=True):
            who = ui.text_or(q["asking_member_name"], "a member not recorded")
            party = "" if ui.blank(q["asking_member_party"]) else f" ({ui.md_escape(q['asking_member_party'])})"
            answered = ("not yet answered" if ui.blank(q["date_answered"])
                        else f"answered {ui.fmt_date(q['date_answered'])}")
            record = "" if ui.blank(q["url"]) else f" · [official record]({ui.link_target(q['url'])})"
            st.markdown(f"**{ui.text_or(q['heading'], 'Written question')}** · {ui.text_or(q['house'], 'House not recorded')} · "
                        f"asked by {who}{party} · {answered}{record}")
            st.markdown(ui.text_or(q["question_text"], "(question text not recorded)"))
            answer = q["answer_text"]
            if not ui.blank(answer):  # an unanswered question has no answer (NaN), not an empty one
                answer = str(answer)
                excerpt = answer if len(answer) < EXCERPT_CHARS else answer[:EXCERPT_CHARS] + " ..."
                st.caption("Answer: " + ui.md_escape(excerpt))
            how = TAG_METHODS.get(q["method"], "by kinmon")
            st.caption(f"Tagged to priority {pid} {how} `{ui.text_or(q['rule_id'], 'unnamed')}`.",
                       help="Each tag names the rule that made it. The rules are phrases in "
                            "data/classification_rules.json; About explains them.")
    if len(deb):
        st.markdown("#### Debates")
        ui.table(deb[["date", "title", "location", "url"]],
                 column_config={"url": st.column_config.LinkColumn("Hansard", display_text="open"),
                                "date": st.column_config.DateColumn("Date"), "title": "Debate",
                                "location": "Where"})

with tab_t:
    events = reads.timeline(pid)
    if events.empty:
        st.info("No dated events for this priority.")
    else:
        ui.chart(ui.figure(charts.timeline, events, f"Priority {pid}: dated events",
                                 "Source: kinmon timeline, each event with its source."), f"kinmon-priority-{pid}-timeline")
        ui.table(events[["date", "title", "type", "amount_gbp", "source_url"]].assign(
                     title=[ui.expand_terms(t) for t in events["title"]]),
                     column_config={"title": "Event", "type": "Kind","source_url": st.column_config.LinkColumn("Source", display_text="source"),
                                    "date": st.column_config.DateColumn("Date"),
                                    "amount_gbp": st.column_config.NumberColumn("Amount (£)", format="localized")})

with tab_new:
    default_since = date.today() - timedelta(days=365)
    since = ui.url_date_text("What changed since (YYYY-MM-DD, press Enter)", key="since", default=default_since)
    changes = reads.changes_since(since, pid, limit=CHANGES_SHOWN)
    n_changes = reads.changes_count(since, pid)
    st.markdown(f"**{ui.plural(n_changes, 'change')}** on or after {ui.fmt_date(since)}"
                + (f"; the newest {CHANGES_SHOWN:,} are listed, the download below has every one." if
                   n_changes > CHANGES_SHOWN else "."))
    ui.table(changes, column_config={"url": st.column_config.LinkColumn("Source", display_text="open"),
                                     "date": st.column_config.DateColumn("Date"), "kind": "Kind",
                                     "what": "What changed", "priorities": "Priorities"})
    if n_changes > CHANGES_SHOWN:
        ui.download_row(changes, f"priority-{pid}-changes", f"Priority {pid}: what changed since {since}",
                        full_query=(core.changes_since, (since, pid)), filters={"priority": pid, "since": since},
                        key="changes")

ui.source_footer(sorted(page_sources), note=f"priority {pid}; commitments and events link their own sources")
