"""Writing statistics into the store: observations, series and releases, by column name in batches.

Vintages. EES restates earlier years in every release, so an observation is keyed by its release and
nothing is overwritten: every vintage is kept and `is_latest` marks, for each period, place and
breakdown, the value from the newest release (by publication date, then retrieval). A re-run adds
nothing. Periods are stored in one shape per series (see kinmon.tidy.period_label); the period as
the release wrote it is kept in `notes`.

Breakdowns. The filters a registry series pins (e.g. characteristic = Special guardianship order)
define the series and are kept in `observation.filters`; only the filters left free go into
`filter_key`, so a fully pinned series has filter_key '' and meets the curated figures.

Every table is written the same way (kinmon.store.write): the rows become one Arrow table and one
`INSERT INTO t (columns) SELECT columns FROM batch`, never positional VALUES.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

import duckdb

from kinmon import store
from kinmon.ingest import Counts
from kinmon.ingest.registry import SeriesSpec
from kinmon.tidy import TidyRow, period_end, period_label

log = logging.getLogger(__name__)

OBSERVATION_KEY = ("series_id", "time_period", "geographic_level", "geography_code", "filter_key", "release_id")
OBSERVATION_COLUMNS = (
    "series_id", "time_period", "time_identifier", "period_end", "geographic_level", "geography_code",
    "geography_name", "filter_key", "filters", "indicator", "value", "value_text", "suppression", "unit",
    "release_id", "is_latest", "notes", "source_id", "source_url", "retrieved_at",
)
RELEASE_COLUMNS = ("release_id", "publication", "title", "published_on", "published_note", "dataset_id",
                   "dataset_version", "url", "is_latest", "newer_available", "source_id", "retrieved_at")
SERIES_COLUMNS = ("series_id", "title", "unit", "description", "priorities", "publisher", "dataset_id", "indicator",
                  "filters", "is_context", "source_id")


@dataclass
class StatisticsCounts(Counts):
    """Counts plus the run's notes (series skipped, EES warnings, what a file load assumed)."""

    notes: list[str] = field(default_factory=list)

    def finish(self, latest_published: date | None = None) -> "StatisticsCounts":
        """The cursor is the newest publication date loaded; the notes go to the run's own notes field."""
        for note in self.notes:
            log.info(note)
        self.cursor = f"latest published {latest_published.isoformat()}" if latest_published else None
        self.run_notes = "\n".join(self.notes) or None
        return self

    def add(self, result: tuple[int, int]) -> None:
        self.added += result[0]
        self.updated += result[1]


def observations(spec_id: str, rows: Iterable[TidyRow], indicator: str, *, free_filters: list[str], unit: str | None,
                 release_id: str, source_id: str, source_url: str | None, retrieved_at: datetime,
                 year_end: tuple[int, int] | None = None, origin: str = "", period_type: str | None = None) -> list[dict]:
    """Observation records for one series from tidy rows; two values for one key is an error."""
    out: dict[tuple, dict] = {}
    for row in rows:
        cell = row.values[indicator]
        end = period_end(row.time_period, row.time_identifier, year_end) if year_end else row.period_end
        shown = period_label(row.time_period, row.time_identifier, end, period_type)
        rec = {
            "series_id": spec_id, "time_period": shown, "time_identifier": row.time_identifier,
            "period_end": end, "geographic_level": row.geographic_level, "geography_code": row.geography_code,
            "geography_name": row.geography_name,
            "filter_key": "|".join(f"{c}={row.filters[c]}" for c in sorted(free_filters) if c in row.filters),
            "filters": json.dumps(row.filters, sort_keys=True, ensure_ascii=False) if row.filters else None,
            "indicator": indicator, "value": cell.value, "value_text": cell.text, "suppression": cell.suppression,
            "unit": unit, "release_id": release_id, "is_latest": False,
            "notes": None if shown == row.time_period else f"published as {row.time_identifier} {row.time_period}",
            "source_id": source_id, "source_url": source_url, "retrieved_at": retrieved_at, "_line": row.line,
        }
        key = tuple(rec[k] for k in OBSERVATION_KEY)
        if key in out:
            raise ValueError(f"{origin or release_id}: two values for {spec_id} {row.time_period} "
                             f"{row.geographic_level} {row.geography_code} [{rec['filter_key']}] "
                             f"(rows {out[key]['_line']} and {row.line})")
        out[key] = rec
    return list(out.values())


def write_observations(con: duckdb.DuckDBPyConnection, records: list[dict]) -> tuple[int, int]:
    """Insert new observations and correct changed ones; returns (added, updated). Unchanged rows
    are left alone, retrieval time included, so a re-run changes nothing."""
    if not records:
        return 0, 0
    con.register("_incoming", store.write.batch(con, "observation", records, OBSERVATION_COLUMNS))
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


def series_record(spec: SeriesSpec, source_id: str) -> dict:
    return store.rows.series(series_id=spec.series_id, title=spec.title, unit=spec.unit, description=spec.description,
                       priorities=list(spec.priorities), publisher=spec.publisher, dataset_id=spec.dataset_id,
                       indicator=spec.indicator, filters=json.dumps({k: list(v) for k, v in spec.filters.items()}),
                       is_context=spec.is_context, source_id=source_id)


def write_series(con: duckdb.DuckDBPyConnection, spec: SeriesSpec, source_id: str) -> None:
    """Record a series, or bring a stored one up to date with the registry."""
    store.insert_rows(con, "series", [series_record(spec, source_id)], columns=SERIES_COLUMNS, on_conflict="replace")


def write_release(con: duckdb.DuckDBPyConnection, record: dict) -> None:
    """Record a release once (a re-run keeps the first retrieval time)."""
    store.insert_rows(con, "release", [store.rows.release(**record)], columns=RELEASE_COLUMNS, on_conflict="ignore")
