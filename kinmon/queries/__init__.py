"""The read model: named functions returning DataFrames. All SQL lives in this package.

Submodules by area: core (priorities, commitments, timeline, freshness, tables), parliament,
statistics. Every function takes an open (read-only) DuckDB connection first.
"""
