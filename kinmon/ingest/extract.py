"""The shipped extract of DfE's real files: the rows kinmon shows, rebuilt from the files by kinmon's own code.

`build_extract(folder)` reads every file of every registered release (data/series.json `releases`)
found in `folder` (default ../shared/reference/ees/real beside the project), checks its sha256
against the registry, and keeps the rows of the registered series it fills, exactly as `ingest
file` would store them (same parser, same shapes, same period normalisation). Two files are written:

- data/statistics_extract.csv: one row per value (series, release, period, place, value or
  suppression code), nothing repeated on every row that the second file holds;
- data/statistics_extract_releases.csv: one row per file and series it fills, with the provenance:
  publisher, publication, release title, publication date (and why that date), release URL,
  licence, file name and sha256, where it was retrieved from and when; and what was taken: the
  indicator column, the pinned filter labels as the file writes them, the time identifier and the
  number of rows. Place names come from data/geography.csv, as `ingest file` gives them; only a
  place the lookup does not know (a combined council such as "E09000021 / E09000027") carries
  its name in the extract's last column.

`python -m kinmon extract-statistics` regenerates both; a test checks the shipped files are exactly
what the real files give. The snapshot loads them (kinmon.snapshot) as the DfE statistics.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
from datetime import datetime
from pathlib import Path

from kinmon.config import DATA_DIR, PROJECT_ROOT
from kinmon.errors import BadInput
from kinmon.ingest.geography import read_geography
from kinmon.ingest.observations import observations
from kinmon.ingest.registry import ReleaseSpec, load_registry, load_releases, series_rows
from kinmon.tidy import GeographyResolver, parse_csv
from kinmon.util import write_atomically

EXTRACT_PATH = DATA_DIR / "statistics_extract.csv"
EXTRACT_RELEASES_PATH = DATA_DIR / "statistics_extract_releases.csv"
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "reference" / "ees" / "real"
EXTRACT_COLUMNS = ["series_id", "release_id", "time_period", "geographic_level", "geography_code", "value",
                   "suppression", "geography_name"]
RELEASE_COLUMNS = ["release_id", "series_id", "publisher", "publication", "release_title", "published_on",
                   "published_note", "release_url", "licence", "file_name", "file_sha256", "retrieved_from",
                   "retrieved_on", "indicator", "filters", "time_identifier", "rows"]


class ExtractError(BadInput):
    """A registered file is missing, changed, or gives rows the extract cannot hold."""


def build_extract(folder: str | Path | None = None, registry_path: str | Path | None = None
                  ) -> tuple[list[dict], list[dict]]:
    """(value rows, file provenance rows) from the registered files in `folder`."""
    folder = Path(folder) if folder else DEFAULT_SOURCE
    specs = load_registry(registry_path)
    resolver = GeographyResolver(read_geography())
    values, files = [], []
    for release in load_releases(registry_path, specs):
        for f in release.files:
            path = folder / f.name
            if not path.is_file():
                raise ExtractError(f"{f.name} (release {release.release_id}) is not in {folder}")
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != f.sha256:
                raise ExtractError(f"{f.name}: its sha256 is not the registered {f.sha256[:12]}...: the file changed")
            for spec_id, taken, rows in _file_rows(release, f.name, data, specs, resolver):
                values.extend(rows)
                files.append({"release_id": release.release_id, "series_id": spec_id, "publisher": release.publisher,
                              "publication": release.publication_title, "release_title": release.title,
                              "published_on": release.published_on.isoformat() if release.published_on else "",
                              "published_note": release.published_note or "", "release_url": release.url,
                              "licence": release.licence, "file_name": f.name, "file_sha256": f.sha256,
                              "retrieved_from": f.retrieved_from, "retrieved_on": f.retrieved_on.isoformat(),
                              **taken, "rows": str(len(rows))})
    return values, files


def _file_rows(release: ReleaseSpec, name: str, data: bytes, specs: list, resolver: GeographyResolver
               ) -> list[tuple[str, dict, list[dict]]]:
    """(series id, what was taken, value rows) for each registered series the file fills."""
    table = parse_csv(data, name, geography=resolver)
    out = []
    for spec in specs:
        if not any(fnmatch.fnmatch(name.casefold(), p.casefold()) for p in spec.file_names):
            continue
        rows, free, column, note = series_rows(spec, table)
        if not rows:
            continue
        records = observations(spec.series_id, rows, column, free_filters=free, unit=spec.unit,
                               release_id=release.release_id, source_id="", source_url=None,
                               retrieved_at=datetime(2000, 1, 1), year_end=spec.reporting_year_end,
                               origin=name, period_type=spec.period_type)
        kinds = {(r["filters"], r["time_identifier"], r["indicator"]) for r in records}
        if len(kinds) != 1 or any(r["filter_key"] or r["value_text"] is not None for r in records):
            raise ExtractError(f"{name}: {spec.series_id} has breakdowns or worded values the extract cannot hold")
        filters, ident, indicator = kinds.pop()
        taken = {"indicator": indicator, "filters": filters or "", "time_identifier": ident}
        out.append((spec.series_id, taken, [
            {"series_id": r["series_id"], "release_id": r["release_id"], "time_period": r["time_period"],
             "geographic_level": r["geographic_level"], "geography_code": r["geography_code"],
             "value": _number(r["value"]), "suppression": r["suppression"] or "",
             "geography_name": "" if r["geography_code"] in resolver.by_code else (r["geography_name"] or "")}
            for r in records]))
    return out


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_extract(folder: str | Path | None = None, output_dir: str | Path | None = None) -> tuple[Path, Path, int]:
    """Regenerate the two extract files; returns their paths and the number of value rows."""
    values, files = build_extract(folder)
    out = Path(output_dir) if output_dir else DATA_DIR
    paths = out / EXTRACT_PATH.name, out / EXTRACT_RELEASES_PATH.name
    for path, text in zip(paths, (to_csv(values, EXTRACT_COLUMNS), to_csv(files, RELEASE_COLUMNS))):
        write_atomically(path, text)
    return paths[0], paths[1], len(values)
