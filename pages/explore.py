"""Explore: search and filter everything Parliament has said on kinship care, and follow what is new."""

import html
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from kinmon import downloads, search, ui
from kinmon.queries import core, records
from kinmon.ui import reads
from kinmon.sanitize import clean_html, md_link, safe_href

SEARCH_HELP = ('Words must all appear (AND). Use "quoted phrases", OR between alternatives, and -word or NOT word '
               'to exclude. Example: "special guardianship" allowance OR allowances -adoption')
RESULT_CARDS = 20
NEW_SHOWN = 500  # rows of "New since" sent with the page; every one is a download away
NEW_HELP = ("An answer says something new when at least one of its sentences appears in no earlier answer on "
            "kinship care, word for word or reworded. Ministers often repeat stock paragraphs.")
STATUS_LABELS = {"new": "New", "repeated": "Said before, word for word", "reworded": "Said before, reworded",
                 "short": "Too short to judge"}

ui.page_header("Search Parliament's record on kinship care",
               "Written questions and answers, written statements, debates and speeches, ranked by relevance.")
ui.freshness_line()

text = ui.url_text("Search", key="q", help=SEARCH_HELP,
                   placeholder='e.g. "kinship allowance" OR "special guardianship allowance"')


def _when(day, precision) -> str:
    """A record's date; a question whose source shows only the month it was tabled says so."""
    if precision == "month" and pd.notna(day):
        return f"tabled in {pd.Timestamp(day).strftime('%B %Y')} (day not recorded)"
    return ui.fmt_date(day) if pd.notna(day) else "date not recorded"


def _why(kind: str, item_id: str) -> None:
    """Each priority the record is tagged with, and the rule and words (or the curated reason) behind it."""
    reasons = reads.tag_reasons(kind, item_id)
    if reasons.empty:
        st.caption("No priority: no classification rule matched this record.")
        return
    st.markdown("**Why these priorities**  \n" + "  \n".join(
        f"{int(r.priority_id)}. {ui.md_escape(r.short_title)}: {ui.md_escape(r.why)} "
        f"(`{ui.md_escape(r.rule_id)}`, rules {ui.md_escape(r.rules_version)})" for r in reasons.itertuples()))


def _opts(column):
    return reads.search_options(column)


prios = reads.priorities()
titles = dict(zip(prios["priority_id"].astype(int), prios["short_title"]))
FACETS = [  # (URL key, label, filter name, facet column, options)
    ("kind", "Kind", "item_types", "item_type", _opts("item_type")),
    ("priority", "Priority", "priorities", "priority", list(titles)),
    ("house", "House", "houses", "house", _opts("house")),
    ("party", "Party", "parties", "party", _opts("party")),
    ("member", "Member", "members", "member", _opts("member")),
    ("dept", "Department", "departments", "department", _opts("department")),
    ("status", "Status", "statuses", "status", _opts("status")),
]

chosen: dict[str, tuple] = {}
with st.expander("Filters", expanded=bool(set(st.query_params) - {"q"})):
    facet_area, date_area = st.container(), st.container()
# the dates are read first, so the facets' counts honour them too (they are drawn below the facets)
with date_area:
    c1, c2, c3, c4, c5 = st.columns(5)
    with c1:
        named = ui.url_selectbox("Named day", ["any", "yes", "no"], key="named")
    if named != "any":
        chosen["named_day"] = named == "yes"
    for col, key, label, fname in ((c2, "tabled_from", "Tabled from", "tabled_from"), (c3, "tabled_to", "Tabled to", "tabled_to"),
                                   (c4, "answered_from", "Answered from", "answered_from"),
                                   (c5, "answered_to", "Answered to", "answered_to")):
        with col:
            value = ui.url_date(label, key=key)
        if value:
            chosen[fname] = value
    t1, t2 = st.columns(2)
    with t1:
        if ui.url_toggle("Only answers that say something new", key="new", help=NEW_HELP):
            chosen["new_only"] = True
    with t2:
        if ui.url_toggle("Keep questions whose tabled date is not recorded", key="undated",
                         help="With a tabled-date filter, also list questions whose source shows no date."):
            chosen["include_undated"] = True
