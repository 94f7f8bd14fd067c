"""The read model: named functions returning DataFrames. All SQL that reads the store lives in this package.

Submodules by area: core (priorities, commitments, timeline, freshness, tables), parliament, records (one
record in full), members and asks (Asks of MPs), statistics, sources (the sources of what a view shows),
tables (the ready-made download tables), status (rows held and runs, from the store and its run journal).
Every function takes an open (read-only) DuckDB connection first, except status's, which take the store's path.
"""
