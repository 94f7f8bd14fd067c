"""Parliament read model: written questions, statements, debates and members, as DataFrames.

Every function takes an open DuckDB connection first. Date filters are bound parameters; None means
open-ended. Question filters apply to the tabled date, except the "answered" counts, which use the
answer date; a question whose source shows only the month it was tabled counts for any window that month
overlaps. A priority filter keeps items tagged with that priority; `words` keeps the questions the
search (kinmon.search: words, "phrases", OR, -exclusions) finds in their heading, question or answer.
Unknown parties and departments are grouped as "Not recorded", never guessed.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

EXCERPT_CHARS = 400
LATEST_LIMIT = 20
NOT_RECORDED = "Not recorded"

# Which column a breakdown groups by; the key is what a page passes, never SQL.
BREAKDOWNS = {
    "house": f"coalesce(q.house, '{NOT_RECORDED}')",
    "party": f"coalesce(q.asking_member_party, '{NOT_RECORDED}')",
    "department": f"coalesce(q.answering_body_name, '{NOT_RECORDED}')",
}


def _tag_key(item_type: str, key: str) -> str:
    """A tag of this item, typed: a question's or statement's integer id, any other kind's text key."""
    from kinmon.classify import NUMERIC_ITEM_TYPES

    column = "t.item_num" if item_type in NUMERIC_ITEM_TYPES else "t.item_ref"
    return f"t.item_type = '{item_type}' AND {column} = {key}"


def _priorities(item_type: str, key: str) -> str:
    """An item's priorities as '2;7' from priority_tag."""
    return (f"(SELECT string_agg(CAST(t.priority_id AS VARCHAR), ';' ORDER BY t.priority_id) FROM priority_tag t "
            f"WHERE {_tag_key(item_type, key)})")


def _tagged(item_type: str, key: str) -> str:
    return f"(? IS NULL OR EXISTS (SELECT 1 FROM priority_tag t WHERE {_tag_key(item_type, key)} AND t.priority_id = ?))"


def _between(column: str) -> str:
    return f"(? IS NULL OR {column} >= ?) AND (? IS NULL OR {column} <= ?)"


def _tabled_between() -> str:
    """The tabled-date window; a month-only question is in it when its month overlaps the window."""
    return ("(? IS NULL OR coalesce(q.date_tabled, last_day(q.tabled_month)) >= ?) "
            "AND (? IS NULL OR coalesce(q.date_tabled, q.tabled_month) <= ?)")


def _question_filter(column: str = "q.date_tabled") -> str:
    window = _tabled_between() if column == "q.date_tabled" else _between(column)
    return (f"{window} AND {_tagged('question', 'q.id')} "
            f"AND {found_in('q.id', 'BIGINT')}")


def _params(since: date | None, until: date | None, priority: int | None) -> list:
    return [since, since, until, until, priority, priority]


def matching_ids(con: duckdb.DuckDBPyConnection, words: str | None, item_type: str) -> list[str] | None:
    """The ids (as text) of the items of one kind the search finds for `words`; None when no words: no filter."""
    from kinmon import search

    if not words or not search.parse_query(words):
        return None
    return sorted(search.matching_ids(con, words, item_type))


def matching_question_ids(con: duckdb.DuckDBPyConnection, words: str | None) -> list[int] | None:
    """The ids of the questions the search finds for `words` (None when no words: no filter)."""
    ids = matching_ids(con, words, "question")
    return None if ids is None else sorted(int(i) for i in ids)


def found_in(key: str, kind: str = "VARCHAR") -> str:
    """The item is among the ids a search found (bound as a list of the key's own type), or no search was made.

    `key IN (SELECT unnest(list))` is a hash join of the rows with the found ids; list_contains(list, key)
    would scan the whole list for every row (at 100,000 questions and a search matching 74,000 of them,
    4 s for one count instead of 0.1 s)."""
    return f"(CAST(? AS {kind}[]) IS NULL OR {key} IN (SELECT unnest(CAST(? AS {kind}[]))))"


