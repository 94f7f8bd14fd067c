"""Suggested evidence in the store: the commitments to suggest for, the items that could speak to one, and the
suggested links themselves (curated links are never touched here). kinmon.evidence decides what to look for."""

from __future__ import annotations

from datetime import date

import duckdb

from kinmon.store import derived, rows
from kinmon.store.write import insert_rows

STATE = "evidence.suggested"  # its derived_state name
# What the suggestions are read from: the items' words and dates, their tags, the commitments and their
# priorities, and the links that are not suggestions (an item already linked is not suggested again).
INPUTS = (
    derived.table_sum("parliamentary_item", ("item_type", "item_id", "date", "body")),
    derived.table_sum("priority_tag", ("item_type", "item_id", "priority_id")),
    derived.table_sum("commitment", ("commitment_id", "title", "announced_on")),
    derived.table_sum("commitment_priority", ("commitment_id", "priority_id")),
    derived.table_sum("evidence", ("commitment_id", "item_type", "item_id", "method"), "WHERE method <> 'suggested'"),
)


def fingerprint(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The fingerprint of the suggestions' inputs and of `code` (the rules that pick them)."""
    return derived.fingerprint(con, list(INPUTS), code + _CANDIDATES)


def current(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    return derived.current(con, STATE, digest)


def remember(con: duckdb.DuckDBPyConnection, digest: str) -> None:
    derived.remember(con, STATE, digest)


def count_suggestions(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM evidence WHERE method = 'suggested'").fetchone()[0]


def forget_suggestions(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM evidence WHERE method = 'suggested'")


def commitments_with_priorities(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, date | None, list[int]]]:
    """(commitment_id, title, announced_on, [priority ids]) of every commitment linked to a priority."""
    return con.execute(
        """SELECT c.commitment_id, c.title, c.announced_on, list(cp.priority_id) FROM commitment c
           JOIN commitment_priority cp USING (commitment_id) GROUP BY ALL"""
    ).fetchall()


def candidates(con: duckdb.DuckDBPyConnection, commitment_id: str, pattern: str, announced: date | None,
               priorities: list[int], limit: int) -> list[tuple[str, str, int, date | None]]:
    """(item_type, item_id, hits, date) of the parliamentary items, dated on or after `announced`, tagged with
    one of `priorities`, whose words match `pattern` and not yet linked to the commitment: most hits first."""
    return con.execute(_CANDIDATES, [pattern, announced, announced, priorities, pattern, commitment_id, limit]
                       ).fetchall()


_CANDIDATES = """
        WITH items AS (
            SELECT item_type, item_id, item_num, item_ref, date AS d, lower(body) AS body
            FROM parliamentary_item
        )
        SELECT i.item_type, i.item_id, len(regexp_extract_all(i.body, ?)) AS hits, i.d
        FROM items i
        WHERE (i.d IS NULL OR ? IS NULL OR i.d >= ?)
          AND EXISTS (SELECT 1 FROM priority_tag t WHERE t.item_type = i.item_type
                      AND t.item_num IS NOT DISTINCT FROM i.item_num AND t.item_ref IS NOT DISTINCT FROM i.item_ref
                      AND list_contains(?, t.priority_id))
          AND regexp_matches(i.body, ?)
          AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.commitment_id = ? AND e.item_type = i.item_type
                          AND e.item_num IS NOT DISTINCT FROM i.item_num AND e.item_ref IS NOT DISTINCT FROM i.item_ref)
        ORDER BY hits DESC, i.d DESC NULLS LAST, i.item_id
        LIMIT ?
        """


def add_suggestions(con: duckdb.DuckDBPyConnection, commitment_id: str, found: list[tuple[str, str, str]]) -> int:
    """Suggested links (item_type, item_id, note) for one commitment, in one batch; returns how many."""
    return insert_rows(con, "evidence", [rows.evidence(commitment_id, item_type, item_id, "suggested", note)
                                         for item_type, item_id, note in found])
