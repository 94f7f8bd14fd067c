"""Parliament: what is Parliament asking about kinship care, and how quickly does government answer?"""

from datetime import date

import pandas as pd
import streamlit as st

from kinmon import downloads, licences, ui
from kinmon.charts import parliament as charts
from kinmon.queries import parliament as pq
from kinmon.ui import reads

EARLIEST = date(2022, 1, 1)
NOT_RECORDED = "not recorded"
WORDS_HELP = ('As on the Search page: words must all appear (AND); "quoted phrases", OR between alternatives, '
              "-word to exclude. Narrows every count, chart and list on this page.")
LATEST_CARDS = 10
TABLE_ROWS = 500  # rows of the questions table sent with the page
SOURCE = ("Source: UK Parliament written questions and answers, via kinmon. " + licences.OPL_ATTRIBUTION)
RECORD_COLUMNS = {
    "url": st.column_config.LinkColumn("Official record", display_text="open"),
    "date_tabled": st.column_config.DateColumn("Tabled"),
    "date_answered": st.column_config.DateColumn("Answered"),
    "uin": "UIN", "house": "House", "heading": "Heading", "asking_member_name": "Asked by",
    "answering_body_name": "Department",
}
BREAKDOWN_LABELS = {"department": "Answering department", "party": "Party of the asker (at the time)",
                    "house": "House"}

def _recorded(value) -> str:
    return ui.md_escape(value) if isinstance(value, str) and value.strip() else NOT_RECORDED


def _tabled(day, month) -> str:
    """The tabled date, or the month where the source shows only that."""
    if pd.notna(day):
        return ui.fmt_date(day)
    if pd.notna(month):
        return f"in {pd.Timestamp(month).strftime('%B %Y')} (day {NOT_RECORDED})"
    return f"date {NOT_RECORDED}"


def _novelty(new, said_before) -> str:
    new, said_before = int(new or 0), int(said_before or 0)
    if not new and not said_before:
        return "What is new in this answer: too short to judge."
    return (f"What is new in this answer: {new} of {new + said_before} sentences say something no earlier "
            "answer said" + ("; the rest repeat earlier answers (open it in Search to see which)." if said_before else "."))


def _the_rest(total: int, order: str, query, window: tuple, stem: str, what: str) -> None:
    """Under a table cut at TABLE_ROWS: how many there are, and every one of them in the view as a file built
    on click (`query` with the view's `window`)."""
    if total <= TABLE_ROWS:
        return
    st.caption(f"The {order} {TABLE_ROWS:,} of {total:,} are shown; the download has every one.")
    st.download_button(f"All {total:,}, CSV", downloads.query_file(ui.ensure_store(), query, window, "csv", stem,
                                                                  what),
                       f"{stem}.csv", "text/csv", key=f"{stem}-csv", icon=":material/download:", on_click="ignore",
                       help="Built when you click")


ui.page_header(
    "What is Parliament asking about kinship care, and how quickly does government answer?",
    "Written questions and answers, written ministerial statements and debates that mention kinship care, "
    "special guardianship, family and friends care or connected carers. Each links to the official record.",
)
ui.freshness_line()

prios = reads.priorities()
titles = dict(zip(prios["priority_id"].astype(int), prios["short_title"]))
bounds = reads.question_date_range().iloc[0]
first = bounds["first_date"].date() if pd.notna(bounds["first_date"]) else EARLIEST
last = max(bounds["last_date"].date() if pd.notna(bounds["last_date"]) else date.today(), first)

words = ui.url_text("Words in the question or answer", key="q", help=WORDS_HELP,
                    placeholder='e.g. "special guardian" allowance OR allowances')
c1, c2, c3 = st.columns([3, 2, 2])
with c1:
    choice = ui.url_selectbox("Priority", ["all", *[str(p) for p in titles]], key="priority",
                              format_func=lambda p: "All priorities" if p == "all" else f"{p}. {titles[int(p)]}")
with c2:
    since = ui.url_date("Tabled from", key="from", default=first)
with c3:
    until = ui.url_date("Tabled to", key="to", default=last)
priority = None if choice == "all" else int(choice)
if since and until and since > until:
    st.warning("The start date is after the end date: showing nothing until they are swapped.")
label = "all priorities" if priority is None else f"priority {priority}: {titles[priority]}"
if words:
    label += f", matching {words}"
# The full range is no filter at all, so transcribed questions with no known date still count.
window = (None if since == first else since, None if until == last else until, priority, words or None)