with facet_area:
    cols = st.columns(4)
    # each facet counts the matches under the filters chosen so far, its own lifted; until one is picked they
    # are all the same match set, so one cached call counts them all in one pass
    before = dict(chosen)
    all_counts = reads.search_facets(text, tuple(f[3] for f in FACETS), **before)
    for i, (key, label, fname, column, opts) in enumerate(FACETS):
        others = {k: v for k, v in chosen.items() if k != fname}
        counts = all_counts[column] if others == before else reads.search_facet(text, column, **others)
        n = dict(zip(counts["value"], counts["n"]))
        fmt = (lambda o, n=n: f"{o}. {titles[o]} ({n.get(o, 0)})") if key == "priority" else \
              (lambda o, n=n: f"{o} ({n.get(o, 0)})")
        with cols[i % 4]:
            picked = ui.url_multiselect(label, opts, key=key, format_func=fmt)
        if picked:
            chosen[fname] = tuple(picked)

found = reads.search_results(text, **chosen)
st.markdown(f"**{ui.plural(len(found), 'result')}**" + (f" for {ui.md_escape(text)}" if text else " (newest first)")
            + ("; showing the first 200" if len(found) >= 200 else ""))

tab_list, tab_table, tab_new = st.tabs(["Results", "Table", "What's new"])
with tab_list:
    for _, r in found.head(RESULT_CARDS).iterrows():
        with st.container(border=True):
            meta = " · ".join(x for x in [r["item_type"], r["house"], _when(r["date"], r["date_precision"]),
                                          r["member"] or "", r["party"] or "", r["department"] or "", r["status"]]
                              if isinstance(x, str) and x)
            title = ui.text_or(r["title"], "Untitled record")
            link = f"[{title}]({ui.link_target(r['url'])})" if safe_href(r["url"]) else title
            st.markdown(f"**{link}**  \n{ui.md_escape(meta)}"
                        + (f" · {ui.priority_list(r['priorities'])}" if ui.priority_list(r["priorities"]) else ""))
            # a debate's text here is a curator's note about the record, not words said in Parliament
            body = "" if r["item_type"] == "debate" else search.highlight(r["text_a"], text)
            if body:
                st.html(f"<div style='font-size:0.95rem;overflow-wrap:anywhere'>{body}</div>")
            answer = search.highlight(r["text_b"], text)
            if answer:
                st.html(f"<div style='font-size:0.9rem;color:#444;overflow-wrap:anywhere'><b>Answer:</b> {answer}</div>")
            if r["item_type"] == "question" and answer:
                new, before = int(r["new_passages"] or 0), int(r["repeated_passages"] or 0)
                st.caption(f"What is new: {new} of {new + before} sentences new, {before} said in an earlier answer.")
    if len(found) > RESULT_CARDS:
        st.caption(f"The first {RESULT_CARDS} are shown here; the Table tab lists all {len(found)}.")

shown = found.drop(columns=["text_a", "text_b", "doc_id"])
with tab_table:
    ui.table(shown, hide_index=True,
                 column_config={"url": st.column_config.LinkColumn("Official record", display_text="open"),
                                "date": st.column_config.DateColumn("Date"),
                                "date_tabled": st.column_config.DateColumn("Tabled"),
                                "date_answered": st.column_config.DateColumn("Answered"),
                                "score": st.column_config.NumberColumn("Relevance", format="%.2f")})
    title = f"Search results for '{text}'" if text else "Parliamentary records"
    ui.download_row(shown, "kinmon-search", title, filters={"q": text, **chosen}, key="results")
    # every match, not only the first 200: built when clicked, never with the page
    path, pairs = ui.ensure_store(), tuple(sorted(chosen.items()))
    every = st.container(horizontal=True)
    for fmt, mime, what in (("csv", "text/csv", "Every match, CSV"),
                            ("xlsx", ui.XLSX_MIME, "Every match, XLSX with a README")):
        every.download_button(what, downloads.query_file(path, search.export_rows, (text, pairs), fmt,
                                                         "kinmon-search-full", title + " (every match)"),
                              f"kinmon-search-full.{fmt}", mime, key=f"results-full-{fmt}",
                              icon=":material/download:", on_click="ignore", help="Built when you click")

