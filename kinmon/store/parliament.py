"""The Parliament ingest's reads and writes of the store: members and their party history, debates' speakers,
answers' earlier versions, and curated snapshot records replaced by live ones (their links move with them).

Plain values in, plain values out: the ingest (kinmon.ingest.parliament) turns them into its own records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from kinmon.store import rows, tags
from kinmon.store.write import existing_rows, insert_rows

MEMBER_COLUMNS = ("member_id", "name", "list_as", "party", "party_abbreviation", "house", "member_from", "is_current",
                  "thumbnail_url", "url")
REVISED = ("answer_html", "answer_text", "answer_is_holding")


def fresh_member_ids(con: duckdb.DuckDBPyConnection, since: datetime) -> set[int]:
    """Members looked up at or after `since`."""
    return {r[0] for r in con.execute("SELECT member_id FROM member WHERE retrieved_at >= ?", [since]).fetchall()}


def touch_members(con: duckdb.DuckDBPyConnection, member_ids: list[int], now: datetime) -> None:
    """Checked members restart their cache clock, changed or not."""
    con.execute("UPDATE member SET retrieved_at = ? WHERE list_contains(?, member_id)", [now, member_ids])


def members(con: duckdb.DuckDBPyConnection, member_ids: set[int]) -> list[tuple]:
    """Stored members as tuples in MEMBER_COLUMNS order."""
    if not member_ids:
        return []
    return con.execute(f"SELECT {', '.join(MEMBER_COLUMNS)} FROM member WHERE list_contains(?, member_id)",
                       [sorted(member_ids)]).fetchall()


def party_spells(con: duckdb.DuckDBPyConnection, member_ids: set[int]) -> list[tuple[int, str, date | None, date | None]]:
    """(member_id, party, start_date, end_date) of these members, in order of member and start."""
    if not member_ids:
        return []
    return con.execute("SELECT member_id, party, start_date, end_date FROM member_party "
                       "WHERE list_contains(?, member_id) ORDER BY member_id, start_date", [sorted(member_ids)]).fetchall()


def replace_party_history(con: duckdb.DuckDBPyConnection, member_id: int,
                          spells: list[tuple[str, date | None, date | None]]) -> None:
    """A member's party history becomes `spells` (party, start, end); nothing is written when it is unchanged."""
    new = sorted(spells)
    old = sorted(con.execute("SELECT party, start_date, end_date FROM member_party WHERE member_id = ?",
                             [member_id]).fetchall())
    if new == old:
        return
    con.execute("DELETE FROM member_party WHERE member_id = ?", [member_id])
    unique = {(party, start): end for party, start, end in new}
    insert_rows(con, "member_party", [rows.member_party(member_id, party, start, end)
                                      for (party, start), end in unique.items()])


def debate_speakers(con: duckdb.DuckDBPyConnection, debate_id: str) -> list[str]:
    """The names of the members whose contributions to a debate are stored, in order."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT member_name FROM contribution WHERE debate_id = ? AND member_name IS NOT NULL ORDER BY 1",
        [debate_id]).fetchall()]


def keep_revisions(con: duckdb.DuckDBPyConnection, question_rows: list[dict], now: datetime) -> None:
    """An answer that changed keeps its earlier version in question_revision (one batch)."""
    stored = existing_rows(con, "written_question", "id", [r["id"] for r in question_rows])
    earlier = []
    for row in question_rows:
        before = stored.get(row["id"])
        if before and (before["answer_html"] or before["answer_text"]) and any(before[c] != row[c] for c in REVISED):
            earlier.append(rows.question_revision(
                row["id"], now, date_answered=before["date_answered"],
                date_answer_corrected=before["date_answer_corrected"], answer_html=before["answer_html"],
                answer_text=before["answer_text"], answer_is_holding=before["answer_is_holding"]))
    insert_rows(con, "question_revision", earlier, on_conflict="replace")


def supersede_curated_questions(con: duckdb.DuckDBPyConnection, question_rows: list[dict[str, Any]]) -> int:
    """Remove the curated snapshot rows for the same questions as these live rows (same House and UIN, and the
    same tabled date, or no tabled date and the same heading); their links move to the live row. One join for
    the whole batch, not a scan of the table per question. Returns how many curated rows went."""
    live = [r for r in question_rows if r["uin"]]
    if not live:
        return 0
    frame = pa.table({"pos": pa.array(range(len(live)), pa.int64()),
                      "id": pa.array([r["id"] for r in live], pa.int64()),
                      "house": pa.array([r["house"] for r in live], pa.string()),
                      "uin": pa.array([r["uin"] for r in live], pa.string()),
                      "date_tabled": pa.array([r["date_tabled"] for r in live], pa.date32()),
                      "heading": pa.array([r["heading"] or "" for r in live], pa.string())})
    con.register("_live_questions", frame)
    try:
        # a curated row two live rows match goes to the first of them, as the rows were given
        pairs = con.execute("""
            SELECT q.id, arg_min(l.id, l.pos) FROM written_question q
            JOIN _live_questions l ON q.house = l.house AND q.uin = l.uin AND q.id <> l.id
            WHERE q.is_curated AND (q.date_tabled = l.date_tabled
                                    OR (q.date_tabled IS NULL AND lower(trim(q.heading)) = lower(trim(l.heading))))
            GROUP BY q.id ORDER BY q.id""").fetchall()
    finally:
        con.unregister("_live_questions")
    for curated_id, live_id in pairs:
        move_links(con, "question", str(curated_id), str(live_id))
    if pairs:
        con.execute("DELETE FROM written_question WHERE list_contains(?, id)", [[c for c, _ in pairs]])
    return len(pairs)


def supersede_curated_debate(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> None:
    """Remove curated debates with the same sitting, House and title as a live one."""
    curated = [r[0] for r in con.execute(
        "SELECT debate_id FROM debate WHERE is_curated AND debate_id <> ? AND date = ? AND house = ? "
        "AND lower(trim(title)) = lower(trim(?))", [row["debate_id"], row["date"], row["house"], row["title"]]
    ).fetchall()]
    for curated_id in curated:
        move_links(con, "debate", curated_id, row["debate_id"])
        con.execute("DELETE FROM debate WHERE debate_id = ?", [curated_id])


def move_links(con: duckdb.DuckDBPyConnection, item_type: str, old_id: str, new_id: str) -> None:
    """Point curated evidence and curated priority tags at the item that replaces `old_id` (one batch a table)."""
    for table, where in (("evidence", "TRUE"), ("priority_tag", "method = 'curated'")):
        cols = rows.COLUMNS[table]
        cur = con.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE item_type = ? AND item_id = ? AND {where}",
                          [item_type, old_id])
        moved = [dict(zip(cols, r), item_id=new_id) for r in cur.fetchall()]
        con.execute(f"DELETE FROM {table} WHERE item_type = ? AND item_id = ?", [item_type, old_id])
        insert_rows(con, table, moved, on_conflict="ignore")
    tags.forget_state(con, item_type, old_id)  # its tags went with it: were it stored again, it is tagged again
