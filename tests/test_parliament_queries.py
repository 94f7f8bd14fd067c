"""kinmon.queries.parliament and kinmon.charts.parliament on a small store built from literals."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from kinmon import search, store
from kinmon.charts import parliament as charts
from kinmon.queries import parliament as q

NOW = datetime(2024, 6, 1, 9, 0)
QUESTION_COLUMNS = [
    "id", "uin", "house", "date_tabled", "tabled_month", "date_for_answer", "date_answered", "date_holding_answer",
    "date_answer_corrected", "answer_is_holding", "answer_is_correction", "is_named_day", "is_withdrawn", "heading",
    "question_text", "answer_text", "answering_body_name", "asking_member_name", "asking_member_party",
    "asking_member_from", "answering_member_name", "grouped_questions", "attachment_count", "url", "retrieved_at",
    "priorities", "source_id"]


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# id, house, tabled, for_answer, answered, holding, named_day, party, department, answer
QUESTIONS = [
    (1, "Commons", "2024-01-10", "2024-01-15", "2024-01-18", None, True, "Labour", "Department for Education",
     "Short answer."),
    (2, "Commons", "2024-01-20", "2024-01-29", "2024-02-05", "2024-01-29", False, "Conservative",
     "Department for Education", "A" * 450),
    (3, "Lords", "2024-02-01", "2024-02-15", "2024-02-08", None, False, "Crossbench", "Ministry of Justice",
     "Courts answer."),
    (4, "Commons", "2024-02-12", "2024-02-14", None, None, True, "Labour", "Department for Education", None),
    (5, "Commons", "2024-03-01", "2024-03-08", "2024-03-04", None, True, None, None, "On time."),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("q") / "kinmon.duckdb"
    with store.writer(path, fresh=True) as con:
        for qid, house, tabled, due, answered, holding, named, party, dept, answer in QUESTIONS:
            con.execute(
                "INSERT INTO written_question (id, uin, house, date_tabled, date_for_answer, date_answered, "
                "date_holding_answer, is_named_day, is_withdrawn, heading, question_text, answer_text, "
                "answering_body_name, asking_member_id, asking_member_name, asking_member_party, grouped_questions, "
                "attachment_count, url, source_id, retrieved_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'parliament-written-questions', ?)",
                [qid, f"U{qid}", house, d(tabled), d(due), d(answered), d(holding), named, f"Heading {qid}",
                 f"Question {qid}?", answer, dept, 4000 + qid, f"Member {qid}", party,
                 ["U9", "U8"] if qid == 2 else None, f"https://example.org/q/{qid}", NOW])
        con.execute("INSERT INTO written_question (id, uin, house, heading, question_text, is_curated, source_id, "
                    "retrieved_at) VALUES (-1, '57218', 'Commons', 'Kinship Care', 'Curated?', true, "
                    "'snapshot-questions', ?)", [NOW])
        con.execute("INSERT INTO priority_tag VALUES ('question', '1', 2, 'r', 'v', 'rule'), "
                    "('question', '1', 7, 'r', 'v', 'rule'), ('question', '3', 2, 'r', 'v', 'rule'), "
                    "('question', '5', 7, 'r', 'v', 'rule'), "
                    "('statement', '10', 1, 'r', 'v', 'rule'), ('debate', 'D1', 6, 'r', 'v', 'rule')")
        con.execute("INSERT INTO statement (id, uin, house, date_made, title, text, member_name, member_party, "
                    "member_role, answering_body_name, url, source_id, retrieved_at) VALUES "
                    "(10, 'HCWS1', 'Commons', '2024-02-15', 'Kinship update', 'Text.', 'Minister Mo', 'Conservative', "
                    "'Minister', 'Department for Education', 'https://example.org/s/10', 'parliament-written-statements', ?),"
                    "(11, 'HCWS2', 'Commons', '2024-05-15', 'Later update', 'More.', 'Minister Mo', 'Conservative', "
                    "'Minister', 'Department for Education', 'https://example.org/s/11', 'parliament-written-statements', ?)",
                    [NOW, NOW])
        con.execute("INSERT INTO debate VALUES ('D1', '2024-03-06', 'Commons', 'Westminster Hall', 'Kinship Care', "
                    "['Jane Doe', 'Minister Mo'], false, NULL, 'https://example.org/d/1', 'parliament-hansard', ?)", [NOW])
        con.execute("INSERT INTO contribution (contribution_id, debate_id, debate_title, sitting_date, house, "
                    "member_id, member_name, text, url, source_id, retrieved_at) VALUES "
                    "('C1', 'D1', 'Kinship Care', '2024-03-06', 'Commons', 4001, 'Member 1', 'Kinship.', "
                    "'https://example.org/c/1', 'parliament-hansard', ?)", [NOW])
        con.execute("INSERT INTO member VALUES (4001, 'Member 1', 'One, Member', 'Labour', 'Lab', 'Commons', 'Leeds', "
                    "true, NULL, 'https://members.parliament.uk/member/4001/contact', 'parliament-members', ?)", [NOW])
        search.rebuild_index(con)  # as every load ends: the search index and what is new in each answer
    return path


@pytest.fixture
def con(template, tmp_path):
    path = tmp_path / "k.duckdb"
    shutil.copyfile(template, path)
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def records(df: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r) for r in df.itertuples(index=False)]


def test_questions_export_columns_order_and_values(con):
    df = q.questions_export(con)
    assert list(df.columns) == QUESTION_COLUMNS
    assert df["id"].tolist() == [5, 4, 3, 2, 1, -1]
    row = df[df["id"] == 1].iloc[0]
    assert (row["priorities"], row["source_id"], row["url"]) == ("2;7", "parliament-written-questions",
                                                                "https://example.org/q/1")
    assert df[df["id"] == 2].iloc[0]["grouped_questions"] == "U9;U8"
    assert pd.isna(df[df["id"] == 4].iloc[0]["priorities"])


def test_other_exports(con):
    s = q.statements_export(con)
    assert s["id"].tolist() == [11, 10]
    assert s[s["id"] == 10].iloc[0]["priorities"] == "1"
    dbt = q.debates_export(con)
    assert records(dbt[["debate_id", "participants", "contributions", "priorities"]]) == [
        ("D1", "Jane Doe; Minister Mo", 1, "6")]
    m = q.members_export(con)
    assert records(m[["member_id", "name", "questions_asked", "contributions", "source_id"]]) == [
        (4001, "Member 1", 1, 1, "parliament-members")]
    c = q.contributions_export(con)
    assert c["contribution_id"].tolist() == ["C1"]


def test_summary_counts_and_median(con):
    s = q.question_summary(con, date(2024, 1, 1), date(2024, 3, 31)).iloc[0]
    # Days to answer: 8, 16, 7, 3 -> median 7.5. Q1 named day answered 3 days late.
    assert (s["questions"], s["answered"], s["unanswered"], s["median_days_to_answer"], s["holding_answers"],
            s["named_day_late"]) == (5, 4, 1, 7.5, 1, 1)
    assert q.question_summary(con).iloc[0]["questions"] == 6  # no window: curated undated row counts too
    assert q.question_summary(con, priority=2).iloc[0]["questions"] == 2


def test_questions_per_month_tabled_and_answered(con):
    df = q.questions_per_month(con, date(2024, 1, 1), date(2024, 3, 31))
    assert records(df) == [(ts("2024-01-01"), 2, 1), (ts("2024-02-01"), 2, 2), (ts("2024-03-01"), 1, 1)]
    # Answered counts use the answer date: Q2, tabled in January, was answered in February.
    assert records(q.questions_per_month(con, date(2024, 2, 1), date(2024, 2, 29))) == [(ts("2024-02-01"), 2, 2)]
    # Months with nothing are there as zeros, so the chart shows the gap.
    assert records(q.questions_per_month(con, priority=7)) == [(ts("2024-01-01"), 1, 1), (ts("2024-02-01"), 0, 0),
                                                               (ts("2024-03-01"), 1, 1)]
    assert q.questions_per_month(con, date(2030, 1, 1)).empty


def test_breakdowns(con):
    window = (date(2024, 1, 1), date(2024, 3, 31))
    assert records(q.questions_by(con, "house", *window)) == [("Commons", 4, 3), ("Lords", 1, 1)]
    assert records(q.questions_by(con, "party", *window)) == [("Labour", 2, 1), ("Conservative", 1, 1),
                                                               ("Crossbench", 1, 1), ("Not recorded", 1, 1)]
    assert records(q.questions_by(con, "department", *window, priority=2)) == [
        ("Department for Education", 1, 1), ("Ministry of Justice", 1, 1)]
    with pytest.raises(ValueError, match="by must be one of"):
        q.questions_by(con, "q.house; DROP TABLE x")


def test_answer_times(con):
    by_dept = q.answer_times_by_department(con, date(2024, 1, 1), date(2024, 3, 31))
    assert records(by_dept) == [("Department for Education", 2, 12.0, 12.0, 16, 2), ("Ministry of Justice", 1, 7.0, 7.0, 7, 0),
                                ("Not recorded", 1, 3.0, 3.0, 3, 0)]
    by_month = q.answer_times_by_month(con)
    assert records(by_month) == [(ts("2024-01-01"), 2, 12.0, 16), (ts("2024-02-01"), 1, 7.0, 7),
                                 (ts("2024-03-01"), 1, 3.0, 3)]


def test_holding_and_named_day_late(con):
    assert q.holding_answers(con)["id"].tolist() == [2]
    late = q.named_day_late(con, today=date(2024, 3, 1))
    # Q4 (due 14 Feb, unanswered) is 16 days late on 1 March; Q1 was answered 3 days late; Q5 was on time.
    assert records(late[["id", "days_late"]]) == [(4, 16), (1, 3)]


def test_latest_items_and_excerpts(con):
    # Newest activity first: an answer's date, else the tabled date; undated curated rows last.
    latest = q.latest_questions(con, limit=10)
    assert latest["id"].tolist() == [5, 4, 3, 2, 1, -1]
    assert q.latest_questions(con, limit=2)["id"].tolist() == [5, 4]
    excerpt = latest[latest["id"] == 2].iloc[0]["answer_excerpt"]
    assert excerpt == "A" * q.EXCERPT_CHARS + "…"
    assert q.latest_statements(con, since=date(2024, 3, 1))["id"].tolist() == [11]
    assert q.latest_statements(con, priority=1)["id"].tolist() == [10]
    assert records(q.latest_debates(con)[["debate_id", "contributions", "priorities"]]) == [("D1", 1, "6")]
    assert q.parliament_source_ids(con) == ["parliament-hansard", "parliament-members", "parliament-written-questions",
                                            "parliament-written-statements", "snapshot-questions"]
    assert records(q.question_date_range(con)) == [(ts("2024-01-10"), ts("2024-03-04"))]


def test_charts_carry_title_source_and_data(con):
    src = "Source: UK Parliament"
    monthly = q.questions_per_month(con)
    fig = charts.questions_over_time(monthly, "Questions per month", src)
    assert [t.name for t in fig.data] == ["Tabled", "Answered"]
    assert list(fig.data[0].x) == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert list(fig.data[0].y) == [2, 2, 1]
    assert fig.layout.title.text == "Questions per month"
    assert src in fig.layout.xaxis.title.text  # the source sits under the x axis (charts.core.with_source)
    fig = charts.breakdown(q.questions_by(con, "department"), "department", "By department", src)
    assert list(fig.data[0].y) == ["Department for Education", "Not recorded", "Ministry of Justice"]
    assert list(fig.data[0].x) == [3, 2, 1]
    fig = charts.answer_times(q.answer_times_by_department(con), "Days to answer", src)
    assert list(fig.data[0].x) == [12.0, 7.0, 3.0]
    fig = charts.answer_time_trend(q.answer_times_by_month(con), "Trend", src)
    assert [t.name for t in fig.data] == ["Median days", "Longest"]
    assert list(fig.data[0].y) == [12.0, 7.0, 3.0]


def test_month_axis_is_thinned_to_six_labels():
    months = pd.Series(pd.date_range("2023-12-01", periods=25, freq="MS"))
    monthly = pd.DataFrame({"month": months, "tabled": range(25), "answered": range(25)})
    fig = charts.questions_over_time(monthly, "t", "s")
    assert len(fig.data[0].x) == 25
    assert list(fig.layout.xaxis.tickvals) == ["Dec 2023", "May 2024", "Oct 2024", "Mar 2025", "Aug 2025"]
