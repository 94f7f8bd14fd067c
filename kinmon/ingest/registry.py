"""The statistics registry (data/series.json): which series kinmon follows, which releases it knows, validated on load.

A series says where its values come from: an EES API data set (pinned by id, or found by title at
run time: `dataset_match`) and/or DfE files (`file_names`). Releases rename columns and labels (the
2025 looked-after files call `cla_group` `characteristic`, `characteristic` `breakdown` and `number`
`children_count`), so a series lists every accepted shape as `variants` of its indicator and pinned
filters; the first variant a file or a data set's metadata has is used, and when none fits the note
says what was looked for and what was found. `period_type` ("flow": a year to a date; "stock": a
count on a day) gives the one shape every period of the series is stored in.

`releases` are the DfE releases kinmon holds files from: publication, release title, publication
date, page URL, licence, and each file's name and sha256. A file loaded with `ingest file` whose
bytes match a registered file takes its release from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from kinmon import licences
from kinmon.config import DATA_DIR
from kinmon.errors import BadInput
from kinmon.tidy import GEOGRAPHIC_LEVELS, TidyRow, TidyTable, normalise_label

REGISTRY_PATH = DATA_DIR / "series.json"
DFE = "Department for Education"
OGL = licences.OGL
LICENCES = {OGL[0]: OGL[1]}
FETCH_METHODS = ("query", "csv")
PERIOD_TYPES = ("flow", "stock")


class RegistryError(BadInput):
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
class Variant:
    """One shape of a series in a release: its indicator column and the labels of its pinned filter columns."""

    indicator: str
    filters: dict[str, tuple[str, ...]]

    def describe(self) -> str:
        pinned = "; ".join(f"{c} in {list(v)}" for c, v in self.filters.items())
        return f"indicator {self.indicator!r}" + (f" with {pinned}" if pinned else "")


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
    variants: tuple[Variant, ...] = ()  # other shapes than (indicator, filters), in order of preference
    period_type: str | None = None

    def shapes(self) -> list[Variant]:
        """Every accepted shape, the registry's main one first."""
        return [Variant(self.indicator, self.filters), *self.variants]

    def wants(self, row: TidyRow, option_labels: dict[str, str] | None = None,
              variant: Variant | None = None) -> bool:
        """Whether a row belongs to this series: one of its levels, and every pinned filter of `variant`
        (default the main shape) matching by label; `option_labels` maps API option ids to labels."""
        if row.geographic_level not in self.geographic_levels:
            return False
        for column, labels in (variant or self.shapes()[0]).filters.items():
            accepted = {normalise_label((option_labels or {}).get(x, x)) for x in labels}
            if normalise_label(row.filters.get(column, "\0")) not in accepted:
                return False
        return True


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    sha256: str
    retrieved_from: str
    retrieved_on: date


@dataclass(frozen=True)
class ReleaseSpec:
    """A DfE release kinmon holds files of: what a journalist cites."""

    release_id: str
    publisher: str
    publication_title: str
    publication_slug: str
    title: str
    published_on: date | None
    published_note: str | None
    url: str
    licence: str
    files: tuple[ReleaseFile, ...] = field(default_factory=tuple)

    @property
    def licence_url(self) -> str | None:
        return LICENCES.get(self.licence)

    def file(self, name: str) -> ReleaseFile | None:
        return next((f for f in self.files if f.name == name), None)


# ---------------------------------------------------------------------- reading and checking

_REQUIRED = {"series_id": str, "title": str, "unit": str, "description": str, "priorities": list,
             "is_context": bool, "publisher": str, "publication": dict, "dataset_id": (str, type(None)),
             "dataset_version": str, "fetch": str, "indicator": str, "filters": dict, "geographic_levels": list}
_OPTIONAL = {"dataset_id_note": str, "reporting_year_end": str, "file_names": list, "dataset_match": dict,
             "variants": list, "period_type": str}
