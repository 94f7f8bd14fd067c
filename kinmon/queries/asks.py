"""The Kinship Care Alliance's four asks of MPs, member by member: written questions tabled, Westminster
Hall debates taken part in, a role in the APPG on Kinship Care, and letters to their council (only where
a source kinmon holds shows one). Read-only queries for the Asks of MPs page's finder."""

from __future__ import annotations

import duckdb
import pandas as pd

from kinmon.queries.members import _PARTICIPANT_NAME

ASKS = ("Table written questions on the strategy", "Seek and speak in Westminster Hall debates",
        "Join the APPG on Kinship Care", "Write to their council about its kinship local offer")


def find_members(con: duckdb.DuckDBPyConnection, text: str) -> pd.DataFrame:
    """Members in kinmon's records whose name or constituency contains the text (case and spacing aside),
    with the seat each is recorded for; the most active first."""
    from kinmon.queries.members import member_activity

    activity = member_activity(con, None, None)
    needle = " ".join(str(text or "").lower().split())
    if not needle:
        return activity.iloc[0:0]
    names = activity["member"].fillna("").str.lower()
    seats = activity["member_from"].fillna("").str.lower()
    return activity[names.str.contains(needle, regex=False) | seats.str.contains(needle, regex=False)] \
        .reset_index(drop=True)


def member_questions(con: duckdb.DuckDBPyConnection, member: str) -> pd.DataFrame:
    return con.execute(
        """SELECT date_tabled, date_answered, heading, answering_body_name, url, source_id
           FROM written_question WHERE asking_member_name = ?
           ORDER BY date_tabled DESC NULLS LAST, id""",
        [member],
    ).df()


def member_westminster_hall(con: duckdb.DuckDBPyConnection, member: str) -> pd.DataFrame:
    """Westminster Hall debates the member is recorded as taking part in (a participant of the debate,
    or the speaker of a contribution to it)."""
    return con.execute(
        f"""SELECT DISTINCT d.date, d.title, d.url, d.source_id FROM debate d
            WHERE d.location ILIKE '%Westminster Hall%' AND (
                  list_contains(list_transform(d.participants, p -> trim(regexp_extract(p, '{_PARTICIPANT_NAME}', 1))), ?)
                  OR EXISTS (SELECT 1 FROM contribution c WHERE c.debate_id = d.debate_id AND c.member_name = ?))
            ORDER BY d.date DESC""",
        [member, member],
    ).df()


def member_appg(con: duckdb.DuckDBPyConnection, member: str) -> pd.DataFrame:
    return con.execute(
        "SELECT role, as_of, source_title, source_url FROM appg_membership WHERE member_name = ? ORDER BY as_of DESC",
        [member],
    ).df()


def member_asks(con: duckdb.DuckDBPyConnection, member: str) -> pd.DataFrame:
    """One row per ask: what kinmon's sources show this member has done, and the latest date."""
    qs = member_questions(con, member)
    wh = member_westminster_hall(con, member)
    appg = member_appg(con, member)
    rows = [
        (ASKS[0], len(qs), f"{len(qs)} written question{'s' if len(qs) != 1 else ''} on kinship care",
         qs["date_tabled"].max() if len(qs) else None),
        (ASKS[1], len(wh), f"{len(wh)} Westminster Hall debate{'s' if len(wh) != 1 else ''} on kinship care",
         wh["date"].max() if len(wh) else None),
        (ASKS[2], len(appg), "; ".join(f"{r} (as of {pd.Timestamp(a):%-d %b %Y})" for r, a in
                                       zip(appg["role"], appg["as_of"])) or "No published source shows a role",
         appg["as_of"].max() if len(appg) else None),
        (ASKS[3], 0, "No source kinmon holds shows a letter (councils and MPs rarely publish them)", None),
    ]
    return pd.DataFrame(rows, columns=["ask", "count", "what_the_record_shows", "latest"])
