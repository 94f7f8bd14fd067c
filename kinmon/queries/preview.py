"""A preview of one stored table for the Data & downloads page: its first rows, binary columns as their size."""

from __future__ import annotations

import duckdb
import pandas as pd

from kinmon.queries.core import table_inventory


def head(con: duckdb.DuckDBPyConnection, name: str, limit: int = 200) -> pd.DataFrame:
    """The first `limit` rows of a table by name (the name must be one of the store's tables: never user text in
    SQL). A binary column is shown as its size in bytes, so a preview never carries files to the browser."""
    if name not in set(table_inventory(con)["table"]):
        raise ValueError(f"unknown table {name!r}")
    columns = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                          "ORDER BY ordinal_position", [name]).fetchall()
    listed = ", ".join(f'octet_length("{c}") AS "{c} (bytes)"' if t == "BLOB" else f'"{c}"' for c, t in columns)
    return con.execute(f'SELECT {listed or "*"} FROM "{name}" LIMIT ?', [int(limit)]).df()


# Each ready-made table (kinmon.queries.tables.TABLES) has one row per row of its stored table, so its size is a count
# (tests/test_downloads.py checks each against the table as built); commitments are a short curated list.
_ROWS_OF = {"questions": "written_question", "statements": "statement", "debates": "debate", "members": "member",
            "observations": "observation", "priorities": "priority"}


def ready_table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in each ready-made download table, without building any of them."""
    from kinmon.queries.core import commitments_export

    counts = {name: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for name, table in _ROWS_OF.items()}
    counts["commitments"] = len(commitments_export(con))
    return counts