with tab_new:
    since = ui.url_date("New since", key="since", default=date.today() - timedelta(days=90))
    pid = ui.url_selectbox("For priority", ["all", *titles], key="feed",
                           format_func=lambda p: "All priorities" if p == "all" else f"{p}. {titles[p]}")
    feed_pid = None if pid == "all" else int(pid)
    new = reads.changes_since(since, feed_pid, limit=NEW_SHOWN)
    n_new = reads.changes_count(since, feed_pid)
    st.markdown(f"**{n_new:,} new items** since {ui.fmt_date(since)}: questions, answers, debates, events and "
                "status changes." + (f" The newest {NEW_SHOWN:,} are listed; the full download has every one."
                                     if n_new > NEW_SHOWN else ""))
    ui.table(new, hide_index=True, column_config={"url": st.column_config.LinkColumn("Source", display_text="open"),
                                                      "date": st.column_config.DateColumn("Date")})
    stem = "all" if pid == "all" else f"priority-{pid}"
    st.markdown(f"Subscribe for alerts: [Atom](app/static/feeds/{stem}.atom) · [RSS](app/static/feeds/{stem}.rss) · "
                f"[CSV](app/static/feeds/{stem}.csv). The feeds are refreshed by `python -m kinmon feeds` after "
                "each ingest (see the README).")
    ui.download_row(new, f"kinmon-new-{stem}", "What is new on kinship care", filters={"since": since, "priority": pid},
                    full_query=(core.changes_since, (since, feed_pid)) if n_new > NEW_SHOWN else None, key="new")

st.subheader("Open a record")
if found.empty:
    st.caption("No record matches.")