summary = reads.question_summary(*window).iloc[0]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Questions tabled", int(summary["questions"]))
m2.metric("Answered", int(summary["answered"]), help="Questions in this view with an answer on record.")
median = summary["median_days_to_answer"]
m3.metric("Median days to answer", "n/a" if pd.isna(median) else f"{median:g}",
          help="From the day a question was tabled to the day it was answered.")
m4.metric("Named-day late", int(summary["named_day_late"]),
          help="Named-day questions answered after the day the asker named for an answer.")
st.caption(f"Questions tabled {ui.fmt_date(since)} to {ui.fmt_date(until)}, {label}. Transcribed questions "
           "with no known date count only while the dates are left at their full range.")

tab_time, tab_who, tab_speed = st.tabs(["Over time", "Who asks, who answers", "How long answers take"])
with tab_time:
    monthly = reads.questions_per_month(*window)
    if monthly.empty:
        st.info("No dated questions in this view.")
    else:
        ui.chart(ui.figure(charts.questions_over_time, monthly, f"Written questions on kinship care per month ({label})", SOURCE),
                 "kinmon-questions-per-month")
        ui.table(monthly, hide_index=True,
                     column_config={"month": st.column_config.DateColumn("Month", format="MMM YYYY"),
                                    "tabled": "Tabled", "answered": "Answered"})
with tab_who:
    by = ui.url_selectbox("Break down by", list(BREAKDOWN_LABELS), key="by", format_func=BREAKDOWN_LABELS.get)
    counts = reads.questions_by(by, *window)
    if counts.empty:
        st.info("No questions in this view.")
    else:
        ui.chart(ui.figure(charts.breakdown, counts, by, f"Written questions on kinship care by "
                                  f"{BREAKDOWN_LABELS[by].lower()}", SOURCE), f"kinmon-questions-by-{by}")
        ui.table(counts, hide_index=True, column_config={by: BREAKDOWN_LABELS[by], "questions": "Questions",
                                                             "answered": "Answered"})
        if by == "party":
            st.caption("Party on the day the question was tabled, from the Members API's party history where "
                       "kinmon has it; otherwise the party Parliament gives with the question.")
with tab_speed:
    by_dept = reads.answer_times_by_department(*window)
    if by_dept.empty:
        st.info("No answered questions with both dates in this view.")
    else:
        ui.chart(ui.figure(charts.answer_times, by_dept, "Median days from tabling to answer, by department", SOURCE),
                 "kinmon-answer-times")
        ui.table(by_dept, hide_index=True, column_config={
            "department": "Department", "answered": "Answers", "median_days": "Median days", "mean_days": "Mean days",
            "longest_days": "Longest (days)", "answered_after_due_date": "Answered after the due date"})
        trend = reads.answer_times_by_month(*window)
        ui.chart(ui.figure(charts.answer_time_trend, trend, "Days to answer, by month tabled", SOURCE), "kinmon-answer-time-trend")
    st.markdown("**Named-day questions answered late, or still waiting**")
    late = reads.named_day_late(*window, limit=TABLE_ROWS)
    ui.table(late.drop(columns=["source_id"]), hide_index=True, column_config={**RECORD_COLUMNS,
                 "days_late": "Days late", "date_for_answer": st.column_config.DateColumn("Named day")})
    _the_rest(reads.named_day_late_count(*window), "latest", pq.named_day_late, window, "kinship-named-day-late",
              f"Named-day questions answered late, or still waiting ({label})")
    st.markdown("**Holding answers** (the department promised a full answer later)")
    holding = reads.holding_answers(*window, limit=TABLE_ROWS)
    ui.table(holding.drop(columns=["source_id"]), hide_index=True, column_config={
        **RECORD_COLUMNS, "date_holding_answer": st.column_config.DateColumn("Holding answer"),
        "still_holding": "Still holding"})
    _the_rest(reads.holding_answers_count(*window), "newest", pq.holding_answers, window, "kinship-holding-answers",
              f"Questions that got a holding answer ({label})")

