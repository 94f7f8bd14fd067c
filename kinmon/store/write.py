"""The one way rows get into the store: a batch, matched to the table's columns by name.

`insert_rows` turns row dicts (from the builders in kinmon.store.rows) into one Arrow table typed like the
target table and runs one `INSERT INTO t (c1, c2, ...) SELECT c1, c2, ... FROM batch`: never positional
VALUES, never one statement per row. A column added later (ALTER TABLE ... ADD COLUMN) keeps its default
in rows that do not name it; a row naming a column the table lacks is refused.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable, Literal

import duckdb
import pyarrow as pa

OnConflict = Literal["error", "replace", "ignore"]
_CONFLICT = {"error": ("INSERT", ""), "replace": ("INSERT OR REPLACE", ""), "ignore": ("INSERT", "ON CONFLICT DO NOTHING")}
_ARROW = {"VARCHAR": pa.string(), "JSON": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32(),
          "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"),
          "VARCHAR[]": pa.list_(pa.string()), "INTEGER[]": pa.list_(pa.int32())}
_names = itertools.count()


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The table's columns in order, with their DuckDB types."""
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                       "AND database_name = current_database() AND schema_name = current_schema() "
                       "ORDER BY column_index", [table]).fetchall()
    if not rows:
        raise ValueError(f"the store has no table {table!r}")
    return dict(rows)


def _array(values: list, duck_type: str | None) -> pa.Array:
    arrow_type = _ARROW.get(duck_type or "")
    if arrow_type is not None:
        try:
            return pa.array(values, type=arrow_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass  # e.g. an int where text is stored: let DuckDB cast it, as an INSERT would
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def batch(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], columns: Iterable[str] | None = None
          ) -> pa.Table:
    """Rows as one Arrow table with the target table's types, in the named columns (default: every key used)."""
    names = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    stored = table_columns(con, table)
    unknown = [n for n in names if n not in stored]
    if unknown:
        raise ValueError(f"{table} has no column(s) {unknown}")
    return pa.table({n: _array([r.get(n) for r in rows], stored[n]) for n in names})


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], *,
                columns: Iterable[str] | None = None, on_conflict: OnConflict = "error") -> int:
    """Insert every row in one statement, by column name; returns how many rows were given.

    on_conflict: "error" (a duplicate key fails), "replace" (INSERT OR REPLACE on the primary key: the
    named columns take the new values) or "ignore" (ON CONFLICT DO NOTHING: the stored row stays)."""
    if not rows:
        return 0
    insert_frame(con, table, batch(con, table, rows, columns), on_conflict=on_conflict)
    return len(rows)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: Any, *, on_conflict: OnConflict = "error") -> None:
    """Insert an Arrow table or DataFrame whose column names are the target's: one INSERT ... SELECT."""
    names = list(frame.column_names if isinstance(frame, pa.Table) else frame.columns)
    verb, tail = _CONFLICT[on_conflict]
    view = f"_batch_{table}_{next(_names)}"
    con.register(view, frame)
    try:
        listed = ", ".join(f'"{n}"' for n in names)
        con.execute(f'{verb} INTO "{table}" ({listed}) SELECT {listed} FROM "{view}" {tail}')
    finally:
        con.unregister(view)


def existing_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, keys: list) -> dict[Any, dict]:
    """The stored rows with these keys, each as a dict by column name."""
    if not keys:
        return {}
    # IN (SELECT unnest(...)) is a hash join; list_contains would scan the list once per stored row
    cur = con.execute(f'SELECT * FROM "{table}" WHERE "{key}" IN (SELECT unnest(?))', [list(keys)])
    names = [d[0] for d in cur.description]
    return {r[names.index(key)]: dict(zip(names, r)) for r in cur.fetchall()}


def upsert_rows(con: duckdb.DuckDBPyConnection, table: str, key: str, rows: list[dict], *,
                keep_existing: tuple[str, ...] = ()) -> tuple[int, int]:
    """Insert or update rows on their key in one batch; returns (added, updated).

    A row whose content equals the stored one (all but retrieved_at) is left alone. Columns in
    keep_existing keep their stored value when the new row has none (curated notes and locations
    outlive a live refresh).
    """
    stored = existing_rows(con, table, key, [r[key] for r in rows])
    changed, added, updated = [], 0, 0
    for row in {r[key]: r for r in rows}.values():
        before = stored.get(row[key])
        if before is None:
            added += 1
        else:
            for col in keep_existing:
                if row.get(col) is None:
                    row[col] = before.get(col)
            if all(before.get(c) == v for c, v in row.items() if c != "retrieved_at"):
                continue
            updated += 1
        changed.append(row)
    insert_rows(con, table, changed, on_conflict="replace")
    return added, updated
