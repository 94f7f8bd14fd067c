"""Statistics from the live EES API: each registered series' data set, pinned or found by title, into the store.

For every series in the registry with an EES data set id, pin a data set version (newest matching
the series' `dataset_version`, e.g. "1.*"), record it as a `release`, fetch the series' rows (API
query, or the version's CSV) and store them. A series whose id is not known (`"dataset_id": null`)
but which has a `dataset_match` has its data set found at run time among its publication's API data
sets (GET /v1/publications/{id}/data-sets, listed once per publication per run) by title; see
`DatasetMatch`. One that matches nothing is skipped with a note. Of a series' shapes (`variants`),
the first whose indicator and filter columns the data set's metadata has is queried.

A release whose data set has a newer version (a new release, or a major version outside the pin)
records it in `release.newer_available`. A date window does not apply: the version decides.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path

import duckdb

from kinmon import store
from kinmon.http import Client, UpstreamError
from kinmon.ingest import RunResult, Window, run
from kinmon.ingest.geography import load_geography, read_geography
from kinmon.ingest.observations import (StatisticsCounts, observations, refresh_latest, write_observations,
                                        write_release, write_series)
from kinmon.ingest.registry import OGL, SeriesSpec, Variant, with_filter_names, load_registry, series_rows
from kinmon.sources.ees import (DataSet, DataSetVersion, EesClient, Meta, QueryRow, matches_pin, period_to_tidy,
                                published_date, release_url, version_key)
from kinmon.store import statistics as statistics_store
from kinmon.tidy import GEOGRAPHIC_LEVELS, GeographyResolver, TidyRow, TidyTable, normalise_label, parse_cell, parse_csv, period_end

SOURCE_NAME = "statistics"


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
    return counts.finish(max(published) if published else None)


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


def _load_dataset(con: duckdb.DuckDBPyConnection, ees: EesClient, dataset_id: str, specs: list[SeriesSpec],
                  resolver: GeographyResolver, counts: StatisticsCounts) -> date | None:
    names = ", ".join(s.series_id for s in specs)
    try:
        data_set = ees.data_set(dataset_id)
    except UpstreamError as exc:
        if exc.status != 404:
            raise
        counts.notes.append(f"data set {dataset_id} is not in the EES API (HTTP 404): skipped {names}")
        return None
    versions = [v for v in ees.versions(dataset_id) if v.status != "Withdrawn"]
    pin = specs[0].dataset_version
    pinned = [v for v in versions if matches_pin(v.version, pin)]
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
            rows, free, column = _query_rows(ees, dataset_id, current.version, spec, meta, resolver, counts)
        else:
            table = table or parse_csv(ees.csv(dataset_id, current.version), f"{dataset_id}.csv", geography=resolver)
            rows, free, column, note = series_rows(spec, table)
            if note:
                counts.notes.append(note + ("" if rows else ": skipped"))
        if not rows:
            continue
        write_series(con, spec, source_id)
        records = observations(spec.series_id, rows, column, free_filters=free, unit=spec.unit,
                               release_id=release_id, source_id=source_id, source_url=page, retrieved_at=retrieved,
                               year_end=spec.reporting_year_end, origin=f"EES data set {dataset_id} v{current.version}",
                               period_type=spec.period_type)
        counts.add(write_observations(con, records))
    return published_date(current)


def _write_ees_release(con: duckdb.DuckDBPyConnection, spec: SeriesSpec, dataset_id: str, title: str,
                       current: DataSetVersion, newest: DataSetVersion, source_id: str, retrieved: datetime) -> str:
    """Record the pinned version as the data set's latest release; earlier ones learn of it."""
    release_id = f"ees:{dataset_id}:{current.version}"
    write_release(con, {
        "release_id": release_id, "publication": spec.publication_title,
        "title": f"{current.release_title}: {title} (version {current.version})",
        "published_on": published_date(current), "published_note": "the data set version's publication date (EES API)",
        "dataset_id": dataset_id, "dataset_version": current.version,
        "url": release_url(spec.publication_slug, current.release_slug), "is_latest": True, "newer_available": None,
        "source_id": source_id, "retrieved_at": retrieved})
    statistics_store.mark_releases(
        con, dataset_id, release_id,
        lambda version: newest.version if version_key(newest.version) > version_key(version) else None)
    return release_id


