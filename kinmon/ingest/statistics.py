"""Statistics ingest: the series registry (data/series.json) and EES tidy files into `observation`.

Two ways in:
- `ingest_statistics(db)`: for every series in the registry with an EES data set id, pin a data set
  version (newest matching the series' `dataset_version`, e.g. "1.*"), record it as a `release`,
  fetch the series' rows (API query, or the version's CSV) and store them. A series whose id is not
  known (`"dataset_id": null`) but which has a `dataset_match` has its data set found at run time
  among its publication's API data sets (GET /v1/publications/{id}/data-sets, listed once per
  publication per run) by title; see `DatasetMatch`. One that matches nothing is skipped with a note.
- `ingest_file(db, path_or_url)`: any EES tidy CSV, local or over http(s). Filters and indicators
  are read from its columns; each indicator becomes the series `<file stem>__<indicator column>`
  (lower case, other characters as '_'), e.g. `csww_indicators_2017_to_2025__inpost_fte`. A file
  whose name matches a registry series' `file_names` also fills that series.

Vintages. EES restates earlier years in every release, so an observation is keyed by its release and
nothing is overwritten: every vintage is kept and `is_latest` marks, for each period, place and
breakdown, the value from the newest release (by publication date, then retrieval). A re-run adds
nothing. A release whose data set has a newer version (a new release, or a major version outside
the pin) records it in `release.newer_available`. A date window does not apply: the version decides.

Breakdowns. The filters a registry series pins (e.g. characteristic = Special guardianship order)
define the series and are kept in `observation.filters`; only the filters left free go into
`filter_key`, so a fully pinned series has filter_key '' and meets the curated figures.

Places come from data/geography.csv (loaded into `geography`), see kinmon.tidy.GeographyResolver.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit

import duckdb
import pyarrow as pa

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.http import Client, UpstreamError
from kinmon.ingest import Counts, RunResult, Window, run
from kinmon.sources.ees import (DataSet, DataSetVersion, EesClient, Meta, QueryRow, matches_pin, period_to_tidy,
                                published_date, release_url, version_key)
from kinmon.tidy import (GEOGRAPHIC_LEVELS, GeographyResolver, TidyRow, TidyTable, normalise_label, parse_cell,
                         parse_csv, period_end, plain_text)

log = logging.getLogger(__name__)

REGISTRY_PATH = DATA_DIR / "series.json"
GEOGRAPHY_PATH = DATA_DIR / "geography.csv"
SOURCE_NAME = "statistics"
FILE_SOURCE_NAME = "file"
DFE = "Department for Education"
OGL = ("Open Government Licence v3.0", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
UNKNOWN_LICENCE = ("Not recorded: check the publisher's licence", None)
GEOGRAPHY_SOURCE = "geography-lookup"
DFE_HOSTS = ("education.gov.uk", "explore-education-statistics.service.gov.uk")
FETCH_METHODS = ("query", "csv")
OBSERVATION_KEY = ("series_id", "time_period", "geographic_level", "geography_code", "filter_key", "release_id")
OBSERVATION_COLUMNS = (
    "series_id", "time_period", "time_identifier", "period_end", "geographic_level", "geography_code",
    "geography_name", "filter_key", "filters", "indicator", "value", "value_text", "suppression", "unit",
    "release_id", "is_latest", "notes", "source_id", "source_url", "retrieved_at",
)
_ARROW_TYPES = {"period_end": pa.date32(), "value": pa.float64(), "is_latest": pa.bool_(),
                "retrieved_at": pa.timestamp("us")}


class RegistryError(ValueError):
    """data/series.json is malformed: names the file, the series and the reason."""


@dataclass(frozen=True)
class DatasetMatch:
    """How to find a series' EES data set at run time when its id is not known.

    Among the API data sets of publication `publication_id` (Withdrawn ones aside), a data set
    matches when its title equals one of `titles`; only if none does, when its title contains one
    of `contains`. Titles are compared ignoring case, runs of spaces and the kind of dash (an en
    dash is a hyphen). A superseded data set is replaced by its successor when the publication
    lists it. Of several matches, a Published data set that nothing supersedes is preferred, then
    the most recently published version. A contains-match must leave exactly one such data set:
    if it finds several, the series is skipped with a note naming them, never guessed.
    """

    publication_id: str
    titles: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()

    def describe(self) -> str:
        """What is looked for, e.g. "the title ['A'] or a title containing ['b']"."""
        wanted = ([f"the title {list(self.titles)}"] if self.titles else []) + (
            [f"a title containing {list(self.contains)}"] if self.contains else [])
        return " or ".join(wanted)


@dataclass(frozen=True)
class SeriesSpec:
    series_id: str
    title: str
    unit: str
    description: str
    priorities: tuple[int, ...]
    is_context: bool
    publisher: str
    publication_title: str
    publication_slug: str
    publication_url: str
    dataset_id: str | None
    dataset_id_note: str | None
    dataset_version: str
    fetch: str
    indicator: str
    filters: dict[str, tuple[str, ...]]
    geographic_levels: tuple[str, ...]
    reporting_year_end: tuple[int, int] | None = None
    file_names: tuple[str, ...] = ()
    dataset_match: DatasetMatch | None = None

    def wants(self, row: TidyRow, option_labels: dict[str, str] | None = None) -> bool:
        """Whether a row belongs to this series: one of its levels, and every pinned filter matching
        (by label; `option_labels` maps API option ids given in the registry to their labels)."""
        if row.geographic_level not in self.geographic_levels:
            return False
        for column, labels in self.filters.items():
            accepted = {normalise_label((option_labels or {}).get(x, x)) for x in labels}
            if normalise_label(row.filters.get(column, "\0")) not in accepted:
                return False
        return True


@dataclass
class StatisticsCounts(Counts):
    """Counts plus the run's notes (series skipped, EES warnings), also folded into the cursor."""

    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- the registry