_EXPORT_ORDER = "coalesce(q.date_tabled, q.tabled_month, q.date_answered) DESC NULLS LAST, q.id DESC"
_LATEST_ORDER = "coalesce(q.date_answered, q.date_tabled, q.tabled_month) DESC NULLS LAST, q.id DESC"


def _newest(order: str) -> str:
    """The question is among the first LIMIT (bound last; NULL: all) of the filtered view in `order`.

    The limit is taken on the ids first, so the columns computed per row (priorities, passage counts) are
    computed for the rows returned only, not for every question before the LIMIT (at 100,000 questions,
    the newest 500 cost 1.2 s that way, 0.04 s this way)."""
    return f"q.id IN (SELECT q.id FROM written_question q WHERE {_question_filter()} ORDER BY {order} LIMIT ?)"


def _qparams(con: duckdb.DuckDBPyConnection, since: date | None, until: date | None, priority: int | None,
             words: str | None) -> list:
    ids = matching_question_ids(con, words)
    return _params(since, until, priority) + [ids, ids]


# ---------------------------------------------------------------- exports


def questions_export(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                     priority: int | None = None, words: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """One row per written question, live and curated, newest first; all of them unless filtered (or limited)."""
    return con.execute(f"""
        SELECT q.id, q.uin, q.house, q.date_tabled, q.tabled_month, q.date_for_answer, q.date_answered,
               q.date_holding_answer,
               q.date_answer_corrected, q.answer_is_holding, q.answer_is_correction, q.is_named_day,
               q.is_withdrawn, q.heading, q.question_text, q.answer_text, q.answering_body_name,
               q.asking_member_name, q.asking_member_party, q.asking_member_from, q.answering_member_name,
               array_to_string(q.grouped_questions, ';') AS grouped_questions, q.attachment_count, q.url,
               q.retrieved_at, {_priorities('question', 'q.id')} AS priorities, q.source_id
        FROM written_question q
        WHERE {_newest(_EXPORT_ORDER)}
        ORDER BY {_EXPORT_ORDER}
    """, _qparams(con, since, until, priority, words) + [limit]).df()


def statements_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"""
        SELECT s.id, s.uin, s.house, s.date_made, s.title, s.text, s.member_name, s.member_party, s.member_role,
               s.answering_body_name, s.url, s.retrieved_at, {_priorities('statement', 's.id')} AS priorities,
               s.source_id
        FROM statement s
        ORDER BY s.date_made DESC, s.id DESC
    """).df()


def debates_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per debate, with how many of its contributions kinmon holds (those mentioning kinship)."""
    return con.execute(f"""
        SELECT d.debate_id, d.date, d.house, d.location, d.title, array_to_string(d.participants, '; ') AS participants,
               (SELECT count(*) FROM contribution c WHERE c.debate_id = d.debate_id) AS contributions,
               d.is_curated, d.notes, d.url, d.retrieved_at, {_priorities('debate', 'd.debate_id')} AS priorities,
               d.source_id
        FROM debate d
        ORDER BY d.date DESC, d.debate_id
    """).df()


def members_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Members kinmon has looked up, with how often each appears in its records."""
    return con.execute("""
        SELECT m.member_id, m.name, m.list_as, m.party, m.party_abbreviation, m.house, m.member_from, m.is_current,
               (SELECT count(*) FROM written_question q WHERE q.asking_member_id = m.member_id) AS questions_asked,
               (SELECT count(*) FROM written_question q
                WHERE q.answering_member_id = m.member_id) AS questions_answered,
               (SELECT count(*) FROM statement s WHERE s.member_id = m.member_id) AS statements_made,
               (SELECT count(*) FROM contribution c WHERE c.member_id = m.member_id) AS contributions,
               m.url, m.retrieved_at, m.source_id
        FROM member m
        ORDER BY m.list_as NULLS LAST, m.name
    """).df()


