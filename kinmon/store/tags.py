"""The priority_tag write path: the stored items the classifier reads, and the tag rows it replaces, in batches.

kinmon.classify decides the tags; this module is the SQL that reads items for it and writes its plan."""

from __future__ import annotations

import duckdb

# priority_tag.method and rule_id values kinmon writes (classify re-exports them)
OVERRIDE_RULE_ID = "override"
RULE_METHOD, CURATED_METHOD = "rule", "curated"

# The rows the classifier writes and may replace; any other curated tag is left alone (unless removed).
_OWNED = f"(method = '{RULE_METHOD}' OR (method = '{CURATED_METHOD}' AND rule_id = '{OVERRIDE_RULE_ID}'))"

# One statement per batch, not one per row: a live store can hold tens of thousands of items.
_INSERT_ROWS = """
    INSERT INTO priority_tag (item_type, item_id, priority_id, rule_id, rules_version, method)
    SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::VARCHAR[]),
           unnest(?::VARCHAR[]), unnest(?::VARCHAR[])
    ON CONFLICT DO {conflict}
"""


def stored_items(con: duckdb.DuckDBPyConnection, table: str, key: str, columns: tuple[str, ...],
                 ids: list | None = None) -> list[tuple]:
    """(item id as text, *columns) of one table's items: all, or those whose key is in `ids`."""
    sql = f"SELECT CAST({key} AS VARCHAR), {', '.join(columns)} FROM {table}"
    params: list = []
    if ids is not None:
        sql += f" WHERE CAST({key} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))"  # a hash join, not a list scan per row
        params = [[str(i) for i in ids]]
    return con.execute(sql, params).fetchall()


def forget_item(con: duckdb.DuckDBPyConnection, item_type: str, item_id: str) -> None:
    """Drop one item's classifier-owned tags."""
    con.execute(f"DELETE FROM priority_tag WHERE item_type = ? AND item_id = ? AND {_OWNED}", [item_type, item_id])


def forget_items(con: duckdb.DuckDBPyConnection, item_type: str, ids: list) -> None:
    """Drop the classifier-owned tags of some items of one type, in one statement."""
    con.execute(f"DELETE FROM priority_tag WHERE item_type = ? AND item_id IN (SELECT unnest(?::VARCHAR[])) "
                f"AND {_OWNED}", [item_type, [str(i) for i in ids]])


def forget_types(con: duckdb.DuckDBPyConnection, types: list[str]) -> None:
    """Drop every classifier-owned tag of these item types (also of items that no longer exist)."""
    con.execute(f"DELETE FROM priority_tag WHERE list_contains(?, item_type) AND {_OWNED}", [types])


def priorities_of(con: duckdb.DuckDBPyConnection, item_type: str, item_id: str) -> list[int]:
    """One item's priorities now, in order."""
    rows = con.execute("SELECT priority_id FROM priority_tag WHERE item_type = ? AND item_id = ? ORDER BY 1",
                       [item_type, item_id]).fetchall()
    return [r[0] for r in rows]


def count_tags(con: duckdb.DuckDBPyConnection, types: list[str]) -> int:
    """priority_tag rows held for these item types."""
    return con.execute("SELECT count(*) FROM priority_tag WHERE list_contains(?, item_type)", [types]).fetchone()[0]


def write_plan(con: duckdb.DuckDBPyConnection, removals: list[tuple], rule_rows: list[tuple],
               curated_rows: list[tuple]) -> None:
    """Apply a tagging plan: removals (item_type, item_id, priority_id), then rule and curated rows
    (item_type, item_id, priority_id, rule_id, rules_version, method). A rule tag never displaces a curated
    one; an "add" override always wins."""
    if removals:
        con.executemany("DELETE FROM priority_tag WHERE item_type = ? AND item_id = ? AND priority_id = ?",
                        removals)
    _insert(con, rule_rows, "NOTHING")
    _insert(con, curated_rows,
            "UPDATE SET rule_id = excluded.rule_id, rules_version = excluded.rules_version, method = excluded.method")


def _insert(con: duckdb.DuckDBPyConnection, rows: list[tuple], conflict: str) -> None:
    if rows:
        con.execute(_INSERT_ROWS.format(conflict=conflict), [list(column) for column in zip(*rows)])
