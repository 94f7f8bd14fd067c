"""Client for the DfE Explore Education Statistics public API (v1): plain records, no storage.

Publications, their data sets, data set versions, metadata, paged queries and the gzipped CSV of a
data set version. The base URL comes only from config (KINMON_EES_API); paths carry the API
version (/v1/...). Every response is checked against the OpenAPI shapes: a missing field raises
UpstreamError naming the URL and the field, and EES problem bodies (400 validation errors, 500s)
become errors that say what EES said.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

import requests

from kinmon import config
from kinmon.http import Client, UpstreamError, require_in
from kinmon.sources import paging
from kinmon.tidy import GEOGRAPHIC_LEVELS, GZIP_MAGIC, TIME_IDENTIFIERS, plain_text
from kinmon.util import shown_url

SERVICE = "KINMON_EES_API"
PUBLICATIONS_PAGE_SIZE = 40  # the API's maximum
DATA_SETS_PAGE_SIZE = 20  # maximum
VERSIONS_PAGE_SIZE = 20  # maximum
QUERY_PAGE_SIZE = 10000  # maximum
RELEASE_PAGE = "https://explore-education-statistics.service.gov.uk/find-statistics/{publication}/{release}"
_VERSION = re.compile(r"^\d+(\.\d+){1,2}$")


@dataclass(frozen=True)
class Publication:
    id: str
    title: str
    slug: str
    summary: str
    last_published: datetime


@dataclass(frozen=True)
class DataSet:
    id: str
    title: str
    summary: str
    status: str  # Published | Deprecated | Withdrawn
    superseding_id: str | None
    latest_version: str | None
    latest_published: datetime | None


@dataclass(frozen=True)
class DataSetVersion:
    version: str
    type: str  # Major | Minor | Patch
    status: str
    published: datetime | None
    release_title: str
    release_slug: str
    total_results: int
    notes: str
    file_id: str


@dataclass(frozen=True)
class Indicator:
    id: str
    column: str
    label: str
    unit: str
    decimal_places: int | None


@dataclass(frozen=True)
class Filter:
    id: str
    column: str
    label: str
    options: dict[str, str]  # option id -> label


@dataclass(frozen=True)
class Location:
    id: str
    level: str  # API code, e.g. LA
    label: str
    code: str | None
    old_code: str | None


@dataclass(frozen=True)
class Meta:
    filters: list[Filter]
    indicators: list[Indicator]
    geographic_levels: dict[str, str]  # code -> label
    locations: dict[tuple[str, str], Location]  # (level code, location id) -> location
    time_periods: list[tuple[str, str]]  # (code, period)


@dataclass(frozen=True)
class QueryRow:
    period: str  # as the API writes it: "2024" or "2020/2021"
    period_code: str  # RY, AY, FY...
    level: str  # geographic level code
    locations: dict[str, str]  # level code -> location id
    filters: dict[str, str]  # filter id -> option id
    values: dict[str, str]  # indicator id -> value, always a string (maybe a symbol)


@dataclass
class QueryResult:
    rows: list[QueryRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


def version_key(version: str) -> tuple[int, int, int]:
    """Semantic version order: 1.10 comes after 1.9, 2.1.1 after 2.1."""
    if not _VERSION.match(version or ""):
        raise ValueError(f"{version!r} is not a data set version like 1.0 or 2.1.1")
    parts = [int(p) for p in version.split(".")] + [0]
    return parts[0], parts[1], parts[2]


def matches_pin(version: str, pin: str) -> bool:
    """'*' matches any version, '2.*' any 2.x, '2.1.*' any 2.1.x, '2.1' exactly 2.1 (and 2.1.0)."""
    if pin == "*":
        return True
    if pin.endswith(".*"):
        return version == pin[:-2] or version.startswith(pin[:-1])
    return version_key(version) == version_key(pin)


def period_to_tidy(period: str, code: str) -> tuple[str, str]:
    """An API time period as the CSVs write it: ('2020/2021', 'AY') -> ('202021', 'Academic year')."""
    if "/" in period:
        first, second = period.split("/", 1)
        period = first + second[-2:]
    return period, TIME_IDENTIFIERS.get(code, code)


def release_url(publication_slug: str, release_slug: str) -> str:
    return RELEASE_PAGE.format(publication=publication_slug, release=release_slug)


class EesClient:
    """The EES API at config.base_url('KINMON_EES_API'), through the shared polite HTTP client."""

    def __init__(self, http: Client | None = None, base: str | None = None):
        self.http = http or Client()
        self.base = (base or config.base_url(SERVICE)).rstrip("/")

    # ------------------------------------------------------------------ endpoints

    def publications(self, search: str | None = None) -> list[Publication]:
        params = {"search": search} if search else {}
        url = self._url("/v1/publications")
        return [_publication(r, shown) for r, shown in self._paged(url, params, PUBLICATIONS_PAGE_SIZE)]

    def publication(self, publication_id: str) -> Publication:
        url = self._url(f"/v1/publications/{publication_id}")
        return _publication(self._get(url), url)

    def data_sets(self, publication_id: str) -> list[DataSet]:
        url = self._url(f"/v1/publications/{publication_id}/data-sets")
        return [_data_set(r, shown) for r, shown in self._paged(url, {}, DATA_SETS_PAGE_SIZE)]

    def data_sets_by_slug(self, publication_slug: str) -> tuple[Publication, list[DataSet]]:
        """A publication found by its slug, and its API data sets: how to fill in series.json's ids."""
        for pub in self.publications():
            if pub.slug == publication_slug:
                return pub, self.data_sets(pub.id)
        raise UpstreamError(self._url("/v1/publications"), f"no publication with slug {publication_slug!r} has API data sets")

    def data_set(self, data_set_id: str) -> DataSet:
        url = self._url(f"/v1/data-sets/{data_set_id}")
        return _data_set(self._get(url), url)

    def versions(self, data_set_id: str) -> list[DataSetVersion]:
        url = self._url(f"/v1/data-sets/{data_set_id}/versions")
        return [_version(r, shown) for r, shown in self._paged(url, {}, VERSIONS_PAGE_SIZE)]

    def meta(self, data_set_id: str, version: str) -> Meta:
        url = self._url(f"/v1/data-sets/{data_set_id}/meta")
        params = {"dataSetVersion": version}
        return _meta(self._get(url, params), shown_url(url, params))

    def query(self, data_set_id: str, version: str, body: dict[str, Any],
              page_size: int = QUERY_PAGE_SIZE) -> QueryResult:
        """POST a DataSetQueryRequest and follow its pages until totalPages."""
        url = self._url(f"/v1/data-sets/{data_set_id}/query")
        out = QueryResult()
        page, total = 1, 1
        while page <= total:
            payload = self._send("POST", url, params={"dataSetVersion": version},
                                 json={**body, "page": page, "pageSize": page_size})
            shown = shown_url(url, {"dataSetVersion": version, "page": page})
            total = _paging(payload, shown, page)
            out.rows.extend(_query_row(r, shown, i) for i, r in enumerate(_field(payload, "results", shown, list)))
            for w in _field(payload, "warnings", shown, list):
                out.warnings.append(f"{_field(w, 'code', shown, str)}: {plain_text(_field(w, 'message', shown, str))}")
            out.pages = page
            page += 1
        paging.check_total(len(out.rows), _reported_total(payload), shown)
        return out

    def csv(self, data_set_id: str, version: str) -> bytes:
        """The data set version's whole CSV (labels, not ids), unzipped."""
        url = self._url(f"/v1/data-sets/{data_set_id}/csv")
        resp = self._call("GET", url, params={"dataSetVersion": version}, headers={"Accept": "text/csv"})
        body = resp.content
        # requests undoes Content-Encoding: gzip itself; a gzipped body without that header is unpacked here.
        if body[:2] == GZIP_MAGIC:
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:
                raise UpstreamError(url, f"the CSV is gzipped but cannot be unpacked ({exc})") from None
        return body

    # ------------------------------------------------------------------ plumbing

    def _url(self, path: str) -> str:
        return self.base + path

    def _paged(self, url: str, params: dict, page_size: int) -> Iterator[tuple[dict, str]]:
        """Each result of every page, with the page's address for error messages."""
        page, total, received = 1, 1, 0
        while page <= total:
            page_params = {**params, "page": page, "pageSize": page_size}
            payload = self._get(url, page_params)
            shown = shown_url(url, page_params)
            total = _paging(payload, shown, page)
            for item in _field(payload, "results", shown, list):
                received += 1
                yield item, shown
            page += 1
        paging.check_total(received, _reported_total(payload), shown)

    def _get(self, url: str, params: dict | None = None) -> Any:
        return self._send("GET", url, params=params)

    def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        resp = self._call(method, url, **kwargs)
        try:
            return json.loads(resp.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UpstreamError(url, f"invalid JSON ({type(exc).__name__}: {exc})") from None

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        # A response hook keeps the last answer so an EES problem body can be read in full: the
        # shared client's own error message holds only the first 200 characters.
        last: list[requests.Response] = []
        try:
            return self.http.request(method, url, hooks={"response": lambda r, *a, **k: last.append(r)}, **kwargs)
        except UpstreamError as exc:
            if last and last[-1].status_code >= 400:
                raise UpstreamError(exc.url, problem_message(last[-1]), exc.status) from exc
            raise


def problem_message(resp: requests.Response) -> str:
    """What an EES error response says: its title, and each validation error's path and message."""
    status = resp.status_code
    try:
        body = json.loads(resp.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        text = plain_text(resp.text)[:200] if resp.text else resp.reason
        return f"HTTP {status}: {text or 'no body'}"
    parts = [plain_text(str(body.get("title") or resp.reason or "error"))]
    if body.get("detail"):
        parts.append(plain_text(str(body["detail"])))
    for err in body.get("errors") or []:
        if isinstance(err, dict):
            where = f"{err['path']}: " if err.get("path") else ""
            code = f" ({err['code']})" if err.get("code") else ""
            parts.append(f"{where}{plain_text(str(err.get('message', '')))}{code}")
    kind = "validation error" if status == 400 else "error"
    return f"HTTP {status} {kind}: " + "; ".join(p for p in parts if p)


# ---------------------------------------------------------------------- shape checks


_field = require_in  # a required field; errors name it by its full path ('results[0].timePeriod.period')


def _reported_total(payload: dict) -> int | None:
    total = payload["paging"].get("totalResults")
    return total if isinstance(total, int) else None


def _paging(payload: Any, url: str, page: int) -> int:
    paging = _field(payload, "paging", url, dict)
    total = _field(paging, "totalPages", url, int, "paging")
    _field(paging, "page", url, int, "paging")
    if total < 0:
        raise UpstreamError(url, f"unexpected response: paging.totalPages is {total}")
    return total


def _timestamp(value: str | None, url: str, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise UpstreamError(url, f"unexpected response: {name} {value!r} is not a date-time") from None


def _publication(r: Any, url: str) -> Publication:
    return Publication(
        id=_field(r, "id", url, str), title=plain_text(_field(r, "title", url, str)),
        slug=_field(r, "slug", url, str), summary=plain_text(_field(r, "summary", url, str)),
        last_published=_timestamp(_field(r, "lastPublished", url, str), url, "lastPublished"),
    )


def _data_set(r: Any, url: str) -> DataSet:
    latest = r.get("latestVersion") if isinstance(r, dict) else None
    version = published = None
    if latest is not None:
        version = _field(latest, "version", url, str, "latestVersion")
        published = _timestamp(_field(latest, "published", url, str, "latestVersion"), url, "latestVersion.published")
    return DataSet(
        id=_field(r, "id", url, str), title=plain_text(_field(r, "title", url, str)),
        summary=plain_text(_field(r, "summary", url, str)), status=_field(r, "status", url, str),
        superseding_id=r.get("supersedingDataSetId"), latest_version=version, latest_published=published,
    )


def _version(r: Any, url: str) -> DataSetVersion:
    release = _field(r, "release", url, dict)
    version = _field(r, "version", url, str)
    try:
        version_key(version)
    except ValueError as exc:
        raise UpstreamError(url, f"unexpected response: {exc}") from None
    return DataSetVersion(
        version=version, type=_field(r, "type", url, str), status=_field(r, "status", url, str),
        published=_timestamp(r.get("published"), url, "published"),
        release_title=plain_text(_field(release, "title", url, str, "release")),
        release_slug=_field(release, "slug", url, str, "release"),
        total_results=_field(r, "totalResults", url, int), notes=plain_text(_field(r, "notes", url, str)),
        file_id=_field(_field(r, "file", url, dict), "id", url, str, "file"),
    )


def _meta(r: Any, url: str) -> Meta:
    filters = [
        Filter(id=_field(f, "id", url, str, "filters[]"), column=_field(f, "column", url, str, "filters[]"),
               label=plain_text(_field(f, "label", url, str, "filters[]")),
               options={_field(o, "id", url, str, "filters[].options[]"):
                        plain_text(_field(o, "label", url, str, "filters[].options[]"))
                        for o in _field(f, "options", url, list, "filters[]")})
        for f in _field(r, "filters", url, list)
    ]
    indicators = [
        Indicator(id=_field(i, "id", url, str, "indicators[]"), column=_field(i, "column", url, str, "indicators[]"),
                  label=plain_text(_field(i, "label", url, str, "indicators[]")),
                  unit=_field(i, "unit", url, (str, type(None)), "indicators[]") or "",
                  decimal_places=i.get("decimalPlaces"))
        for i in _field(r, "indicators", url, list)
    ]
    levels = {}
    for g in _field(r, "geographicLevels", url, list):
        code = _field(g, "code", url, str, "geographicLevels[]")
        levels[code] = g.get("label") or GEOGRAPHIC_LEVELS.get(code, code)
    locations = {}
    for group in _field(r, "locations", url, list):
        level = _field(_field(group, "level", url, dict, "locations[]"), "code", url, str, "locations[].level")
        for o in _field(group, "options", url, list, "locations[]"):
            # The OpenAPI says `label`; the quick-start example says `name` (stale). Accept either.
            label = o.get("label", o.get("name")) if isinstance(o, dict) else None
            if not isinstance(label, str):
                raise UpstreamError(url, "unexpected response: field 'locations[].options[].label' is missing")
            loc = Location(id=_field(o, "id", url, str, "locations[].options[]"), level=level,
                           label=plain_text(label), code=o.get("code"), old_code=o.get("oldCode"))
            locations[(level, loc.id)] = loc
    periods = [(_field(t, "code", url, str, "timePeriods[]"), _field(t, "period", url, str, "timePeriods[]"))
               for t in _field(r, "timePeriods", url, list)]
    return Meta(filters=filters, indicators=indicators, geographic_levels=levels, locations=locations,
                time_periods=periods)


def _query_row(r: Any, url: str, i: int) -> QueryRow:
    where = f"results[{i}]"
    tp = _field(r, "timePeriod", url, dict, where)
    values = _field(r, "values", url, dict, where)
    return QueryRow(
        period=str(_field(tp, "period", url, str, f"{where}.timePeriod")),
        period_code=_field(tp, "code", url, str, f"{where}.timePeriod"),
        level=_field(r, "geographicLevel", url, str, where),
        locations=_field(r, "locations", url, dict, where),
        filters=_field(r, "filters", url, dict, where),
        values={k: "" if v is None else str(v) for k, v in values.items()},
    )


def published_date(version: DataSetVersion) -> date | None:
    return version.published.date() if version.published else None