def contributions_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"""
        SELECT c.contribution_id, c.sitting_date, c.house, c.section, c.debate_id, c.debate_title, c.member_name,
               c.attributed_to, c.text, c.url, c.retrieved_at,
               {_priorities('contribution', 'c.contribution_id')} AS priorities, c.source_id
        FROM contribution c
        ORDER BY c.sitting_date DESC, c.contribution_id
    """).df()


# ---------------------------------------------------------------- the page's questions


def question_summary(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                     priority: int | None = None, words: str | None = None) -> pd.DataFrame:
    """One row of headline numbers for questions tabled in the window."""
    return con.execute(f"""
        SELECT count(*) AS questions,
               count(*) FILTER (WHERE q.date_answered IS NOT NULL OR q.answer_text IS NOT NULL) AS answered,
               count(*) FILTER (WHERE q.date_answered IS NULL AND q.answer_text IS NULL
                                AND NOT coalesce(q.is_withdrawn, false)) AS unanswered,
               median(q.date_answered - q.date_tabled) AS median_days_to_answer,
               count(*) FILTER (WHERE q.answer_is_holding OR q.date_holding_answer IS NOT NULL) AS holding_answers,
               count(*) FILTER (WHERE q.is_named_day AND q.date_answered > q.date_for_answer) AS named_day_late,
               count(DISTINCT q.asking_member_name) AS askers,
               min(q.date_tabled) AS first_tabled, max(q.date_tabled) AS last_tabled
        FROM written_question q
        WHERE {_question_filter()}
    """, _qparams(con, since, until, priority, words)).df()


def questions_per_month(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                        priority: int | None = None, words: str | None = None) -> pd.DataFrame:
    """Questions tabled and answered in each month, every month from the first to the last (0 when none)."""
    params = _qparams(con, since, until, priority, words)
    return con.execute(f"""
        WITH tabled AS (
            SELECT CAST(date_trunc('month', coalesce(q.date_tabled, q.tabled_month)) AS TIMESTAMP) AS month, count(*) AS n
            FROM written_question q
            WHERE coalesce(q.date_tabled, q.tabled_month) IS NOT NULL AND {_question_filter('q.date_tabled')}
            GROUP BY 1),
        answered AS (
            SELECT CAST(date_trunc('month', q.date_answered) AS TIMESTAMP) AS month, count(*) AS n
            FROM written_question q
            WHERE q.date_answered IS NOT NULL AND {_question_filter('q.date_answered')} GROUP BY 1),
        bounds AS (
            SELECT min(month) AS lo, max(month) AS hi
            FROM (SELECT month FROM tabled UNION ALL SELECT month FROM answered)),
        months AS (
            SELECT unnest(generate_series(lo, hi, INTERVAL 1 MONTH)) AS month FROM bounds WHERE lo IS NOT NULL)
        SELECT CAST(m.month AS DATE) AS month, coalesce(t.n, 0) AS tabled, coalesce(a.n, 0) AS answered
        FROM months m LEFT JOIN tabled t USING (month) LEFT JOIN answered a USING (month)
        ORDER BY m.month
    """, params + params).df()


def questions_by(con: duckdb.DuckDBPyConnection, by: str, since: date | None = None, until: date | None = None,
                 priority: int | None = None, words: str | None = None) -> pd.DataFrame:
    """Questions tabled in the window by house, party (of the asker, at the time) or department."""
    if by not in BREAKDOWNS:
        raise ValueError(f"by must be one of {sorted(BREAKDOWNS)}, got {by!r}")
    return con.execute(f"""
        SELECT {BREAKDOWNS[by]} AS {by}, count(*) AS questions,
               count(*) FILTER (WHERE q.date_answered IS NOT NULL OR q.answer_text IS NOT NULL) AS answered
        FROM written_question q
        WHERE {_question_filter()}
        GROUP BY 1
        ORDER BY questions DESC, 1
    """, _qparams(con, since, until, priority, words)).df()