_REQUIRED = {"series_id": str, "title": str, "unit": str, "description": str, "priorities": list,
             "is_context": bool, "publisher": str, "publication": dict, "dataset_id": (str, type(None)),
             "dataset_version": str, "fetch": str, "indicator": str, "filters": dict, "geographic_levels": list}
_OPTIONAL = {"dataset_id_note": str, "reporting_year_end": str, "file_names": list, "dataset_match": dict}
_MATCH_FIELDS = ("publication_id", "title", "title_contains")
_SERIES_ID = re.compile(r"^[a-z0-9_]+$")
_EES_ID = re.compile(r"[0-9a-fA-F-]{32,36}")
_PIN = re.compile(r"^(\*|\d+\.\*|\d+\.\d+\.\*|\d+\.\d+(\.\d+)?)$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def load_registry(path: str | Path | None = None) -> list[SeriesSpec]:
    """Read and check the series registry; raises RegistryError naming the series and the field."""
    path = Path(path) if path else REGISTRY_PATH
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path.name}: file is missing ({path})") from None
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{path.name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("series"), list):
        raise RegistryError(f"{path.name}: expected an object with a 'series' list")
    specs, seen = [], set()
    for i, entry in enumerate(doc["series"]):
        label = f"{path.name}: series {i + 1}" + (f" ({entry.get('series_id')})" if isinstance(entry, dict) else "")
        try:
            spec = _spec(entry)
        except (ValueError, TypeError) as exc:
            raise RegistryError(f"{label}: {exc}") from None
        if spec.series_id in seen:
            raise RegistryError(f"{label}: duplicate series_id {spec.series_id!r}")
        seen.add(spec.series_id)
        specs.append(spec)
    _check_shared_pins(specs, path)
    return specs


def _spec(e: Any) -> SeriesSpec:
    if not isinstance(e, dict):
        raise ValueError("each series must be an object")
    unknown = sorted(set(e) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for key, kind in {**_REQUIRED, **{k: v for k, v in _OPTIONAL.items() if k in e}}.items():
        if key not in e:
            raise ValueError(f"{key} is missing")
        if not isinstance(e[key], kind) or (kind is str and not e[key].strip()):
            raise ValueError(f"{key} must be a non-empty {getattr(kind, '__name__', 'value')}")
    if not _SERIES_ID.match(e["series_id"]):
        raise ValueError("series_id must be lower_snake_case")
    prios = e["priorities"]
    if not prios or any(not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 7 for p in prios):
        raise ValueError(f"priorities must be a non-empty list of numbers from 1 to 7, got {prios}")
    pub = e["publication"]
    for key in ("title", "slug", "url"):
        if not isinstance(pub.get(key), str) or not pub[key].strip():
            raise ValueError(f"publication.{key} is missing")
    if not pub["url"].startswith("https://"):
        raise ValueError("publication.url must be an https URL")
    if e["dataset_id"] is None and not e.get("dataset_id_note"):
        raise ValueError("a placeholder dataset_id (null) needs a dataset_id_note saying how to fill it in")
    if e["dataset_id"] is not None and not _EES_ID.fullmatch(e["dataset_id"]):
        raise ValueError(f"dataset_id {e['dataset_id']!r} is not an EES data set id (a UUID)")
    match = _dataset_match(e["dataset_match"], e["dataset_id"]) if "dataset_match" in e else None
    if not _PIN.match(e["dataset_version"]):
        raise ValueError(f"dataset_version {e['dataset_version']!r} must be '*', 'N.*', 'N.N.*' or an exact version")
    if e["fetch"] not in FETCH_METHODS:
        raise ValueError(f"fetch must be one of {list(FETCH_METHODS)}")
    filters = {}
    for column, labels in e["filters"].items():
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x.strip() for x in labels):
            raise ValueError(f"filters.{column} must be a label or a non-empty list of labels")
        filters[column] = tuple(labels)
    levels = e["geographic_levels"]
    known = set(GEOGRAPHIC_LEVELS.values())
    if not levels or any(lv not in known for lv in levels):
        raise ValueError(f"geographic_levels must be EES level labels such as 'National', got {levels}")
    year_end = None
    if "reporting_year_end" in e:
        m = _MONTH_DAY.match(e["reporting_year_end"])
        if not m:
            raise ValueError("reporting_year_end must be MM-DD")
        year_end = (int(m.group(1)), int(m.group(2)))
        date(2001, *year_end)  # a real day of the year, or ValueError
    names = e.get("file_names", [])
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError("file_names must be a list of file name patterns")
    return SeriesSpec(
        series_id=e["series_id"], title=e["title"].strip(), unit=e["unit"].strip(), description=e["description"].strip(),
        priorities=tuple(prios), is_context=e["is_context"], publisher=e["publisher"].strip(),
        publication_title=pub["title"].strip(), publication_slug=pub["slug"].strip(), publication_url=pub["url"].strip(),
        dataset_id=e["dataset_id"], dataset_id_note=e.get("dataset_id_note"), dataset_version=e["dataset_version"],
        fetch=e["fetch"], indicator=e["indicator"].strip(), filters=filters, geographic_levels=tuple(levels),
        reporting_year_end=year_end, file_names=tuple(n.strip() for n in names), dataset_match=match,
    )


