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
`INSERT INTO t (columns) SELECT columns FROM batch`, never positional VALUES. The SQL that compares a
batch with the stored vintages and marks the latest lives in kinmon.store.statistics.
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
# Moved to kinmon.store.statistics; importable from here as before.
from kinmon.store.statistics import OBSERVATION_COLUMNS, OBSERVATION_KEY, refresh_latest, write_observations
from kinmon.tidy import TidyRow, period_end, period_label

__all__ = ["OBSERVATION_COLUMNS", "OBSERVATION_KEY", "RELEASE_COLUMNS", "SERIES_COLUMNS", "StatisticsCounts",
           "observations", "refresh_latest", "series_record", "write_observations", "write_release", "write_series"]

log = logging.getLogger(__name__)

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