def answer_times_by_department(con: duckdb.DuckDBPyConnection, since: date | None = None,
                               until: date | None = None, priority: int | None = None, words: str | None = None) -> pd.DataFrame:
    """Days from tabling to answer, per answering department, for answered questions in the window."""
    return con.execute(f"""
        SELECT coalesce(q.answering_body_name, '{NOT_RECORDED}') AS department, count(*) AS answered,
               median(q.date_answered - q.date_tabled) AS median_days,
               round(avg(q.date_answered - q.date_tabled), 1) AS mean_days,
               max(q.date_answered - q.date_tabled) AS longest_days,
               count(*) FILTER (WHERE q.date_answered > q.date_for_answer) AS answered_after_due_date
        FROM written_question q
        WHERE q.date_answered IS NOT NULL AND q.date_tabled IS NOT NULL AND {_question_filter()}
        GROUP BY 1
        ORDER BY answered DESC, 1
    """, _qparams(con, since, until, priority, words)).df()


def answer_times_by_month(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                          priority: int | None = None, words: str | None = None) -> pd.DataFrame:
    """Median and longest days to answer, by the month the questions were tabled."""
    return con.execute(f"""
        SELECT CAST(date_trunc('month', q.date_tabled) AS DATE) AS month, count(*) AS answered,
               median(q.date_answered - q.date_tabled) AS median_days,
               max(q.date_answered - q.date_tabled) AS longest_days
        FROM written_question q
        WHERE q.date_answered IS NOT NULL AND q.date_tabled IS NOT NULL AND {_question_filter()}
        GROUP BY 1
        ORDER BY 1
    """, _qparams(con, since, until, priority, words)).df()


_HOLDING = "(q.answer_is_holding OR q.date_holding_answer IS NOT NULL)"
_NAMED_DAY_LATE = ("q.is_named_day AND q.date_for_answer IS NOT NULL "
                   "AND coalesce(q.date_answered, CAST(? AS DATE)) > q.date_for_answer "
                   "AND NOT coalesce(q.is_withdrawn, false)")