_MATCH_FIELDS = ("publication_id", "title", "title_contains")
_RELEASE_FIELDS = {"release_id": str, "publication_slug": str, "title": str, "published_on": (str, type(None)),
                   "published_note": (str, type(None)), "url": str, "licence": str, "files": list}
_FILE_FIELDS = ("name", "sha256", "retrieved_from", "retrieved_on")
_SERIES_ID = re.compile(r"^[a-z0-9_]+$")
_EES_ID = re.compile(r"[0-9a-fA-F-]{32,36}")
_PIN = re.compile(r"^(\*|\d+\.\*|\d+\.\d+\.\*|\d+\.\d+(\.\d+)?)$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _read(path: str | Path | None) -> tuple[Path, dict]:
    path = Path(path) if path else REGISTRY_PATH
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"{path.name}: file is missing ({path})") from None
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{path.name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("series"), list):
        raise RegistryError(f"{path.name}: expected an object with a 'series' list")
    return path, doc


def load_registry(path: str | Path | None = None) -> list[SeriesSpec]:
    """Read and check the series registry; raises RegistryError naming the series and the field."""
    path, doc = _read(path)
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
    load_releases(path, specs)  # a registry with bad releases is refused as a whole
    return specs


def load_releases(path: str | Path | None = None, specs: list[SeriesSpec] | None = None) -> list[ReleaseSpec]:
    """The registered releases; each names a publication some series belongs to."""
    path, doc = _read(path)
    specs = specs if specs is not None else load_registry(path)
    publications = {s.publication_slug: s for s in specs}
    out, seen, files = [], set(), set()
    for i, entry in enumerate(doc.get("releases", [])):
        label = f"{path.name}: release {i + 1}" + (f" ({entry.get('release_id')})" if isinstance(entry, dict) else "")
        try:
            release = _release(entry, publications)
        except (ValueError, TypeError) as exc:
            raise RegistryError(f"{label}: {exc}") from None
        if release.release_id in seen:
            raise RegistryError(f"{label}: duplicate release_id {release.release_id!r}")
        for f in release.files:
            if f.sha256 in files:
                raise RegistryError(f"{label}: file {f.name} (sha256 {f.sha256[:12]}...) is registered twice")
            files.add(f.sha256)
        seen.add(release.release_id)
        out.append(release)
    return out


def _check_fields(e: Any, what: str, fields: dict[str, Any], allowed: set[str], *,
                  blank_text: Callable[[Any, Any], bool]) -> None:
    """An entry is an object with only `allowed` fields, each of `fields` present, of its kind and, if text,
    not blank (`blank_text(kind, value)` says what counts as blank text)."""
    if not isinstance(e, dict):
        raise ValueError(f"each {what} must be an object")
    unknown = sorted(set(e) - allowed)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for key, kind in fields.items():
        if key not in e:
            raise ValueError(f"{key} is missing")
        if not isinstance(e[key], kind) or blank_text(kind, e[key]):
            raise ValueError(f"{key} must be a non-empty {getattr(kind, '__name__', 'value')}")


