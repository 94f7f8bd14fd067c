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


SHARED_STATE = "evidence.suggested.shared"  # what every commitment's suggestions read besides the items
_ITEM_STATE = """CREATE TABLE IF NOT EXISTS evidence_item_state (item_type VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
                                                                fingerprint BIGINT NOT NULL,
                                                                PRIMARY KEY (item_type, item_id))"""
# Each item's words, date and priorities, hashed: an item whose hash is unchanged is the same candidate as before.
_ITEMS_NOW = """
CREATE OR REPLACE TEMP TABLE _evidence_items_now AS
SELECT i.item_type, i.item_id, CAST(hash(i.date, i.body, t.priorities) >> 1 AS BIGINT) AS fingerprint
FROM parliamentary_item i
LEFT JOIN (SELECT item_type, item_id, list(priority_id ORDER BY priority_id) AS priorities FROM priority_tag
           GROUP BY ALL) t USING (item_type, item_id)
"""


def fingerprint(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The fingerprint of the suggestions' inputs and of `code` (the rules that pick them)."""
    return derived.fingerprint(con, list(INPUTS), code + _CANDIDATES)


def shared_fingerprint(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The fingerprint of what the suggestions read besides the items: commitments, priorities, other links, code."""
    return derived.fingerprint(con, list(INPUTS[2:]), code + _CANDIDATES)


def current(con: duckdb.DuckDBPyConnection, digest: str, name: str = STATE) -> bool:
    return derived.current(con, name, digest)


def remember(con: duckdb.DuckDBPyConnection, digest: str, name: str = STATE) -> None:
    derived.remember(con, name, digest)


def changed_items(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str]], set[tuple[str, str]]] | None:
    """(new or changed, gone) items, as (item_type, item_id), since the suggestions were last made; None when
    no earlier state is kept. Leaves the items' hashes now in a temp table, for remember_items."""
    con.execute(_ITEM_STATE)
    con.execute(_ITEMS_NOW)
    if not con.execute("SELECT count(*) FROM evidence_item_state").fetchone()[0]:
        return None
    changed = con.execute("SELECT item_type, item_id FROM _evidence_items_now "
                          "ANTI JOIN evidence_item_state USING (item_type, item_id, fingerprint)").fetchall()
    gone = con.execute("SELECT item_type, item_id FROM evidence_item_state "
                       "ANTI JOIN _evidence_items_now USING (item_type, item_id)").fetchall()
    return set(changed), set(gone)


def remember_items(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the items' hashes (from changed_items) as the state the suggestions were made from."""
    con.execute(_ITEM_STATE)
    con.execute("DELETE FROM evidence_item_state WHERE NOT EXISTS (SELECT 1 FROM _evidence_items_now n WHERE "
                "n.item_type = evidence_item_state.item_type AND n.item_id = evidence_item_state.item_id "
                "AND n.fingerprint = evidence_item_state.fingerprint)")
    con.execute("INSERT INTO evidence_item_state SELECT * FROM _evidence_items_now "
                "ANTI JOIN evidence_item_state USING (item_type, item_id)")
    con.execute("DROP TABLE _evidence_items_now")


def pool(con: duckdb.DuckDBPyConnection, items: set[tuple[str, str]]) -> None:
    """The temp table `_evidence_pool`: these items and every item suggested now, as parliamentary_item has them;
    candidates(..., source=POOL) looks only there."""
    keys = sorted(items)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {POOL} AS
        SELECT i.item_type, i.item_id, i.item_num, i.item_ref, i.date, i.body FROM parliamentary_item i
        WHERE EXISTS (SELECT 1 FROM (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS k) p
                      WHERE p.t = i.item_type AND p.k = i.item_id)
           OR EXISTS (SELECT 1 FROM evidence e WHERE e.method = 'suggested' AND e.item_type = i.item_type
                      AND e.item_id = i.item_id)""", [[t for t, _ in keys], [k for _, k in keys]])


POOL = "_evidence_pool"


def suggested(con: duckdb.DuckDBPyConnection, commitment_id: str) -> set[tuple[str, str]]:
    """(item_type, item_id) suggested for one commitment now."""
    return set(con.execute("SELECT item_type, item_id FROM evidence WHERE method = 'suggested' AND commitment_id = ?",
                           [commitment_id]).fetchall())


def forget_suggestions_of(con: duckdb.DuckDBPyConnection, commitment_id: str) -> None:
    con.execute("DELETE FROM evidence WHERE method = 'suggested' AND commitment_id = ?", [commitment_id])


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
               priorities: list[int], limit: int, source: str = "parliamentary_item"
               ) -> list[tuple[str, str, int, date | None]]:
    """(item_type, item_id, hits, date) of the parliamentary items, dated on or after `announced`, tagged with
    one of `priorities`, whose words match `pattern` and not yet linked to the commitment: most hits first.
    source: every item (parliamentary_item) or the pool (POOL, made by pool())."""
    if source not in ("parliamentary_item", POOL):
        raise ValueError(f"unknown source {source!r}")
    return con.execute(_CANDIDATES.replace("FROM parliamentary_item", f"FROM {source}"),
                       [pattern, announced, announced, priorities, pattern, commitment_id, limit]).fetchall()


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
        ORDER BY hits DESC, i.d DESC NULLS LAST, i.item_id, i.item_type
        LIMIT ?
        """


def add_suggestions(con: duckdb.DuckDBPyConnection, commitment_id: str, found: list[tuple[str, str, str]]) -> int:
    """Suggested links (item_type, item_id, note) for one commitment, in one batch; returns how many."""
    return insert_rows(con, "evidence", [rows.evidence(commitment_id, item_type, item_id, "suggested", note)
                                         for item_type, item_id, note in found])
