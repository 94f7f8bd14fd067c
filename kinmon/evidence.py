"""Suggested evidence: link each commitment to the parliamentary records that probably speak to it.

A record is suggested for a commitment when it is tagged to one of the commitment's priorities, is dated
on or after the commitment was announced, and shares a distinctive word with the commitment's title
(for example "allowance", "ambassador", "guidance"). Suggestions are stored with method 'suggested' and
never replace a curated link; the page says which is which.
"""

from __future__ import annotations

import re

import duckdb

from kinmon import store

MAX_SUGGESTIONS = 5
MIN_WORD = 5
# Words too common in this field to tell one commitment from another.
STOPWORDS = frozenset("""
kinship care carer carers children child families family support local authority authorities government
national strategy million funding fund england their which would about through under other being these those
where there into from with will have been more first years year new published publish announced
""".split())


def distinctive_words(title: str) -> list[str]:
    words = re.findall(r"[a-z]+", title.lower())
    return sorted({w for w in words if len(w) >= MIN_WORD and w not in STOPWORDS})


def suggest(con: duckdb.DuckDBPyConnection, limit: int = MAX_SUGGESTIONS) -> int:
    """Replace all suggested links with fresh ones; returns how many were written."""
    con.execute("DELETE FROM evidence WHERE method = 'suggested'")
    commitments = con.execute(
        """SELECT c.commitment_id, c.title, c.announced_on, list(cp.priority_id) FROM commitment c
           JOIN commitment_priority cp USING (commitment_id) GROUP BY ALL"""
    ).fetchall()
    written = 0
    for cid, title, announced, prios in commitments:
        words = distinctive_words(title)
        if not words:
            continue
        pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")"
        rows = con.execute(
            """
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
            """,
            [pattern, announced, announced, prios, pattern, cid, limit],
        ).fetchall()
        written += store.insert_rows(con, "evidence", [
            store.rows.evidence(cid, item_type, item_id, "suggested", f"shares {hits} mention(s) of: {', '.join(words)}")
            for item_type, item_id, hits, _ in rows])
    return written