def _dataset_match(m: dict, dataset_id: str | None) -> DatasetMatch:
    if dataset_id is not None:
        raise ValueError("dataset_match is only for a series whose dataset_id is null: keep one of the two")
    unknown = sorted(set(m) - set(_MATCH_FIELDS))
    if unknown:
        raise ValueError(f"dataset_match has unknown fields {unknown} (it takes {list(_MATCH_FIELDS)})")
    pub = m.get("publication_id")
    if not isinstance(pub, str) or not _EES_ID.fullmatch(pub):
        raise ValueError(f"dataset_match.publication_id {pub!r} is not an EES publication id (a UUID)")
    found = {}
    for key in ("title", "title_contains"):
        value = m.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value) or (
                key in m and not value):
            raise ValueError(f"dataset_match.{key} must be a title or a non-empty list of titles")
        found[key] = tuple(x.strip() for x in value)
    if not found["title"] and not found["title_contains"]:
        raise ValueError("dataset_match needs a title (or title_contains) to look for")
    return DatasetMatch(publication_id=pub, titles=found["title"], contains=found["title_contains"])


def _check_shared_pins(specs: list[SeriesSpec], path: Path) -> None:
    pins: dict[str, tuple[str, str]] = {}
    for s in specs:
        if s.dataset_id is None:
            continue
        first = pins.setdefault(s.dataset_id, (s.dataset_version, s.series_id))
        if first[0] != s.dataset_version:
            raise RegistryError(f"{path.name}: {s.series_id} pins data set {s.dataset_id} to {s.dataset_version} but "
                                f"{first[1]} pins it to {first[0]}: one data set, one pin")


# ---------------------------------------------------------------------- geography

GEOGRAPHY_COLUMNS = ["code", "name", "level", "old_la_code", "valid_from", "valid_to", "successor_code"]


def read_geography(path: str | Path | None = None) -> list[dict]:
    """The place lookup: GSS code, name, level, DfE old LA code, validity and successors (';'-separated)."""
    path = Path(path) if path else GEOGRAPHY_PATH
    out, seen = [], set()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != GEOGRAPHY_COLUMNS:
            raise ValueError(f"{path.name}, line 1: columns are {reader.fieldnames}, expected {GEOGRAPHY_COLUMNS}")
        for r in reader:
            line = reader.line_num
            try:
                rec = _geography_record(r)
            except ValueError as exc:
                raise ValueError(f"{path.name}, line {line}: {exc}") from None
            if rec["code"] in seen:
                raise ValueError(f"{path.name}, line {line}: duplicate code {rec['code']}")
            seen.add(rec["code"])
            out.append(rec)
    codes = {r["code"] for r in out}
    for r in out:
        for s in r["successors"]:
            if s not in codes:
                raise ValueError(f"{path.name}: successor {s} of {r['code']} is not in the file")
    return out


def _geography_record(r: dict) -> dict:
    code, name, level = (r.get(k, "").strip() for k in ("code", "name", "level"))
    if not re.fullmatch(r"[EKWSN]\d{8}", code):
        raise ValueError(f"code {code!r} is not a GSS code")
    if not name:
        raise ValueError("name is empty")
    if level not in GEOGRAPHIC_LEVELS.values():
        raise ValueError(f"level {level!r} is not an EES level")
    valid_from = date.fromisoformat(r["valid_from"]) if r["valid_from"].strip() else None
    valid_to = date.fromisoformat(r["valid_to"]) if r["valid_to"].strip() else None
    successors = [s.strip() for s in r["successor_code"].split(";") if s.strip()]
    if successors and valid_to is None:
        raise ValueError(f"{code} has a successor but no valid_to date")
    return {"code": code, "name": name, "level": level, "old_la_code": r["old_la_code"].strip() or None,
            "valid_from": valid_from, "valid_to": valid_to, "successors": successors}


def load_geography(con: duckdb.DuckDBPyConnection, path: str | Path | None = None) -> int:
    """Write data/geography.csv into `geography` (replacing same codes); returns the rows written."""
    records = read_geography(path)
    store.upsert_source(
        con, GEOGRAPHY_SOURCE, publisher="Office for National Statistics",
        title="GSS codes of England's local authorities and regions, with DfE's old LA codes and the "
              "reorganisations of 2019-2023 (kinmon lookup, data/geography.csv)",
        url="https://geoportal.statistics.gov.uk/", licence=OGL[0], licence_url=OGL[1], retrieved_at=store.utcnow())
    table = pa.table({
        "code": [r["code"] for r in records], "name": [r["name"] for r in records],
        "level": [r["level"] for r in records],
        "valid_from": pa.array([r["valid_from"] for r in records], pa.date32()),
        "valid_to": pa.array([r["valid_to"] for r in records], pa.date32()),
        "successor_code": [";".join(r["successors"]) or None for r in records],
    })
    con.register("_geography", table)  # one statement, not executemany: much faster in DuckDB
    try:
        con.execute("INSERT OR REPLACE INTO geography SELECT *, ? FROM _geography", [GEOGRAPHY_SOURCE])
    finally:
        con.unregister("_geography")
    return len(records)