def holding_answers(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                    priority: int | None = None, words: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Questions that got a holding answer ("I will reply as soon as possible") before a full one, newest
    first; the first `limit`, or all."""
    return con.execute(f"""
        SELECT q.id, q.uin, q.house, q.heading, q.answering_body_name, q.date_tabled, q.date_holding_answer,
               q.date_answered, q.answer_is_holding AS still_holding, q.url, q.source_id
        FROM written_question q
        WHERE {_HOLDING} AND {_question_filter()}
        ORDER BY q.date_tabled DESC, q.id DESC
        LIMIT ?
    """, _qparams(con, since, until, priority, words) + [limit]).df()


def holding_answers_count(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                          priority: int | None = None, words: str | None = None) -> int:
    return con.execute(f"SELECT count(*) FROM written_question q WHERE {_HOLDING} AND {_question_filter()}",
                       _qparams(con, since, until, priority, words)).fetchone()[0]


def named_day_late(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                   priority: int | None = None, words: str | None = None, today: date | None = None,
                   limit: int | None = None) -> pd.DataFrame:
    """Named-day questions answered after the day named, or still unanswered after it (days late as of today),
    latest first; the first `limit`, or all."""
    today = today or date.today()
    return con.execute(f"""
        SELECT q.id, q.uin, q.house, q.heading, q.asking_member_name, q.answering_body_name, q.date_tabled,
               q.date_for_answer, q.date_answered,
               coalesce(q.date_answered, CAST(? AS DATE)) - q.date_for_answer AS days_late,
               q.url, q.source_id
        FROM written_question q
        WHERE {_NAMED_DAY_LATE} AND {_question_filter()}
        ORDER BY days_late DESC, q.date_tabled DESC, q.id DESC
        LIMIT ?
    """, [today, today] + _qparams(con, since, until, priority, words) + [limit]).df()


def named_day_late_count(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                         priority: int | None = None, words: str | None = None, today: date | None = None) -> int:
    return con.execute(f"SELECT count(*) FROM written_question q WHERE {_NAMED_DAY_LATE} AND {_question_filter()}",
                       [today or date.today()] + _qparams(con, since, until, priority, words)).fetchone()[0]


def latest_questions(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                     priority: int | None = None, words: str | None = None, limit: int = LATEST_LIMIT) -> pd.DataFrame:
    """The most recent questions with an excerpt of their answer (plain text, from the sanitised store)."""
    return con.execute(f"""
        SELECT q.id, q.uin, q.house, q.date_tabled, q.tabled_month, q.date_answered, q.heading, q.question_text,
               CASE WHEN length(q.answer_text) > {EXCERPT_CHARS}
                    THEN rtrim(left(q.answer_text, {EXCERPT_CHARS})) || '…' ELSE q.answer_text END AS answer_excerpt,
               q.asking_member_name, q.asking_member_party, q.answering_member_name, q.answering_body_name,
               q.answer_is_holding, q.answer_is_correction, q.is_curated, q.url,
               {_priorities('question', 'q.id')} AS priorities, q.source_id,
               (SELECT count(*) FROM answer_passage p WHERE p.question_id = q.id AND p.status = 'new') AS new_passages,
               (SELECT count(*) FROM answer_passage p WHERE p.question_id = q.id
                AND p.status IN ('repeated', 'reworded')) AS said_before
        FROM written_question q
        WHERE {_newest(_LATEST_ORDER)}
        ORDER BY {_LATEST_ORDER}
    """, _qparams(con, since, until, priority, words) + [limit]).df()


def latest_statements(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                      priority: int | None = None, words: str | None = None, limit: int = LATEST_LIMIT) -> pd.DataFrame:
    found = matching_ids(con, words, "statement")
    ids = None if found is None else [int(i) for i in found]
    return con.execute(f"""
        SELECT s.id, s.uin, s.house, s.date_made, s.title, s.member_name, s.member_role, s.answering_body_name,
               s.url, {_priorities('statement', 's.id')} AS priorities, s.source_id
        FROM statement s
        WHERE {_between('s.date_made')} AND {_tagged('statement', 's.id')} AND {found_in('s.id', 'BIGINT')}
        ORDER BY s.date_made DESC NULLS LAST, s.id DESC
        LIMIT ?
    """, _params(since, until, priority) + [ids, ids, limit]).df()


def latest_debates(con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None,
                   priority: int | None = None, words: str | None = None, limit: int = LATEST_LIMIT) -> pd.DataFrame:
    ids = matching_ids(con, words, "debate")
    return con.execute(f"""
        SELECT d.debate_id, d.date, d.house, d.location, d.title,
               (SELECT count(*) FROM contribution c WHERE c.debate_id = d.debate_id) AS contributions,
               d.url, {_priorities('debate', 'd.debate_id')} AS priorities, d.source_id
        FROM debate d
        WHERE {_between('d.date')} AND {_tagged('debate', 'd.debate_id')} AND {found_in('d.debate_id')}
        ORDER BY d.date DESC, d.debate_id
        LIMIT ?
    """, _params(since, until, priority) + [ids, ids, limit]).df()


def parliament_source_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources behind the Parliament tables, for the page's source line."""
    rows = con.execute("""
        SELECT DISTINCT source_id FROM (
            SELECT source_id FROM written_question UNION ALL SELECT source_id FROM statement
            UNION ALL SELECT source_id FROM debate UNION ALL SELECT source_id FROM contribution
            UNION ALL SELECT source_id FROM member)
        ORDER BY 1
    """).fetchall()
    return [r[0] for r in rows]


def question_date_range(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The first and last dates any question was tabled or answered: the page's date slider bounds."""
    return con.execute("""
        SELECT least(min(date_tabled), min(tabled_month), min(date_answered)) AS first_date,
               greatest(max(date_tabled), max(last_day(tabled_month)), max(date_answered)) AS last_date
        FROM written_question
    """).df()
