"""The benchmark's baselines: raw DuckDB queries over the same store, with no kinmon code between.

The one place in kinmon/bench that writes SQL, on purpose: a baseline must not go through the code it is
compared with. Each function runs one query shape a search engine needs, over the derived search table.
"""

from __future__ import annotations

import duckdb

from kinmon import search


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    path = search.fts_extension_path()
    if not path:
        return False
    try:
        con.execute(f"LOAD '{path}'")
    except duckdb.Error:
        return False
    return True


def build_fts(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB fts's BM25 index over the search table, as kinmon built it before its own index (a baseline)."""
    if not load_fts(con):
        raise RuntimeError("the fts extension is not installed (duckdb-ext-fts)")
    con.execute("PRAGMA create_fts_index('search_doc', 'doc_id', 'title', 'body', overwrite=1)")


def fts_bm25(con: duckdb.DuckDBPyConnection, words: str, limit: int = 200) -> int:
    """DuckDB fts's match_bm25 over the search table's index, best first: how many matched (at most limit)."""
    if not load_fts(con):
        raise RuntimeError("the fts extension is not installed")
    rows = con.execute("""
        SELECT doc_id FROM (SELECT doc_id, fts_main_search_doc.match_bm25(doc_id, ?) AS score FROM search_doc)
        WHERE score IS NOT NULL ORDER BY score DESC LIMIT ?""", [words, limit]).fetchall()
    return len(rows)


def ilike_scan(con: duckdb.DuckDBPyConnection, words: str, limit: int = 200) -> int:
    """Every word as an ILIKE over the body, newest first: a full scan with no index."""
    terms = [w.strip('"').strip("-") for w in words.split() if w not in ("OR", "AND", "NOT")] or [""]
    where = " AND ".join("body ILIKE ?" for _ in terms)
    rows = con.execute(f"SELECT doc_id FROM search_doc WHERE {where} ORDER BY date DESC NULLS LAST LIMIT ?",
                       [f"%{t}%" for t in terms] + [limit]).fetchall()
    return len(rows)
