"""`ingest file`: one EES tidy CSV (local or http(s)) into the store, every value with its release.

Filters and indicators are read from the file's columns; each indicator becomes the series
`<file stem>__<indicator column>` (lower case, other characters as '_'), e.g.
`csww_indicators_2017_to_2025__inpost_fte`. A file whose name matches a registry series'
`file_names` also fills that series, in whichever of the series' shapes (`variants`) the file has.

The release. A file whose bytes (sha256) are a file of a registered release (data/series.json
`releases`) takes publisher, publication, release title, publication date, page URL and licence
from the registry. Otherwise they come from the options (`--publication`, `--release`,
`--published YYYY-MM-DD`, `--source-url`); what is not given is assumed, and the run's notes say
what was assumed. A file's release is its content: the same bytes again are the same release, and
nothing is added; new bytes are a new vintage.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from kinmon import store
from kinmon.http import Client
from kinmon.ingest import RunResult, Window, run
from kinmon.ingest.geography import load_geography, read_geography
from kinmon.ingest.observations import (StatisticsCounts, observations, refresh_latest, write_observations,
                                        write_release, write_series)
from kinmon.ingest.registry import DFE, OGL, ReleaseSpec, SeriesSpec, load_registry, release_for_file, series_rows
from kinmon.sources import files
from kinmon.tidy import GEOGRAPHIC_LEVELS, GeographyResolver, parse_csv, plain_text

FILE_SOURCE_NAME = "file"
UNKNOWN_LICENCE = ("Not recorded: check the publisher's licence", None)
DFE_HOSTS = ("education.gov.uk", "explore-education-statistics.service.gov.uk")


@dataclass(frozen=True)
class ReleaseOptions:
    """What the operator says about a file's release (command-line options)."""

    publication: str | None = None
    release: str | None = None
    published: date | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class FileRelease:
    """The release a file's values are recorded under, and what had to be assumed to say so."""

    release_id: str
    source_id: str
    publisher: str
    publication: str
    title: str
    published_on: date | None
    published_note: str | None
    url: str | None
    licence: tuple[str, str | None]
    assumed: tuple[str, ...]


def ingest_file(db: str | Path, path_or_url: str | Path, client: Client | None = None,
                registry_path: str | Path | None = None, options: ReleaseOptions | None = None) -> RunResult:
    """Load one EES tidy CSV (a local path or an http(s) URL) into the store at `db`."""
    return run(Path(db), FILE_SOURCE_NAME, Window(),
               partial(load_file, path_or_url=str(path_or_url), client=client, registry_path=registry_path,
                       options=options or ReleaseOptions()))


def load_file(con: duckdb.DuckDBPyConnection, window: Window, path_or_url: str, client: Client | None = None,
              registry_path: str | Path | None = None, options: ReleaseOptions = ReleaseOptions()) -> StatisticsCounts:
    address, name, data = files.read_address(path_or_url, client)  # bounded: kinmon/sources/files.py
    name = plain_text(name) or "download.csv"
    resolver = GeographyResolver(read_geography())
    load_geography(con)
    table = parse_csv(data, name, geography=resolver)
    specs = [s for s in load_registry(registry_path)
             if any(fnmatch.fnmatch(name.casefold(), p.casefold()) for p in s.file_names)]
    sha256 = hashlib.sha256(data).hexdigest()
    registered = release_for_file(name, sha256, registry_path)
    release = file_release(address, name, sha256, registered, specs, options)
    retrieved = store.utcnow()
    store.upsert_source(con, release.source_id, publisher=release.publisher,
                        title=release.title if registered else f"{release.publication}: {release.title}", url=release.url,
                        licence=release.licence[0], licence_url=release.licence[1], retrieved_at=retrieved)
    write_release(con, {"release_id": release.release_id, "publication": release.publication, "title": release.title,
                        "published_on": release.published_on, "published_note": release.published_note,
                        "url": release.url, "is_latest": True, "source_id": release.source_id,
                        "retrieved_at": retrieved})
    counts = StatisticsCounts(notes=[f"{name}: {a}" for a in release.assumed])
    common = dict(release_id=release.release_id, source_id=release.source_id, source_url=release.url,
                  retrieved_at=retrieved, origin=name)
    touched = []
    for indicator in table.indicators:
        spec = _file_series(name, indicator, release.publisher, release.publication)
        write_series(con, spec, release.source_id)
        counts.add(write_observations(con, observations(spec.series_id, table.rows, indicator,
                                                        free_filters=table.filters, unit=None, **common)))
        touched.append(spec.series_id)
    for spec in specs:
        rows, free, column, note = series_rows(spec, table)
        if note:
            counts.notes.append(note)
        if not rows:
            continue
        write_series(con, spec, release.source_id)
        counts.add(write_observations(con, observations(
            spec.series_id, rows, column, free_filters=free, unit=spec.unit, year_end=spec.reporting_year_end,
            period_type=spec.period_type, **common)))
        counts.notes.append(f"{name}: filled {spec.series_id} from column {column} ({len(rows)} rows)")
        touched.append(spec.series_id)
    counts.updated += refresh_latest(con, touched, retrieved)
    return counts.finish(release.published_on)