else:
    labels = {row.doc_id: f"{row.item_type}: {row.title} ({ui.fmt_date(row.date)})" for row in found.itertuples()}
    doc = ui.url_selectbox("Record", list(labels), key="doc", format_func=labels.get)
    kind, item_id = doc.split(":", 1)
    if kind == "question":
        q = reads.question(int(item_id)).iloc[0]
        st.markdown(f"### {ui.text_or(q['heading'], 'Written question')} ({ui.text_or(q['house'], 'House not recorded')}, UIN {ui.text_or(q['uin'], 'unknown')})")
        st.caption(f"Tabled {ui.fmt_date(q['date_tabled'])} · due {ui.fmt_date(q['date_for_answer'])} · answered "
                   f"{ui.fmt_date(q['date_answered'])}" + (" · named day" if ui.flag(q["is_named_day"]) else "")
                   + (" · holding answer" if ui.flag(q["answer_is_holding"]) else "")
                   + (" · withdrawn" if ui.flag(q["is_withdrawn"]) else ""))
        st.markdown(f"**Asked by** {ui.text_or(q['asking_member_name'], 'a member not recorded in kinmon copy')}"
                    + (f" ({ui.md_escape(q['asking_member_party'])}, {ui.md_escape(q['asking_member_from'])})"
                       if ui.flag(q["asking_member_party"]) else ""))
        st.markdown(ui.md_escape(q["question_text"]))
        st.markdown(f"**Answered by** {ui.text_or(q['answering_member_name'])}, "
                    f"{ui.text_or(q['answering_body_name'], 'department not recorded')}")
        if ui.flag(q["answer_html"]):
            st.html(clean_html(q["answer_html"]))  # cleaned at ingest; again here, whoever wrote the store
        if not ui.flag(q["text_complete"]):
            st.caption("This answer is an excerpt: follow the official record for the full text.")
        passages = reads.answer_passages(int(item_id))
        if len(passages):
            said = passages["status"].isin(["repeated", "reworded"])
            st.markdown(f"**What is new in this answer:** {int((passages['status'] == 'new').sum())} of "
                        f"{len(passages)} sentences are new; {int(said.sum())} were said in an earlier answer.",
                        help=NEW_HELP)
            rows = []
            for p in passages.itertuples():
                mark = STATUS_LABELS.get(p.status, p.status)
                where = ""
                if ui.flag(p.first_question_id) and isinstance(p.first_url, str):
                    earlier = html.escape(p.first_heading if isinstance(p.first_heading, str) else "an earlier answer")
                    where = (f" (first in <a href='{html.escape(p.first_url, quote=True)}' rel='noopener noreferrer "
                             f"nofollow'>{earlier}</a>, {html.escape(ui.fmt_date(p.first_date))})")
                colour = "#1a7f37" if p.status == "new" else "#888"
                rows.append(f"<p style='border-left:4px solid {colour};padding-left:8px;margin:4px 0;"
                            f"color:{'#222' if p.status == 'new' else '#666'}'><b>{mark}</b>{where}: "
                            f"{html.escape(p.passage)}</p>")
            with st.expander("Sentence by sentence"):
                st.html("".join(rows))
        grouped = reads.grouped(int(item_id))
        if ui.flag(q["grouped_questions"]):
            st.markdown("**Answered together with** UINs " + ui.md_escape(q["grouped_questions"]))
            if len(grouped):
                ui.table(grouped, hide_index=True,
                             column_config={"url": st.column_config.LinkColumn("Record", display_text="open")})
        attachments = records.attachment_list(q["attachments"])
        if attachments:
            st.markdown("**Attachments**")
            st.markdown("\n".join(f"- {md_link(ui.md_escape(a['title']), a['url'])} ({ui.md_escape(a['kind'])})"
                                   for a in attachments))
        elif ui.flag(q["attachment_count"]):
            st.markdown(f"**Attachments:** {int(q['attachment_count'])} (see the official record)")
        revs = reads.revisions(int(item_id))
        if len(revs):
            st.markdown("**Correction history**: earlier answers, replaced by a correction")
            ui.table(revs.drop(columns=["answer_html"]), hide_index=True)
        _why(kind, item_id)
        st.markdown(f"[Official record]({q['url']}) · retrieved {ui.fmt_date(q['retrieved_at'])}")
    elif kind == "statement":
        s = reads.statement(int(item_id)).iloc[0]
        known = {k: s[k] if isinstance(s[k], str) and s[k] else "not recorded" for k in ("title", "house", "member_name")}
        made = ui.fmt_date(s["date_made"]) if pd.notna(s["date_made"]) else "on a date not recorded"
        st.markdown(f"### {ui.md_escape(s['title'] if known['title'] != 'not recorded' else 'Written statement')}")
        st.caption(f"House {ui.md_escape(known['house'])} · made {made} by {ui.md_escape(known['member_name'])}")
        if s["text_html"]:
            st.html(clean_html(s["text_html"]))
        _why(kind, item_id)
        st.markdown(f"[Official record]({s['url']})")
    else:
        debate_id = item_id if kind == "debate" else None
        if debate_id:
            d = reads.debate(debate_id).iloc[0]
            st.markdown(f"### {ui.md_escape(d['title'])}")
            st.caption(f"{ui.md_escape(d['location'] or d['house'] or '')} · {ui.fmt_date(d['date'])}")
            if d["participants"]:
                st.markdown("**Members:** " + ui.md_escape(d["participants"]))
            if not ui.blank(d["notes"]):
                st.caption("Curator's note (kinmon's, not Parliament's): " + ui.md_escape(d["notes"]))
            _why(kind, item_id)
            st.markdown(f"[Hansard]({d['url']})")
        else:
            r = found[found["doc_id"] == doc].iloc[0]
            st.markdown(f"### {ui.md_escape(r['title'])}")
            st.markdown(ui.md_escape(r["text_a"]))
            _why(kind, item_id)
            st.markdown(f"[Hansard]({r['url']})")

ui.source_footer(like=None, note="Parliamentary records")