def _meta_shape(spec: SeriesSpec, meta: Meta) -> Variant | None:
    """The first of the series' shapes whose indicator and filter columns the data set has."""
    def has_indicator(v: Variant) -> bool:
        return any(normalise_label(v.indicator) in (normalise_label(i.column), normalise_label(i.label))
                   for i in meta.indicators)
    columns = {normalise_label(f.column) for f in meta.filters}
    return next((v for v in spec.shapes() if has_indicator(v) and all(normalise_label(c) in columns for c in v.filters)),
                None)


def _query_rows(ees: EesClient, dataset_id: str, version: str, spec: SeriesSpec, meta: Meta,
                resolver: GeographyResolver, counts: StatisticsCounts) -> tuple[list[TidyRow] | None, list[str], str]:
    """Ask the API for just this series' rows, and turn the ids in the answer back into labels."""
    shape = _meta_shape(spec, meta)
    if shape is None:
        shapes = " or ".join(v.describe() for v in spec.shapes())
        counts.notes.append(f"{spec.series_id}: data set {dataset_id} has none of its shapes: looked for {shapes}; "
                            f"found indicators {[i.column for i in meta.indicators]} and filters "
                            f"{[f.column for f in meta.filters]}: skipped")
        return None, [], spec.indicator
    indicator = next(i for i in meta.indicators if normalise_label(shape.indicator) in
                     (normalise_label(i.column), normalise_label(i.label)))
    criteria: list[dict] = []
    for column, labels in shape.filters.items():
        f = next(f for f in meta.filters if normalise_label(f.column) == normalise_label(column))
        wanted = {normalise_label(x) for x in labels}
        # A filter may be given by option label (stable across versions) or by the API's option id.
        options = [oid for oid, label in f.options.items() if normalise_label(label) in wanted or oid in labels]
        if not options:
            counts.notes.append(f"{spec.series_id}: filter {column} = {list(labels)} is not in data set {dataset_id} "
                                f"(found {sorted(f.options.values())}): skipped")
            return None, [], spec.indicator
        criteria.append({"filters": {"eq": options[0]} if len(options) == 1 else {"in": options}})
    levels = [code for code, label in GEOGRAPHIC_LEVELS.items()
              if label in spec.geographic_levels and code in meta.geographic_levels]
    if not levels:
        counts.notes.append(f"{spec.series_id}: data set {dataset_id} has none of {list(spec.geographic_levels)}: skipped")
        return None, [], spec.indicator
    criteria.append({"geographicLevels": {"in": levels}})
    body = {"criteria": {"and": criteria} if len(criteria) > 1 else criteria[0], "indicators": [indicator.id]}
    result = ees.query(dataset_id, version, body)
    counts.notes.extend(f"{spec.series_id}: EES warned {w}" for w in result.warnings)
    rows = [_tidy_from_api(i, r, meta, indicator.id, indicator.column, resolver, ees, dataset_id)
            for i, r in enumerate(result.rows, start=1)]
    option_labels = {oid: label for f in meta.filters for oid, label in f.options.items()}
    rows = [r for r in with_filter_names(rows, shape) if spec.wants(r, option_labels, variant=shape)]
    pinned = {normalise_label(c) for c in shape.filters}
    free = [f.column for f in meta.filters if normalise_label(f.column) not in pinned]
    return rows, free, indicator.column


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


def ingest_statistics(db: str | Path, registry_path: str | Path | None = None,
                      client: Client | EesClient | None = None) -> RunResult:
    """One statistics run into the store at `db`: published only if it succeeds."""
    return run(Path(db), SOURCE_NAME, Window(),
               partial(load_statistics, client=client, registry_path=registry_path))

