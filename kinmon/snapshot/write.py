"""Writing a validated snapshot into a new store, one batch per table by column name, then what is derived."""

from __future__ import annotations

from pathlib import Path

import duckdb

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.snapshot.parse import Snapshot


def write(con: duckdb.DuckDBPyConnection, snap: Snapshot, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Insert a validated snapshot into an empty store, one batch per table by column name; rows per table."""
    counts = {"source": store.insert_rows(con, "source", list(snap.sources.values()))}
    for table, found in snap.tables.items():
        counts[table] = len(found)
        store.insert_rows(con, table, found)
    counts.update(derive(con, data_dir))
    return counts


def derive(con: duckdb.DuckDBPyConnection, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Everything computed from the loaded rows: priority tags, suggested evidence, the search index."""
    from kinmon import classify, evidence, search

    rules = classify.load_rules(Path(data_dir) / "classification_rules.json")
    overrides = classify.load_overrides(Path(data_dir) / "classification_overrides.csv")
    from kinmon.ingest.geography import load_geography

    return {"geography": load_geography(con, Path(data_dir) / "geography.csv"),
            "priority_tag": classify.retag_all(con, rules, overrides),
            "suggested_evidence": evidence.suggest(con),
            "search_doc": search.rebuild_index(con)}
