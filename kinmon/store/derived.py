"""Fingerprints of what a derived table was built from, so a writer rebuilds it only when its inputs changed.

A derived table (suggested evidence, answer passages, search_doc and the search index) is a function of some
stored tables and of the code that builds it. Its fingerprint is a digest of both: an order-independent sum of
row hashes over the input columns (one scan, tens of milliseconds at 100,000 questions, no text copied) and
the text of the building SQL and its parameters. `derived_state` keeps the fingerprint each table was last
built from; a writer whose inputs match skips the rebuild. Dropping a derived table must forget its state
(forget), or the next writer would believe it still current.
"""

from __future__ import annotations

import hashlib

import duckdb

_STATE = "CREATE TABLE IF NOT EXISTS derived_state (name VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL)"


def table_sum(table: str, columns: tuple[str, ...], where: str = "") -> str:
    """SQL for one input's part of a fingerprint: the count and the sum of the hashes of its rows' columns."""
    return (f"(SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash({', '.join(columns)}))::VARCHAR, '') "
            f"FROM {table} {where})")


def fingerprint(con: duckdb.DuckDBPyConnection, parts: list[str], code: str = "") -> str:
    """A digest of the inputs (SQL expressions from table_sum) and of `code` (the building SQL, parameters)."""
    values = con.execute("SELECT " + ", ".join(parts)).fetchone() if parts else ()
    text = "\x1f".join([code, *map(str, values)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current(con: duckdb.DuckDBPyConnection, name: str, digest: str) -> bool:
    """Whether derived table `name` was last built from inputs with this fingerprint."""
    con.execute(_STATE)
    row = con.execute("SELECT fingerprint FROM derived_state WHERE name = ?", [name]).fetchone()
    return row is not None and row[0] == digest


def remember(con: duckdb.DuckDBPyConnection, name: str, digest: str) -> None:
    con.execute(_STATE)
    con.execute("INSERT OR REPLACE INTO derived_state VALUES (?, ?)", [name, digest])


def forget(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    con.execute(_STATE)
    con.execute("DELETE FROM derived_state WHERE list_contains(?, name)", [list(names)])