def _blank_str(kind: Any, value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _blank_str_field(kind: Any, value: Any) -> bool:
    return kind is str and not value.strip()


def _release_file(f: Any) -> ReleaseFile:
    if not isinstance(f, dict) or sorted(f) != sorted(_FILE_FIELDS):
        raise ValueError(f"each file needs exactly {list(_FILE_FIELDS)}")
    if not _SHA256.match(f["sha256"]):
        raise ValueError(f"file {f.get('name')}: sha256 must be 64 lower-case hex digits")
    return ReleaseFile(f["name"], f["sha256"], f["retrieved_from"], date.fromisoformat(f["retrieved_on"]))


def _release(e: Any, publications: dict[str, SeriesSpec]) -> ReleaseSpec:
    _check_fields(e, "release", _RELEASE_FIELDS, set(_RELEASE_FIELDS), blank_text=_blank_str)
    series = publications.get(e["publication_slug"])
    if series is None:
        raise ValueError(f"publication_slug {e['publication_slug']!r} is not the publication of any series")
    if not e["url"].startswith("https://"):
        raise ValueError("url must be an https URL")
    if e["licence"] not in LICENCES:
        raise ValueError(f"licence must be one of {sorted(LICENCES)}")
    published = date.fromisoformat(e["published_on"]) if e["published_on"] else None
    if published is None and not e["published_note"]:
        raise ValueError("a release without published_on needs a published_note saying why")
    files = [_release_file(f) for f in e["files"]]
    return ReleaseSpec(release_id=e["release_id"], publisher=series.publisher,
                       publication_title=series.publication_title, publication_slug=e["publication_slug"],
                       title=e["title"].strip(), published_on=published, published_note=e["published_note"],
                       url=e["url"], licence=e["licence"], files=tuple(files))


def release_for_file(name: str, sha256: str, path: str | Path | None = None) -> ReleaseSpec | None:
    """The registered release a file's bytes belong to (by sha256), or None."""
    return next((r for r in load_releases(path) if any(f.sha256 == sha256 for f in r.files)), None)


def _filters(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object of column -> labels")
    out = {}
    for column, labels in raw.items():
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x.strip() for x in labels):
            raise ValueError(f"{where}.{column} must be a label or a non-empty list of labels")
        out[column] = tuple(labels)
    return out


def _variants(raw: list) -> tuple[Variant, ...]:
    out = []
    for i, v in enumerate(raw, start=1):
        if not isinstance(v, dict) or set(v) - {"indicator", "filters"} or not isinstance(v.get("indicator"), str) \
                or not v["indicator"].strip():
            raise ValueError(f"variants[{i}] must be an object with an indicator (and filters)")
        out.append(Variant(v["indicator"].strip(), _filters(v.get("filters", {}), f"variants[{i}].filters")))
    return tuple(out)


def _check_priorities(prios: list) -> None:
    if not prios or any(not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 7 for p in prios):
        raise ValueError(f"priorities must be a non-empty list of numbers from 1 to 7, got {prios}")


def _check_publication(pub: dict) -> None:
    for key in ("title", "slug", "url"):
        if not isinstance(pub.get(key), str) or not pub[key].strip():
            raise ValueError(f"publication.{key} is missing")
    if not pub["url"].startswith("https://"):
        raise ValueError("publication.url must be an https URL")


def _check_dataset(e: dict) -> None:
    if e["dataset_id"] is None and not e.get("dataset_id_note"):
        raise ValueError("a placeholder dataset_id (null) needs a dataset_id_note saying how to fill it in")
    if e["dataset_id"] is not None and not _EES_ID.fullmatch(e["dataset_id"]):
        raise ValueError(f"dataset_id {e['dataset_id']!r} is not an EES data set id (a UUID)")


def _check_choices(e: dict) -> None:
    """dataset_version and fetch are each one of their allowed values."""
    if not _PIN.match(e["dataset_version"]):
        raise ValueError(f"dataset_version {e['dataset_version']!r} must be '*', 'N.*', 'N.N.*' or an exact version")
    if e["fetch"] not in FETCH_METHODS:
        raise ValueError(f"fetch must be one of {list(FETCH_METHODS)}")


def _check_levels(levels: list) -> None:
    known = set(GEOGRAPHIC_LEVELS.values())
    if not levels or any(lv not in known for lv in levels):
        raise ValueError(f"geographic_levels must be EES level labels such as 'National', got {levels}")


def _reporting_year_end(e: dict) -> tuple[int, int] | None:
    if "reporting_year_end" not in e:
        return None
    m = _MONTH_DAY.match(e["reporting_year_end"])
    if not m:
        raise ValueError("reporting_year_end must be MM-DD")
    year_end = (int(m.group(1)), int(m.group(2)))
    date(2001, *year_end)  # a real day of the year, or ValueError
    return year_end


def _file_names(e: dict) -> list[str]:
    names = e.get("file_names", [])
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError("file_names must be a list of file name patterns")
    return names


def _spec(e: Any) -> SeriesSpec:
    """One series entry of series.json, checked field by field in the order the errors are reported."""
    fields = {**_REQUIRED, **{k: v for k, v in _OPTIONAL.items() if isinstance(e, dict) and k in e}}
    _check_fields(e, "series", fields, set(_REQUIRED) | set(_OPTIONAL), blank_text=_blank_str_field)
    if not _SERIES_ID.match(e["series_id"]):
        raise ValueError("series_id must be lower_snake_case")
    prios = e["priorities"]
    _check_priorities(prios)
    pub = e["publication"]
    _check_publication(pub)
    _check_dataset(e)
    match = _dataset_match(e["dataset_match"], e["dataset_id"]) if "dataset_match" in e else None
    _check_choices(e)
    filters = _filters(e["filters"], "filters")
    variants = _variants(e.get("variants", []))
    if e.get("period_type", "flow") not in PERIOD_TYPES:
        raise ValueError(f"period_type must be one of {list(PERIOD_TYPES)}")
    levels = e["geographic_levels"]
    _check_levels(levels)
    year_end = _reporting_year_end(e)
    names = _file_names(e)
    return SeriesSpec(
        series_id=e["series_id"], title=e["title"].strip(), unit=e["unit"].strip(), description=e["description"].strip(),
        priorities=tuple(prios), is_context=e["is_context"], publisher=e["publisher"].strip(),
        publication_title=pub["title"].strip(), publication_slug=pub["slug"].strip(), publication_url=pub["url"].strip(),
        dataset_id=e["dataset_id"], dataset_id_note=e.get("dataset_id_note"), dataset_version=e["dataset_version"],
        fetch=e["fetch"], indicator=e["indicator"].strip(), filters=filters, geographic_levels=tuple(levels),
        reporting_year_end=year_end, file_names=tuple(n.strip() for n in names), dataset_match=match,
        variants=variants, period_type=e.get("period_type"),
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


# ---------------------------------------------------------------------- a series' rows in a tidy table


def series_rows(spec: SeriesSpec, table: TidyTable) -> tuple[list[TidyRow] | None, list[str], str, str | None]:
    """(rows, free filter columns, indicator column, note) of one series in a tidy file, by the first
    shape whose columns the file has. rows is None when no shape fits, [] when no row has the shape's
    labels; the note then says what was looked for and what was found."""
    have = {normalise_label(c): c for c in [*table.filters, *table.indicators]}
    for variant in spec.shapes():
        indicator = have.get(normalise_label(variant.indicator))
        if indicator is None or indicator not in table.indicators or any(
                normalise_label(c) not in have for c in variant.filters):
            continue
        rows = [r for r in with_filter_names(table.rows, variant) if spec.wants(r, variant=variant)]
        pinned = {normalise_label(c) for c in variant.filters}
        free = [f for f in table.filters if normalise_label(f) not in pinned]
        if rows:
            return rows, free, indicator, None
        found = {c: sorted({r.filters.get(c, "") for r in with_filter_names(table.rows, variant)})[:20]
                 for c in variant.filters}
        return [], free, indicator, (f"{spec.series_id}: {table.name} has the columns of {variant.describe()} but no row "
                          f"with those labels at levels {list(spec.geographic_levels)} (labels found: {found})")
    shapes = " or ".join(v.describe() for v in spec.shapes())
    return None, [], spec.indicator, (f"{spec.series_id}: {table.name} matches its file names but not its columns: looked for "
                      f"{shapes}; found indicators {table.indicators} and filters {table.filters}")


def with_filter_names(rows: list[TidyRow], variant: Variant) -> list[TidyRow]:
    """The registry may spell a filter column in another case than the file; match it as the file does."""
    wanted = {normalise_label(c): c for c in variant.filters}
    out = []
    for r in rows:
        renamed = {wanted.get(normalise_label(c), c): v for c, v in r.filters.items()}
        out.append(r if renamed == r.filters else TidyRow(**{**r.__dict__, "filters": renamed}))
    return out

