"""The statistics ingest's writes that compare with what is stored: observation vintages added or corrected,
which vintage is the latest, and a data set's releases told of a newer version.

An observation is keyed by its release, so every vintage is kept; `is_latest` marks, for each period, place
and breakdown, the value from the newest release (by publication date, then retrieval).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

import duckdb

from kinmon.store.write import batch

OBSERVATION_KEY = ("series_id", "time_period", "geographic_level", "geography_code", "filter_key", "release_id")
OBSERVATION_COLUMNS = (
    "series_id", "time_period", "time_identifier", "period_end", "geographic_level", "geography_code",
    "geography_name", "filter_key", "filters", "indicator", "value", "value_text", "suppression", "unit",
    "release_id", "is_latest", "notes", "source_id", "source_url", "retrieved_at",
)


def write_observations(con: duckdb.DuckDBPyConnection, records: list[dict]) -> tuple[int, int]:
    """Insert new observations and correct changed ones; returns (added, updated). Unchanged rows
    are left alone, retrieval time included, so a re-run changes nothing."""
    if not records:
        return 0, 0
    con.register("_incoming", batch(con, "observation", records, OBSERVATION_COLUMNS))
    try:
        keys = " AND ".join(f"o.{k} = n.{k}" for k in OBSERVATION_KEY)
        changed = ("o.value IS DISTINCT FROM n.value OR o.value_text IS DISTINCT FROM n.value_text OR "
                   "o.suppression IS DISTINCT FROM n.suppression OR o.filters::VARCHAR IS DISTINCT FROM n.filters "
                   "OR o.geography_name IS DISTINCT FROM n.geography_name OR o.period_end IS DISTINCT FROM n.period_end "
                   "OR o.unit IS DISTINCT FROM n.unit OR o.source_url IS DISTINCT FROM n.source_url")
        updated = con.execute(f"SELECT count(*) FROM observation o JOIN _incoming n ON {keys} WHERE {changed}").fetchone()[0]
        if updated:
            con.execute(f"""
                UPDATE observation o SET value = n.value, value_text = n.value_text, suppression = n.suppression,
                    filters = n.filters, geography_name = n.geography_name, period_end = n.period_end, unit = n.unit,
                    source_url = n.source_url, retrieved_at = n.retrieved_at
                FROM _incoming n WHERE {keys} AND ({changed})""")
        cols = ", ".join(OBSERVATION_COLUMNS)
        added = con.execute(f"""
            INSERT INTO observation ({cols})
            SELECT {", ".join("n." + c for c in OBSERVATION_COLUMNS)} FROM _incoming n
            WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE {keys})""").fetchone()[0]
    finally:
        con.unregister("_incoming")
    return added, updated


def refresh_latest(con: duckdb.DuckDBPyConnection, series_ids: Iterable[str], run_started: datetime) -> int:
    """Mark, per period, place and breakdown, the value from the newest release as the latest.

    Every vintage competes, curated figures too; curated figures from an undated release keep the
    flag the snapshot gave them (it breaks ties by the reporting year in their titles). Returns how
    many rows stored before `run_started` changed (new rows are counted as added).
    """
    ids = sorted(set(series_ids))
    if not ids:
        return 0
    ranked = """
        SELECT o.series_id, o.time_period, o.geographic_level, o.geography_code, o.filter_key, o.release_id,
               row_number() OVER (PARTITION BY o.series_id, o.time_period, o.geographic_level, o.geography_code,
                                               o.filter_key
                                  ORDER BY r.published_on DESC NULLS LAST, r.retrieved_at DESC, o.release_id DESC) = 1
                   AS should_be_latest
               , o.source_id LIKE 'ees:%' OR o.source_id LIKE 'file:%' OR r.published_on IS NOT NULL AS may_change
        FROM observation o JOIN release r USING (release_id)
        WHERE o.series_id IN (SELECT unnest(?))
    """
    keys = " AND ".join(f"o.{k} = w.{k}" for k in OBSERVATION_KEY)
    differs = f"{keys} AND w.may_change AND o.is_latest IS DISTINCT FROM w.should_be_latest"
    earlier = con.execute(f"SELECT count(*) FROM observation o JOIN ({ranked}) w ON {differs} WHERE o.retrieved_at < ?",
                          [ids, run_started]).fetchone()[0]
    con.execute(f"UPDATE observation o SET is_latest = w.should_be_latest FROM ({ranked}) w WHERE {differs}", [ids])
    return earlier


def mark_releases(con: duckdb.DuckDBPyConnection, dataset_id: str, current_release_id: str,
                  newer_than: Callable[[str | None], str | None]) -> None:
    """Of a data set's stored releases, only `current_release_id` is the latest; each learns the newer version
    `newer_than(its version)` names (or None). Rows already right are left alone."""
    for rid, version in con.execute("SELECT release_id, dataset_version FROM release WHERE dataset_id = ?",
                                    [dataset_id]).fetchall():
        is_current, newer = rid == current_release_id, newer_than(version)
        con.execute("UPDATE release SET is_latest = ?, newer_available = ? WHERE release_id = ? AND "
                    "(is_latest IS DISTINCT FROM ? OR newer_available IS DISTINCT FROM ?)",
                    [is_current, newer, rid, is_current, newer])