def file_release(address: str, name: str, sha256: str, registered: ReleaseSpec | None, specs: list[SeriesSpec],
                 options: ReleaseOptions) -> FileRelease:
    """The release of a file: the registry's when its bytes are registered, else the options, else assumed."""
    is_url = address.startswith(("http://", "https://"))
    given = [k for k, v in vars(options).items() if v]
    if registered is not None:
        assumed = [f"matches the registered release {registered.release_id} ({registered.title})"]
        if given:
            assumed.append(f"options {given} ignored: the registry describes this release")
        return FileRelease(
            release_id=registered.release_id, source_id=f"file:{registered.release_id}", publisher=registered.publisher,
            publication=registered.publication_title, title=registered.title, published_on=registered.published_on,
            published_note=registered.published_note, url=registered.url,
            licence=(registered.licence, registered.licence_url), assumed=tuple(assumed))
    assumed = []
    host = (urlsplit(address).hostname or "") if is_url else ""
    official = bool(specs) or host.endswith(DFE_HOSTS)
    publisher = DFE if official else (host or "Local file")
    if specs and not options.publication:
        publication = specs[0].publication_title
        assumed.append(f"publication {publication!r} (the file name matches series {specs[0].series_id})")
    else:
        publication = options.publication or name
        if not options.publication:
            assumed.append(f"publication {name!r} (the file name; give --publication)")
    title = options.release or f"{name}, release not registered"
    if not options.release:
        assumed.append(f"release title {title!r} (give --release)")
    url = options.source_url or (address if is_url else (specs[0].publication_url if specs else None))
    if not options.source_url:
        assumed.append(f"source URL {url}" + (" (the publication page; give --source-url for the release)"
                                              if url and not is_url else "" if url else " unknown (give --source-url)"))
    if not options.published:
        assumed.append("publication date unknown (give --published YYYY-MM-DD)")
    licence = OGL if official else UNKNOWN_LICENCE
    assumed.append(f"publisher {publisher}, licence {licence[0]}")
    return FileRelease(
        release_id=f"file:{hashlib.sha1(address.encode()).hexdigest()[:8]}:{sha256[:12]}",
        source_id=f"file:{address}", publisher=publisher, publication=publication, title=title,
        published_on=options.published, published_note=None if options.published else "not given when the file was loaded",
        url=url, licence=licence, assumed=tuple(assumed))


def file_series_id(name: str, indicator: str) -> str:
    """`<file stem>__<indicator>`, lower case, anything but letters and digits as '_'."""
    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")
    stem = name[:-len(".csv")] if name.casefold().endswith(".csv") else name
    return f"{slug(stem)}__{slug(indicator)}"


def _file_series(name: str, indicator: str, publisher: str, publication: str) -> SeriesSpec:
    words = plain_text(indicator.replace("_", " ")) or indicator
    return SeriesSpec(
        series_id=file_series_id(name, indicator), title=f"{words[:1].upper()}{words[1:]} ({name})", unit="",
        description=f"Column {indicator} of {name}, loaded with `python -m kinmon ingest file`.", priorities=(),
        is_context=False, publisher=publisher, publication_title=publication, publication_slug="", publication_url="",
        dataset_id=None, dataset_id_note=None, dataset_version="*", fetch="csv", indicator=indicator, filters={},
        geographic_levels=tuple(GEOGRAPHIC_LEVELS.values()))
