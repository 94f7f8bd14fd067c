"""The priority_tag write path: the stored items the classifier reads, and the tag rows it replaces, in batches.

kinmon.classify decides the tags; this module is the SQL that reads items for it and writes its plan."""

from __future__ import annotations

import duckdb
import pyarrow as pa

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


# What each item was last tagged from: a hash of its text columns and of the rules and overrides (the "key").
# An item whose fingerprint is unchanged keeps its tags without being classified again.
_STATE = """CREATE TABLE IF NOT EXISTS tag_state (item_type VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
                                                 fingerprint BIGINT NOT NULL, PRIMARY KEY (item_type, item_id))"""


def items_to_tag(con: duckdb.DuckDBPyConnection, item_type: str, table: str, key: str, columns: tuple[str, ...],
                 rules_key: str, ids: list | None = None, full: bool = False) -> list[tuple]:
    """(item id as text, fingerprint, *columns) of one table's items whose text or rules changed since they were
    last tagged (all of them with full=True), among all items or those whose key is in `ids`."""
    con.execute(_STATE)
    where = f"WHERE CAST({key} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))" if ids is not None else ""
    params: list = [rules_key] + ([[str(i) for i in ids]] if ids is not None else [])
    stale = "" if full else "WHERE s.fingerprint IS DISTINCT FROM c.fingerprint"
    sql = f"""
        WITH c AS (SELECT CAST({key} AS VARCHAR) AS item_id,
                          CAST(hash({', '.join(columns)}, ?::VARCHAR) >> 1 AS BIGINT) AS fingerprint, {', '.join(columns)}
                   FROM {table} {where})
        SELECT c.* FROM c LEFT JOIN tag_state s ON s.item_type = ? AND s.item_id = c.item_id {stale}"""
    return con.execute(sql, params + [item_type]).fetchall()


def forget_gone(con: duckdb.DuckDBPyConnection, item_type: str, table: str, key: str) -> None:
    """Drop the classifier-owned tags and the tagging state of items of one type that are no longer stored."""
    con.execute(_STATE)
    gone = f"item_type = ? AND item_id NOT IN (SELECT CAST({key} AS VARCHAR) FROM {table})"
    con.execute(f"DELETE FROM priority_tag WHERE {gone} AND {_OWNED}", [item_type])
    con.execute(f"DELETE FROM tag_state WHERE {gone}", [item_type])


def forget_state(con: duckdb.DuckDBPyConnection, item_type: str, item_id: str) -> None:
    """One item's tags were written from text given by the caller: its next retag classifies it again."""
    con.execute(_STATE)
    con.execute("DELETE FROM tag_state WHERE item_type = ? AND item_id = ?", [item_type, item_id])


def replace_tags(con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, int]], removals: list[tuple],
                 rule_rows: list[tuple], curated_rows: list[tuple]) -> None:
    """Make the classifier-owned tags of `items` (item_type, item_id, fingerprint) exactly the plan's, writing only
    the difference: owned rows not in the plan are deleted, plan rows not yet stored inserted, the removals
    (item_type, item_id, priority_id) applied and the overrides (curated rows) upserted, as write_plan does for
    items whose tags were forgotten first. Then the items' fingerprints are recorded. A set operation each."""
    if not items:
        return
    con.execute(_STATE)
    frames = {
        "_tag_items": pa.table({"item_type": pa.array([i[0] for i in items], pa.string()),
                                "item_id": pa.array([i[1] for i in items], pa.string()),
                                "fingerprint": pa.array([i[2] for i in items], pa.int64())}),
        "_tag_new": _rows_table(rule_rows + curated_rows),
    }
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute(f"""
            DELETE FROM priority_tag p WHERE {_OWNED}
              AND EXISTS (SELECT 1 FROM _tag_items i WHERE i.item_type = p.item_type AND i.item_id = p.item_id)
              AND NOT EXISTS (SELECT 1 FROM _tag_new n WHERE n.item_type = p.item_type AND n.item_id = p.item_id
                              AND n.priority_id = p.priority_id AND n.rule_id = p.rule_id
                              AND n.rules_version = p.rules_version AND n.method = p.method)""")
        if removals:
            con.execute("""DELETE FROM priority_tag p WHERE EXISTS (
                               SELECT 1 FROM (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS i,
                                                     unnest(?::INTEGER[]) AS pr) r
                               WHERE r.t = p.item_type AND r.i = p.item_id AND r.pr = p.priority_id)""",
                        [list(column) for column in zip(*removals)])
        con.execute(f"""
            INSERT INTO priority_tag (item_type, item_id, priority_id, rule_id, rules_version, method)
            SELECT n.item_type, n.item_id, n.priority_id, n.rule_id, n.rules_version, n.method FROM _tag_new n
            WHERE n.method = '{RULE_METHOD}' AND NOT EXISTS (
                SELECT 1 FROM priority_tag p WHERE p.item_type = n.item_type AND p.item_id = n.item_id
                AND p.priority_id = n.priority_id)""")
        _insert(con, curated_rows,
                "UPDATE SET rule_id = excluded.rule_id, rules_version = excluded.rules_version, method = excluded.method")
        con.execute("INSERT OR REPLACE INTO tag_state SELECT item_type, item_id, fingerprint FROM _tag_items")
    finally:
        for name in frames:
            con.unregister(name)


def _rows_table(rows: list[tuple]) -> pa.Table:
    names = ("item_type", "item_id", "priority_id", "rule_id", "rules_version", "method")
    types = (pa.string(), pa.string(), pa.int32(), pa.string(), pa.string(), pa.string())
    columns = list(zip(*rows)) if rows else [()] * len(names)
    return pa.table({n: pa.array(list(c), t) for n, c, t in zip(names, columns, types)})


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
