"""The sources of what a view shows: the register rows (publisher, title, URL, licence, retrieval date) of
a list of source ids, for source footers, export READMEs and citations."""

from __future__ import annotations

import duckdb
import pandas as pd

SOURCE_COLUMNS = ["source_id", "publisher", "title", "url", "licence", "licence_url", "retrieved_at"]


def sources_for(con: duckdb.DuckDBPyConnection, source_ids) -> pd.DataFrame:
    """The publisher, URL, licence and retrieval date of each source id used by a table."""
    ids = sorted({str(s) for s in source_ids if s})
    if not ids:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    return con.execute(
        f"SELECT {', '.join(SOURCE_COLUMNS)} FROM source WHERE list_contains(?, source_id) ORDER BY publisher, title",
        [ids],
    ).df()


def source_ids(df: pd.DataFrame | None) -> list[str]:
    """The source ids a frame's rows cite (its `source_id` or `Source id` column), sorted, or none."""
    column = next((c for c in ("source_id", "Source id") if df is not None and c in df.columns), None)
    if column is None:
        return []
    return sorted({str(s) for s in df[column].dropna().unique()})


def sources_of(con: duckdb.DuckDBPyConnection, df: pd.DataFrame) -> pd.DataFrame:
    """The sources of the rows in `df`."""
    return sources_for(con, source_ids(df))