st.subheader("Latest questions and answers")
left, right = st.columns([3, 2])
with left:
    latest = reads.latest_questions(*window, limit=LATEST_CARDS)
    if latest.empty:
        st.info("No questions in this view.")
    for _, q in latest.iterrows():
        with st.container(border=True):
            who = " · ".join([q["house"] if isinstance(q["house"], str) else "House not recorded",
                              f"asked by {_recorded(q['asking_member_name'])}",
                              f"party {_recorded(q['asking_member_party'])}",
                              f"department {_recorded(q['answering_body_name'])}"])
            answered = pd.notna(q["date_answered"])
            when = f"tabled {_tabled(q['date_tabled'], q['tabled_month'])}" + (
                f", answered {ui.fmt_date(q['date_answered'])}" if answered
                else ", answer date not recorded" if isinstance(q["answer_excerpt"], str) else ", not yet answered")
            heading = ui.md_escape(q["heading"] if isinstance(q["heading"], str) and q["heading"] else (
                f"Question {q['uin']}" if isinstance(q["uin"], str) and q["uin"] else "Written question"))
            link = f"[{heading}]({ui.link_target(q['url'])})" if not ui.blank(q["url"]) else heading
            st.markdown(f"**{link}**  \n{ui.md_escape(who)} · {when}"
                        + (f" · priorities {q['priorities']}" if isinstance(q["priorities"], str) else ""))
            st.markdown(ui.md_escape(q["question_text"]))
            if isinstance(q["answer_excerpt"], str) and q["answer_excerpt"]:
                kind = "Holding answer" if ui.flag(q["answer_is_holding"]) else (
                    "Corrected answer" if ui.flag(q["answer_is_correction"]) else "Answer")
                st.caption(f"{kind}: {ui.md_escape(q['answer_excerpt'])}")
                st.caption(_novelty(q["new_passages"], q["said_before"]))
            if ui.flag(q["is_curated"]):
                st.caption("From kinmon's curated snapshot (its source is listed below); a live ingest replaces it.")
with right:
    st.markdown("**Written ministerial statements**")
    statements = reads.latest_statements(*window)
    if statements.empty:
        st.caption("No written statements in this view (`python -m kinmon ingest parliament` fetches the latest).")
    else:
        ui.table(statements[["date_made", "title", "member_name", "url"]], hide_index=True,
                     column_config={"date_made": st.column_config.DateColumn("Made"), "title": "Title",
                                    "member_name": "Minister",
                                    "url": st.column_config.LinkColumn("Record", display_text="open")})
    st.markdown("**Debates**")
    debates = reads.latest_debates(*window)
    if debates.empty:
        st.caption("No debates in this view.")
    else:
        ui.table(debates[["date", "title", "house", "location", "url"]], hide_index=True,
                     column_config={"date": st.column_config.DateColumn("Date"), "title": "Debate",
                                    "url": st.column_config.LinkColumn("Hansard", display_text="open")})

# The newest TABLE_ROWS are shown and downloadable as shown; every question in the view, and every question
# held, are files built when their button is clicked, never shipped with the page.
shown = reads.questions_export(*window, limit=TABLE_ROWS)
in_view = int(summary["questions"])
title = (f"All {ui.plural(in_view, 'question')} in this view" if in_view <= TABLE_ROWS else
         f"Questions in this view: the newest {TABLE_ROWS:,} of {in_view:,}")
with st.expander(title):
    ui.table(shown, hide_index=True, column_config=RECORD_COLUMNS)
    if in_view > TABLE_ROWS:
        st.caption(f"The other {in_view - TABLE_ROWS:,} are in the downloads below: every question in this view.")
ui.download_row(shown, "kinship-written-questions", f"Written questions on kinship care ({label})",
                filters={"priority": choice, "tabled_from": since, "tabled_to": until}, key="questions")
path = ui.ensure_store()
everything = st.container(horizontal=True)
for fmt, mime, what, args, stem in (
        ("csv", "text/csv", f"Every question in this view ({in_view:,}), CSV", window, "kinship-written-questions-view"),
        ("xlsx", ui.XLSX_MIME, "The same, XLSX with a README", window, "kinship-written-questions-view"),
        ("csv", "text/csv", "Every question held, CSV", (), "kinship-written-questions-full")):
    everything.download_button(what, downloads.query_file(path, pq.questions_export, tuple(args), fmt, stem,
                                                          f"Written questions on kinship care ({label})"
                                                          if args else "Written questions on kinship care"),
                               f"{stem}.{fmt}", mime, key=f"questions-{stem}-{fmt}", icon=":material/download:",
                               on_click="ignore", help="Built when you click")
ui.source_footer(reads.parliament_source_ids(),
                 note="written questions, statements and debates link to the official record")