# ---------------------------------------------------------------------- observations


def observations(spec_id: str, rows: Iterable[TidyRow], indicator: str, *, free_filters: list[str], unit: str | None,
                 release_id: str, source_id: str, source_url: str | None, retrieved_at: datetime,
                 year_end: tuple[int, int] | None = None, origin: str = "") -> list[dict]:
    """Observation records for one series from tidy rows; two values for one key is an error."""
    out: dict[tuple, dict] = {}
    for row in rows:
        cell = row.values[indicator]
        rec = {
            "series_id": spec_id, "time_period": row.time_period, "time_identifier": row.time_identifier,
            "period_end": period_end(row.time_period, row.time_identifier, year_end) if year_end else row.period_end,
            "geographic_level": row.geographic_level, "geography_code": row.geography_code,
            "geography_name": row.geography_name,
            "filter_key": "|".join(f"{c}={row.filters[c]}" for c in sorted(free_filters) if c in row.filters),
            "filters": json.dumps(row.filters, sort_keys=True, ensure_ascii=False) if row.filters else None,
            "indicator": indicator, "value": cell.value, "value_text": cell.text, "suppression": cell.suppression,
            "unit": unit, "release_id": release_id, "is_latest": False, "notes": None, "source_id": source_id,
            "source_url": source_url, "retrieved_at": retrieved_at, "_line": row.line,
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
    table = pa.table({c: pa.array([r[c] for r in records], type=_ARROW_TYPES.get(c, pa.string()))
                      for c in OBSERVATION_COLUMNS})
    con.register("_incoming", table)
    try:
        keys = " AND ".join(f"o.{k} = n.{k}" for k in OBSERVATION_KEY)
        changed = ("o.value IS DISTINCT FROM n.value OR o.value_text IS DISTINCT FROM n.value_text OR "
                   "o.suppression IS DISTINCT FROM n.suppression OR o.filters::VARCHAR IS DISTINCT FROM n.filters "
                   "OR o.geography_name IS DISTINCT FROM n.geography_name OR o.period_end IS DISTINCT FROM n.period_end "
                   "OR o.unit IS DISTINCT FROM n.unit")
        updated = con.execute(f"SELECT count(*) FROM observation o JOIN _incoming n ON {keys} WHERE {changed}").fetchone()[0]
        if updated:
            con.execute(f"""
                UPDATE observation o SET value = n.value, value_text = n.value_text, suppression = n.suppression,
                    filters = n.filters, geography_name = n.geography_name, period_end = n.period_end, unit = n.unit,
                    retrieved_at = n.retrieved_at
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

    Only rows kinmon ingested (sources ees:* and file:*) compete; curated figures keep their own
    flags. Returns how many rows stored before `run_started` changed (new rows are counted as added).
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
        FROM observation o JOIN release r USING (release_id)
        WHERE o.series_id IN (SELECT unnest(?)) AND (o.source_id LIKE 'ees:%' OR o.source_id LIKE 'file:%')
    """
    keys = " AND ".join(f"o.{k} = w.{k}" for k in OBSERVATION_KEY)
    differs = f"{keys} AND o.is_latest IS DISTINCT FROM w.should_be_latest"
    earlier = con.execute(f"SELECT count(*) FROM observation o JOIN ({ranked}) w ON {differs} WHERE o.retrieved_at < ?",
                          [ids, run_started]).fetchone()[0]
    con.execute(f"UPDATE observation o SET is_latest = w.should_be_latest FROM ({ranked}) w WHERE {differs}", [ids])
    return earlier


def write_series(con: duckdb.DuckDBPyConnection, spec: SeriesSpec, source_id: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO series VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [spec.series_id, spec.title, spec.unit, spec.description, list(spec.priorities), spec.publisher,
         spec.dataset_id, spec.indicator, json.dumps({k: list(v) for k, v in spec.filters.items()}),
         spec.is_context, source_id])


# ---------------------------------------------------------------------- the EES API path


def load_statistics(con: duckdb.DuckDBPyConnection, window: Window, client: Client | EesClient | None = None,
                    registry_path: str | Path | None = None) -> StatisticsCounts:
    """Load every registered series that has a data set id, or whose `dataset_match` finds one in its
    publication's API data sets; the rest are skipped with a note."""
    specs = load_registry(registry_path)
    ees = client if isinstance(client, EesClient) else EesClient(client)
    resolver = GeographyResolver(read_geography())
    load_geography(con)
    counts = StatisticsCounts()
    started = store.utcnow()
    placeholders = [s.series_id for s in specs if s.dataset_id is None and s.dataset_match is None]
    if placeholders:
        counts.notes.append(f"skipped {len(placeholders)} series with no EES data set id yet "
                            f"(see dataset_id_note in series.json): {', '.join(placeholders)}")
    by_dataset: dict[str, list[SeriesSpec]] = {}
    found: dict[str, tuple[DataSet, str]] = {}  # data set id -> (data set, how it was matched)
    listings: dict[str, list[DataSet] | None] = {}  # publication id -> its API data sets, listed once a run
    for s in specs:
        if s.dataset_id is None and s.dataset_match is not None:
            hit = _find_data_set(ees, s, listings, counts)
            if hit is None:
                continue
            found.setdefault(hit[0].id, hit)
            s = replace(s, dataset_id=hit[0].id)
        if s.dataset_id:
            group = by_dataset.setdefault(s.dataset_id, [])
            if group and group[0].dataset_version != s.dataset_version:
                counts.notes.append(f"{s.series_id}: pins data set {s.dataset_id} to {s.dataset_version} but "
                                    f"{group[0].series_id} pins it to {group[0].dataset_version}: one data set, "
                                    "one pin: skipped")
                continue
            group.append(s)
    for dataset_id, (data_set, how) in found.items():
        names = ", ".join(s.series_id for s in by_dataset.get(dataset_id, []) if s.dataset_match)
        if names:
            counts.notes.append(f"{names}: using EES data set {dataset_id} {data_set.title!r}, found {how}")
    published: list[date] = []
    touched: list[str] = []
    for dataset_id, group in by_dataset.items():
        loaded = _load_dataset(con, ees, dataset_id, group, resolver, counts)
        if loaded:
            published.append(loaded)
        touched.extend(s.series_id for s in group)
    counts.updated += refresh_latest(con, touched, started)
    _finish(counts, max(published).isoformat() if published else None)
    return counts


def _find_data_set(ees: EesClient, spec: SeriesSpec, listings: dict[str, list[DataSet] | None],
                   counts: StatisticsCounts) -> tuple[DataSet, str] | None:
    """The data set a series' `dataset_match` picks from its publication's API data sets (see
    DatasetMatch), with how it was found; None, and a note saying what was searched, if none fits."""
    match = spec.dataset_match
    assert match is not None
    pub = match.publication_id
    if pub not in listings:
        try:
            listings[pub] = ees.data_sets(pub)
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            listings[pub] = None  # the publication has no API data sets (any more): say so, load the rest
    data_sets = listings[pub]
    if data_sets is None:
        counts.notes.append(f"{spec.series_id}: publication {pub} is not in the EES API (listing its data sets "
                            f"gave HTTP 404), so none with {match.describe()} was found: skipped")
        return None
    usable = [d for d in data_sets if d.status != "Withdrawn"]
    wanted = {_title_key(t) for t in match.titles}
    hits, how, exact = [d for d in usable if _title_key(d.title) in wanted], "by its title", True
    if not hits and match.contains:
        phrases = [_title_key(p) for p in match.contains]
        hits = [d for d in usable if any(p in _title_key(d.title) for p in phrases)]
        how, exact = f"by a title containing {list(match.contains)}", False
    by_id = {d.id: d for d in usable}
    followed: dict[str, DataSet] = {}
    for d in hits:
        seen = {d.id}
        while d.superseding_id in by_id and d.superseding_id not in seen:  # the publication's newer data set
            d = by_id[d.superseding_id]
            seen.add(d.id)
        followed.setdefault(d.id, d)
    if not followed:
        titles = sorted({d.title for d in usable})
        shown = titles[:12] + ([f"... and {len(titles) - 12} more"] if len(titles) > 12 else [])
        counts.notes.append(f"{spec.series_id}: no EES data set of publication {pub} has {match.describe()} "
                            f"(it lists {len(usable)}: {shown}): skipped")
        return None
    current = [d for d in followed.values() if d.status == "Published" and not d.superseding_id]
    candidates = current or list(followed.values())
    if exact or len(candidates) == 1:  # one title, several data sets: the newest; a contains-match must be unique
        best = max(candidates, key=lambda d: d.latest_published.timestamp() if d.latest_published else float("-inf"))
        return best, how
    counts.notes.append(f"{spec.series_id}: {len(candidates)} EES data sets of publication {pub} have "
                        f"{match.describe()} ({sorted(f'{d.title} [{d.id}]' for d in candidates)}): "
                        "give the exact title; skipped")
    return None


_DASHES = re.compile("[\u2010-\u2015\u2212]")


def _title_key(title: str) -> str:
    """How data set titles are compared: case, spacing and the kind of dash never make a difference."""
    return normalise_label(_DASHES.sub("-", title))


def _finish(counts: StatisticsCounts, cursor: str | None) -> None:
    for note in counts.notes:
        log.info(note)  # the notes reach the operator through the run's cursor (CLI output, journal)
    parts = ([f"latest published {cursor}"] if cursor else []) + counts.notes
    counts.cursor = "; ".join(parts) or None


def _load_dataset(con: duckdb.DuckDBPyConnection, ees: EesClient, dataset_id: str, specs: list[SeriesSpec],
                  resolver: GeographyResolver, counts: StatisticsCounts) -> date | None:
    data_set = ees.data_set(dataset_id)
    versions = [v for v in ees.versions(dataset_id) if v.status != "Withdrawn"]
    pin = specs[0].dataset_version
    pinned = [v for v in versions if matches_pin(v.version, pin)]
    names = ", ".join(s.series_id for s in specs)
    if not pinned:
        counts.notes.append(f"data set {dataset_id} has no published version matching {pin}: skipped {names}")
        return None
    current = max(pinned, key=lambda v: version_key(v.version))
    newest = max(versions, key=lambda v: version_key(v.version))
    if data_set.status != "Published":
        counts.notes.append(f"data set {dataset_id} is {data_set.status}"
                            + (f", superseded by {data_set.superseding_id}" if data_set.superseding_id else ""))
    retrieved = store.utcnow()
    source_id = f"ees:{dataset_id}"
    store.upsert_source(con, source_id, publisher=specs[0].publisher,
                        title=f"{data_set.title} (Explore Education Statistics API data set)",
                        url=f"{ees.base}/v1/data-sets/{dataset_id}", licence=OGL[0], licence_url=OGL[1],
                        retrieved_at=retrieved)
    release_id = _write_ees_release(con, specs[0], dataset_id, data_set.title, current, newest, source_id, retrieved)
    page = release_url(specs[0].publication_slug, current.release_slug)
    meta: Meta | None = None
    table: TidyTable | None = None
    for spec in specs:
        if spec.fetch == "query":
            meta = meta or ees.meta(dataset_id, current.version)
            rows, free = _query_rows(ees, dataset_id, current.version, spec, meta, resolver, counts)
        else:
            table = table or parse_csv(ees.csv(dataset_id, current.version), f"{dataset_id}.csv", geography=resolver)
            rows, free = _csv_rows(spec, table, counts)
        if rows is None:
            continue
        write_series(con, spec, source_id)
        records = observations(spec.series_id, rows, _indicator_column(rows, spec), free_filters=free, unit=spec.unit,
                               release_id=release_id, source_id=source_id, source_url=page, retrieved_at=retrieved,
                               year_end=spec.reporting_year_end, origin=f"EES data set {dataset_id} v{current.version}")
        added, updated = write_observations(con, records)
        counts.added += added
        counts.updated += updated
    return published_date(current)


def _indicator_column(rows: list[TidyRow], spec: SeriesSpec) -> str:
    for row in rows:
        for column in row.values:
            if normalise_label(column) == normalise_label(spec.indicator):
                return column
    return spec.indicator


def _write_ees_release(con: duckdb.DuckDBPyConnection, spec: SeriesSpec, dataset_id: str, title: str,
                       current: DataSetVersion, newest: DataSetVersion, source_id: str, retrieved: datetime) -> str:
    """Record the pinned version as the data set's latest release; earlier ones learn of it."""
    release_id = f"ees:{dataset_id}:{current.version}"
    con.execute(
        """INSERT INTO release VALUES (?, ?, ?, ?, ?, ?, ?, true, NULL, ?, ?)
           ON CONFLICT (release_id) DO NOTHING""",
        [release_id, spec.publication_title, f"{current.release_title}: {title} (version {current.version})",
         published_date(current), dataset_id, current.version, release_url(spec.publication_slug, current.release_slug),
         source_id, retrieved])
    rows = con.execute("SELECT release_id, dataset_version FROM release WHERE dataset_id = ?", [dataset_id]).fetchall()
    for rid, version in rows:
        is_current = rid == release_id
        newer = newest.version if version_key(newest.version) > version_key(version) else None
        con.execute("UPDATE release SET is_latest = ?, newer_available = ? WHERE release_id = ? AND "
                    "(is_latest IS DISTINCT FROM ? OR newer_available IS DISTINCT FROM ?)",
                    [is_current, newer, rid, is_current, newer])
    return release_id


def _query_rows(ees: EesClient, dataset_id: str, version: str, spec: SeriesSpec, meta: Meta,
                resolver: GeographyResolver, counts: StatisticsCounts) -> tuple[list[TidyRow] | None, list[str]]:
    """Ask the API for just this series' rows, and turn the ids in the answer back into labels."""
    indicator = next((i for i in meta.indicators if normalise_label(i.column) == normalise_label(spec.indicator)
                      or normalise_label(i.label) == normalise_label(spec.indicator)), None)
    if indicator is None:
        counts.notes.append(f"{spec.series_id}: indicator {spec.indicator!r} is not in data set {dataset_id} "
                            f"(it has {[i.column for i in meta.indicators]}): skipped")
        return None, []
    criteria: list[dict] = []
    for column, labels in spec.filters.items():
        f = next((f for f in meta.filters if normalise_label(f.column) == normalise_label(column)), None)
        wanted = {normalise_label(x) for x in labels}
        # A filter may be given by option label (stable across versions) or by the API's option id.
        options = [oid for oid, label in (f.options.items() if f else []) if normalise_label(label) in wanted
                   or oid in labels]
        if not options:
            have = sorted(f.options.values()) if f else [x.column for x in meta.filters]
            counts.notes.append(f"{spec.series_id}: filter {column} = {list(labels)} is not in data set {dataset_id} "
                                f"(found {have}): skipped")
            return None, []
        criteria.append({"filters": {"eq": options[0]} if len(options) == 1 else {"in": options}})
    levels = [code for code, label in GEOGRAPHIC_LEVELS.items()
              if label in spec.geographic_levels and code in meta.geographic_levels]
    if not levels:
        counts.notes.append(f"{spec.series_id}: data set {dataset_id} has none of {list(spec.geographic_levels)}: skipped")
        return None, []
    criteria.append({"geographicLevels": {"in": levels}})
    body = {"criteria": {"and": criteria} if len(criteria) > 1 else criteria[0], "indicators": [indicator.id]}
    result = ees.query(dataset_id, version, body)
    counts.notes.extend(f"{spec.series_id}: EES warned {w}" for w in result.warnings)
    rows = [_tidy_from_api(i, r, meta, indicator.id, indicator.column, resolver, ees, dataset_id)
            for i, r in enumerate(result.rows, start=1)]
    option_labels = {oid: label for f in meta.filters for oid, label in f.options.items()}
    rows = [r for r in _with_filter_names(rows, spec) if spec.wants(r, option_labels)]
    pinned = {normalise_label(c) for c in spec.filters}
    free = [f.column for f in meta.filters if normalise_label(f.column) not in pinned]
    return rows, free


def _tidy_from_api(i: int, r: QueryRow, meta: Meta, indicator_id: str, indicator_column: str,
                   resolver: GeographyResolver, ees: EesClient, dataset_id: str) -> TidyRow:
    url = f"{ees.base}/v1/data-sets/{dataset_id}/query"
    level = GEOGRAPHIC_LEVELS.get(r.level)
    location = meta.locations.get((r.level, r.locations.get(r.level, "")))
    if level is None or location is None:
        raise UpstreamError(url, f"results[{i - 1}]: location {r.level} {r.locations.get(r.level)!r} is not in the metadata")
    filters = {}
    by_id = {f.id: f for f in meta.filters}
    for fid, oid in r.filters.items():
        f = by_id.get(fid)
        if f is None or oid not in f.options:
            raise UpstreamError(url, f"results[{i - 1}]: filter {fid} option {oid} is not in the metadata")
        filters[f.column] = f.options[oid]
    if indicator_id not in r.values:
        raise UpstreamError(url, f"results[{i - 1}]: field 'values.{indicator_id}' is missing")
    tp, ident = period_to_tidy(r.period, r.period_code)
    end = period_end(tp, ident)
    code, name = resolver.resolve(level, location.code or "", location.label, location.old_code, end)
    return TidyRow(line=i, time_period=tp, time_identifier=ident, period_end=end, geographic_level=level,
                   geography_code=code, geography_name=name, old_la_code=location.old_code, filters=filters,
                   values={indicator_column: parse_cell(r.values[indicator_id])})


def _csv_rows(spec: SeriesSpec, table: TidyTable, counts: StatisticsCounts) -> tuple[list[TidyRow] | None, list[str]]:
    column = next((c for c in table.indicators if normalise_label(c) == normalise_label(spec.indicator)), None)
    missing = [c for c in spec.filters if normalise_label(c) not in {normalise_label(f) for f in table.filters}]
    if column is None or missing:
        what = f"indicator {spec.indicator!r}" if column is None else f"filter columns {missing}"
        counts.notes.append(f"{spec.series_id}: {what} not in {table.name} (indicators {table.indicators}, "
                            f"filters {table.filters}): skipped")
        return None, []
    pinned = {normalise_label(c) for c in spec.filters}
    rows = [r for r in _with_filter_names(table.rows, spec) if spec.wants(r)]
    if not rows:
        counts.notes.append(f"{spec.series_id}: no rows of {table.name} match its filters {dict(spec.filters)}")
    return rows, [f for f in table.filters if normalise_label(f) not in pinned]


def _with_filter_names(rows: list[TidyRow], spec: SeriesSpec) -> list[TidyRow]:
    """The registry may spell a filter column in another case than the file; match it as the file does."""
    wanted = {normalise_label(c): c for c in spec.filters}
    out = []
    for r in rows:
        renamed = {wanted.get(normalise_label(c), c): v for c, v in r.filters.items()}
        out.append(r if renamed == r.filters else TidyRow(**{**r.__dict__, "filters": renamed}))
    return out


def ingest_statistics(db: str | Path, registry_path: str | Path | None = None,
                      client: Client | EesClient | None = None) -> RunResult:
    """One statistics run into the store at `db`: published only if it succeeds."""
    return run(Path(db), SOURCE_NAME, Window(),
               partial(load_statistics, client=client, registry_path=registry_path))


# ---------------------------------------------------------------------- any EES tidy file


def ingest_file(db: str | Path, path_or_url: str | Path, client: Client | None = None,
                registry_path: str | Path | None = None) -> RunResult:
    """Load one EES tidy CSV (a local path or an http(s) URL) into the store at `db`."""
    return run(Path(db), FILE_SOURCE_NAME, Window(),
               partial(load_file, path_or_url=str(path_or_url), client=client, registry_path=registry_path))


def load_file(con: duckdb.DuckDBPyConnection, window: Window, path_or_url: str, client: Client | None = None,
              registry_path: str | Path | None = None) -> StatisticsCounts:
    address, name, data = _read_address(path_or_url, client)
    name = plain_text(name) or "download.csv"
    resolver = GeographyResolver(read_geography())
    load_geography(con)
    table = parse_csv(data, name, geography=resolver)
    specs = [s for s in load_registry(registry_path)
             if any(fnmatch.fnmatch(name.casefold(), p.casefold()) for p in s.file_names)]
    retrieved = store.utcnow()
    is_url = address.startswith(("http://", "https://"))
    official = bool(specs) or (is_url and urlsplit(address).hostname.endswith(DFE_HOSTS))
    publisher = DFE if official else (urlsplit(address).hostname if is_url else "Local file")
    licence = OGL if official else UNKNOWN_LICENCE
    source_id = f"file:{address}"
    store.upsert_source(con, source_id, publisher=publisher, title=f"{name} ({address})",
                        url=address if is_url else None, licence=licence[0], licence_url=licence[1],
                        retrieved_at=retrieved)
    release_id = _write_file_release(con, address, name, data, source_id, retrieved)
    url = address if is_url else None
    counts = StatisticsCounts()
    touched = []
    for indicator in table.indicators:
        spec = _file_series(name, indicator, publisher, source_id)
        write_series(con, spec, source_id)
        records = observations(spec.series_id, table.rows, indicator, free_filters=table.filters, unit=None,
                               release_id=release_id, source_id=source_id, source_url=url, retrieved_at=retrieved,
                               origin=name)
        _count(counts, write_observations(con, records))
        touched.append(spec.series_id)
    for spec in specs:
        rows, free = _csv_rows(spec, table, counts)
        if not rows:
            continue
        write_series(con, spec, source_id)
        records = observations(spec.series_id, rows, _indicator_column(rows, spec), free_filters=free,
                               unit=spec.unit, release_id=release_id, source_id=source_id, source_url=url,
                               retrieved_at=retrieved, year_end=spec.reporting_year_end, origin=name)
        _count(counts, write_observations(con, records))
        touched.append(spec.series_id)
    counts.updated += refresh_latest(con, touched, retrieved)
    _finish(counts, None)
    return counts


def _count(counts: Counts, result: tuple[int, int]) -> None:
    counts.added += result[0]
    counts.updated += result[1]


def file_series_id(name: str, indicator: str) -> str:
    """`<file stem>__<indicator>`, lower case, anything but letters and digits as '_'."""
    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")
    stem = name[:-len(".csv")] if name.casefold().endswith(".csv") else name
    return f"{slug(stem)}__{slug(indicator)}"


def _file_series(name: str, indicator: str, publisher: str, source_id: str) -> SeriesSpec:
    words = plain_text(indicator.replace("_", " ")) or indicator
    return SeriesSpec(
        series_id=file_series_id(name, indicator), title=f"{words[:1].upper()}{words[1:]} ({name})", unit="",
        description=f"Column {indicator} of {name}, loaded with `python -m kinmon ingest file`.", priorities=(),
        is_context=False, publisher=publisher, publication_title=name, publication_slug="", publication_url="",
        dataset_id=None, dataset_id_note=None, dataset_version="*", fetch="csv", indicator=indicator, filters={},
        geographic_levels=tuple(GEOGRAPHIC_LEVELS.values()))


def _read_address(path_or_url: str, client: Client | None) -> tuple[str, str, bytes]:
    """(address, file name, bytes) of a local file or an http(s) resource."""
    if path_or_url.startswith(("http://", "https://")):
        resp = (client or Client()).request("GET", path_or_url, headers={"Accept": "text/csv, */*"})
        return path_or_url, _name_from_response(path_or_url, resp.headers.get("Content-Disposition")), resp.content
    path = Path(path_or_url).expanduser().resolve()
    return str(path), path.name, path.read_bytes()


def _name_from_response(url: str, disposition: str | None) -> str:
    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", disposition or "", re.IGNORECASE)
    if m:
        return Path(unquote(m.group(1))).name
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p] or ["download"]
    # The EES data catalogue serves files at .../data-set/{id}/csv: name them by the id.
    if "." not in parts[-1]:
        return f"{parts[-2] if len(parts) > 1 and parts[-1].casefold() == 'csv' else parts[-1]}.csv"
    return parts[-1]


def _write_file_release(con: duckdb.DuckDBPyConnection, address: str, name: str, data: bytes, source_id: str,
                        retrieved: datetime) -> str:
    """A file's release is its content: the same bytes again are the same release; new bytes, a new vintage."""
    release_id = (f"file:{hashlib.sha1(address.encode()).hexdigest()[:8]}:"
                  f"{hashlib.sha256(data).hexdigest()[:12]}")
    con.execute(
        """INSERT INTO release VALUES (?, ?, ?, NULL, NULL, NULL, ?, true, NULL, ?, ?)
           ON CONFLICT (release_id) DO NOTHING""",
        [release_id, name, f"{name}, as retrieved {retrieved:%d %b %Y %H:%M} UTC",
         address if address.startswith(("http://", "https://")) else None, source_id, retrieved])
    con.execute("UPDATE release SET is_latest = (release_id = ?) WHERE source_id = ? AND is_latest <> (release_id = ?)",
                [release_id, source_id, release_id])
    return release_id
