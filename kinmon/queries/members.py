"""Who in Parliament acts on kinship care: questions asked, debates spoken in, APPG roles, per member.

`words` (optional, as the search reads them) narrows the questions counted to those the search finds, so
"who asked about special guardianship allowances" is one call; debates and APPG roles are not narrowed.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from kinmon.queries.parliament import NOT_RECORDED, found_in, matching_question_ids

# Questions counted: all, or the ids a search found (bound as a list, joined: no scan of the list per row).
_ASKED_IN = found_in("id", "BIGINT")

# Curated debate participants are written "Name (Constituency) (Party) - role"; the name is what precedes
# the first bracket or dash.
_PARTICIPANT_NAME = r"^\s*([^(\-–]+?)\s*(?:\(|-|–|$)"

_ACTIVITY = f"""
    WITH asked AS (
        SELECT asking_member_name AS name, house,
               -- the latest question's party and seat; an undated question still counts (as the oldest)
               arg_max(asking_member_party, coalesce(date_tabled, tabled_month, date_answered, DATE '0001-01-01'))
                   FILTER (WHERE asking_member_party IS NOT NULL) AS party,
               arg_max(asking_member_from, coalesce(date_tabled, tabled_month, date_answered, DATE '0001-01-01'))
                   FILTER (WHERE asking_member_from IS NOT NULL) AS member_from,
               count(*) AS questions, min(date_tabled) AS first_question, max(date_tabled) AS last_question
        FROM written_question WHERE asking_member_name IS NOT NULL AND {_ASKED_IN}
        GROUP BY asking_member_name, house
    ),
    spoke AS (
        SELECT name, count(DISTINCT debate_key) AS debates, max(d) AS last_debate FROM (
            SELECT member_name AS name, coalesce(debate_id, contribution_id) AS debate_key, sitting_date AS d
            FROM contribution WHERE member_name IS NOT NULL
            UNION ALL
            SELECT regexp_extract(p, '{_PARTICIPANT_NAME}', 1), debate_id, date
            FROM (SELECT debate_id, date, unnest(participants) AS p FROM debate)
        ) GROUP BY name
    ),
    appg AS (
        SELECT member_name AS name, string_agg(role || ' (as of ' || strftime(as_of, '%d %b %Y') || ')', '; ') AS appg_role
        FROM appg_membership GROUP BY member_name
    )
    SELECT coalesce(a.name, s.name, g.name) AS member, a.house, a.party, a.member_from,
           coalesce(a.questions, 0) AS questions, a.first_question, a.last_question,
           coalesce(s.debates, 0) AS debates, s.last_debate, g.appg_role
    FROM asked a FULL OUTER JOIN spoke s ON s.name = a.name
    FULL OUTER JOIN appg g ON g.name = coalesce(a.name, s.name)
"""


def member_activity(con: duckdb.DuckDBPyConnection, party: str | None = None, house: str | None = None,
                    words: str | None = None) -> pd.DataFrame:
    """One row per member: kinship questions asked, debates spoken in, and any APPG role, most active first.

    With `words`, only members who asked a question the search finds, and only those questions counted.
    """
    ids = matching_question_ids(con, words)
    return con.execute(
        f"""SELECT * FROM ({_ACTIVITY})
            WHERE member IS NOT NULL AND member <> ''
              AND (? IS NULL OR party = ?) AND (? IS NULL OR house = ?) AND (? IS NULL OR questions > 0)
            ORDER BY questions + debates DESC, member""",
        [ids, ids, party, party, house, house, words if ids is not None else None],
    ).df()


def parties(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT asking_member_party FROM written_question WHERE asking_member_party IS NOT NULL ORDER BY 1"
    ).fetchall()]


def questions_by_party(con: duckdb.DuckDBPyConnection, words: str | None = None) -> pd.DataFrame:
    ids = matching_question_ids(con, words)
    return con.execute(
        f"""SELECT coalesce(asking_member_party, '{NOT_RECORDED}') AS party, house, count(*) AS questions
           FROM written_question WHERE {_ASKED_IN} GROUP BY ALL ORDER BY questions DESC, party""", [ids, ids]
    ).df()


def member_questions(con: duckdb.DuckDBPyConnection, member: str, words: str | None = None) -> pd.DataFrame:
    ids = matching_question_ids(con, words)
    return con.execute(
        f"""SELECT date_tabled, date_answered, heading, question_text, answering_body_name, url, source_id
           FROM written_question WHERE asking_member_name = ? AND {_ASKED_IN}
           ORDER BY date_tabled DESC NULLS LAST, id""",
        [member, ids, ids],
    ).df()


def westminster_hall_debates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Debates held in Westminster Hall: one of the Alliance's asks of MPs is to seek them."""
    return con.execute(
        """SELECT date, title, array_to_string(participants, '; ') AS participants, url, source_id
           FROM debate WHERE location ILIKE '%Westminster Hall%' ORDER BY date DESC"""
    ).df()


def appg(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT member_name, role, as_of, source_title, source_url, notes FROM appg_membership ORDER BY as_of DESC"
    ).df()


def questions_by_party_over_time(con: duckdb.DuckDBPyConnection, words: str | None = None) -> pd.DataFrame:
    """Kinship questions per quarter tabled (or month, where only it is known), by the asker's party at the
    time; questions with no known date left out."""
    ids = matching_question_ids(con, words)
    return con.execute(
        f"""SELECT CAST(date_trunc('quarter', coalesce(date_tabled, tabled_month)) AS DATE) AS quarter,
                  coalesce(asking_member_party, '{NOT_RECORDED}') AS party, house, count(*) AS questions
           FROM written_question WHERE coalesce(date_tabled, tabled_month) IS NOT NULL AND {_ASKED_IN}
           GROUP BY ALL ORDER BY quarter, party""", [ids, ids]
    ).df()
