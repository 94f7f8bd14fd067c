"""A small fake Explore Education Statistics world, written in the API's documented shapes.

Two data sets: children who ceased to be looked after (served through POST /query, evaluated here
against the request's criteria, and paged by the server) and children in need (served as a gzipped
CSV). `serve_table` serves any other data set the same way as the first, from rows and a schema
(its filter and indicator ids), and `serve_data_sets` a publication's paged list of data sets
(GET /v1/publications/{id}/data-sets), for finding data sets by title. Values are illustrative, not
DfE's; titles are the ones the reference notes give where they give one. Builders return plain
dicts and strings so each test can change what it needs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from replay import Reply, Request

PUB_CLA = "3260801d-601a-48c6-93b7-cf51680323d1"
PUB_CIN = "89869bba-0c00-40f7-b7d6-e28cb904ad37"
DS_CEASED = "0191d9a0-5b1e-7c2d-9e3f-a0b1c2d3e4f5"
DS_CIN = "0191d9a0-6c2f-7d3e-8f40-b1c2d3e4f5a6"
DS_CLA_31_MARCH = "0191d9a0-7d30-7e4f-9051-c2d3e4f5a6b7"  # test ids: the real ones were not seen
DS_CIN_B1 = "0191d9a0-8e41-7f50-a162-d3e4f5a6b7c8"
DS_CLA_TIME_SERIES = "019a9c62-aca8-772e-b92b-8678622ec297"  # the real API id (reference notes, section 1.6)
CLA_SLUG = "children-looked-after-in-england-including-adoptions"
CIN_SLUG = "children-in-need"
CEASED_TITLE = "Children looked after who ceased during the year - by local authority"

# (id, label, GSS code, old LA code, region id)
LOCATIONS = {
    "NAT": [("eng01", "England", "E92000001", None, None)],
    "REG": [("ne001", "North East", "E12000001", None, None), ("em001", "East Midlands", "E12000004", None, None),
            ("yh001", "Yorkshire and The Humber", "E12000003", None, None)],
    "LA": [("har01", "Hartlepool", "E06000001", "805", "ne001"),
           ("nhc01", "Northamptonshire", "E10000021", "928", "em001"),
           ("nnc01", "North Northamptonshire", "E06000061", "940", "em001"),
           ("nyc01", "North Yorkshire", "E10000023", "815", "yh001"),
           ("nyu01", "North Yorkshire", "E06000065", "815", "yh001")],
}
LOCATION_BY_ID = {loc[0]: (level, *loc[1:]) for level, locs in LOCATIONS.items() for loc in locs}
LEVEL_LABELS = {"NAT": "National", "REG": "Regional", "LA": "Local authority"}

SGO_2024 = "Special guardianship orders"  # the 2024 release's label
SGO_2025 = "Special guardianship order"  # renamed in the 2025 release
CAO = "Residence order or child arrangement order granted"
REASON = "Reason episode ceased"


def _rows(table: dict[tuple[str, str, str], dict[str, str]]) -> list[dict]:
    """{(location id, cla_group, characteristic): {period: number}} -> query rows."""
    out = []
    for (loc, group, characteristic), values in table.items():
        for period, number in values.items():
            out.append({"period": period, "code": "RY", "level": LOCATION_BY_ID[loc][0], "loc": loc,
                        "filters": {"cla_group": group, "characteristic": characteristic},
                        "values": {"number": number, "percentage": "12"}})
    return out


# A data set's filters (id, column, label) and indicators (id, column, label, unit), as /meta gives them.
CLA_SCHEMA = {
    "filters": [("fGrp1", "cla_group", "CLA group"), ("fChr1", "characteristic", "Characteristic")],
    "indicators": [("iNum1", "number", "Number", ""), ("iPct1", "percentage", "Percentage", "%")],
}
CIN_SCHEMA = {
    "filters": [("fCat1", "category", "Category")],
    "indicators": [("iAt31", "At31_episodes", "Number of children in need at 31 March", ""),
                   ("iAwt1", "awaiting_assessment", "Awaiting assessment", "")],
}


CEASED_ROWS = {
    "1.0": _rows({
        ("eng01", REASON, SGO_2024): {"2021": "3800", "2022": "3870", "2023": "3830", "2024": "3860"},
        ("eng01", REASON, CAO): {"2021": "1060", "2022": "1120", "2023": "1150", "2024": "1160"},
        ("eng01", REASON, "Adopted"): {"2024": "2950"},
        ("eng01", "Total", "Total"): {"2024": "33620"},
        ("ne001", REASON, SGO_2024): {"2024": "510"},
        ("har01", REASON, SGO_2024): {"2023": "c", "2024": "27"},
        ("har01", REASON, CAO): {"2024": "low"},
        ("nhc01", REASON, SGO_2024): {"2021": "64", "2022": "z"},
        ("nnc01", REASON, SGO_2024): {"2021": "z", "2022": "31", "2023": "35", "2024": "40"},
        ("nyc01", REASON, SGO_2024): {"2022": "45"},
        ("nyu01", REASON, SGO_2024): {"2023": "50", "2024": "48"},
    }),
    "1.1": _rows({
        ("eng01", REASON, SGO_2025): {"2021": "3820", "2022": "3910", "2023": "3870", "2024": "3890", "2025": "4110"},
        ("eng01", REASON, CAO): {"2021": "1060", "2022": "1180", "2023": "1120", "2024": "1160", "2025": "1080"},
        ("har01", REASON, SGO_2025): {"2023": "c", "2024": "27", "2025": "30"},
    }),
}

VERSIONS = {
    "1.0": ("Major", "2024-11-14T09:30:00+00:00", "Reporting year 2024", "2024"),
    "1.1": ("Minor", "2025-11-20T09:30:00+00:00", "Reporting year 2025", "2025"),
    "2.0": ("Major", "2026-03-05T09:30:00+00:00", "Reporting year 2025", "2025-revised"),
}


def paging(page: int, page_size: int, total_results: int) -> dict:
    total_pages = max(1, -(-total_results // page_size)) if total_results else 0
    return {"page": page, "pageSize": page_size, "totalResults": total_results, "totalPages": total_pages}


def version_json(version: str) -> dict:
    kind, published, title, slug = VERSIONS[version]
    return {
        "version": version, "type": kind, "status": "Published", "published": published, "notes": "",
        "totalResults": len(CEASED_ROWS.get(version, [])), "file": {"id": f"f{version.replace('.', '')}-file"},
        "release": {"title": title, "slug": slug},
        "timePeriods": {"start": "2021", "end": "2025"}, "geographicLevels": ["National", "Regional", "Local authority"],
        "filters": ["CLA group", "Characteristic"], "indicators": ["Number", "Percentage"],
    }


def data_set_json(data_set_id: str, title: str, latest: str) -> dict:
    v = version_json(latest)
    return {
        "id": data_set_id, "title": title, "summary": f"{title}, by local authority.", "status": "Published",
        "supersedingDataSetId": None,
        "latestVersion": {k: v[k] for k in ("version", "published", "totalResults", "file", "timePeriods",
                                             "geographicLevels", "filters", "indicators")},
    }


def option_id(label: str) -> str:
    return "o" + hashlib.md5(label.encode()).hexdigest()[:5]


def ceased_meta(version: str) -> dict:
    return table_meta(CEASED_ROWS[version])


def table_meta(rows: list[dict], schema: dict = CLA_SCHEMA) -> dict:
    """GET /meta for a data set of these rows: each filter's options are the labels its rows use."""
    periods = sorted({r["period"] for r in rows})
    return {
        "filters": [
            {"id": fid, "column": column, "label": label, "hint": "",
             "options": [{"id": option_id(o), "label": o} for o in sorted({r["filters"][column] for r in rows})]}
            for fid, column, label in schema["filters"]
        ],
        "indicators": [{"id": iid, "column": column, "label": label, "unit": unit, "decimalPlaces": 0}
                       for iid, column, label, unit in schema["indicators"]],
        "geographicLevels": [{"code": c, "label": LEVEL_LABELS[c]} for c in ("NAT", "REG", "LA")],
        "locations": [
            {"level": {"code": level, "label": LEVEL_LABELS[level]},
             "options": [{"id": i, "label": label, "code": code, **({"oldCode": old} if old else {})}
                         for i, label, code, old, _ in locs]}
            for level, locs in LOCATIONS.items()
        ],
        "timePeriods": [{"code": "RY", "period": p, "label": p} for p in periods],
    }


def _matches(row: dict, facet: dict, meta: dict) -> bool:
    option_ids = {option_id(v) for v in row["filters"].values()}
    for name, cond in facet.items():
        if name == "filters":
            if "eq" in cond and cond["eq"] not in option_ids:
                return False
            if "in" in cond and not option_ids & set(cond["in"]):
                return False
        elif name == "geographicLevels":
            if "eq" in cond and row["level"] != cond["eq"]:
                return False
            if "in" in cond and row["level"] not in cond["in"]:
                return False
        else:
            raise AssertionError(f"the fake EES does not evaluate {name}")
    return True


def _criteria_ok(row: dict, criteria: dict | None, meta: dict) -> bool:
    if not criteria:
        return True
    if "and" in criteria:
        return all(_criteria_ok(row, c, meta) for c in criteria["and"])
    return _matches(row, criteria, meta)


def _validation_problem(path: str, message: str) -> Reply:
    return Reply.json({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                       "title": "There are validation errors with the request.", "status": 400,
                       "errors": [{"message": message, "code": "InvalidValue", "path": path}]}, status=400)


def query_handler(rows_by_version: dict[str, list[dict]], server_page_size: int = 4,
                  schema: dict = CLA_SCHEMA) -> Callable[[Request], Reply]:
    """POST /v1/data-sets/{id}/query: filters rows by the criteria, pages them, answers with sqids."""
    def handle(req: Request) -> Reply:
        version = req.param("dataSetVersion")
        if version not in rows_by_version:
            return Reply.json({"type": "Not Found", "title": "Not Found", "status": 404}, status=404)
        body = req.json()
        for facet in (body.get("criteria") or {}).get("and", [body.get("criteria") or {}]):
            if isinstance((facet.get("filters") or {}).get("eq"), list):
                return _validation_problem("criteria.filters.eq", "Must be a single value.")
        meta = table_meta(rows_by_version[version], schema)
        columns = {iid: column for iid, column, _, _ in schema["indicators"]}
        wanted = body.get("indicators") or list(columns)
        rows = [r for r in rows_by_version[version] if _criteria_ok(r, body.get("criteria"), meta)]
        size = min(body.get("pageSize", 1000), server_page_size)
        page = body.get("page", 1)
        chunk = rows[(page - 1) * size: page * size]
        results = [{
            "timePeriod": {"code": r["code"], "period": r["period"]}, "geographicLevel": r["level"],
            "locations": _location_chain(r["loc"]),
            "filters": {fid: option_id(r["filters"][column]) for fid, column, _ in schema["filters"]},
            "values": {i: r["values"][columns[i]] for i in wanted},
        } for r in chunk]
        warnings = [] if rows else [{"code": "QueryNoResults", "message": "The query did not match any results."}]
        return Reply.json({"paging": paging(page, size, len(rows)), "results": results, "warnings": warnings})
    return handle


def _location_chain(loc: str) -> dict:
    level, _, _, _, region = LOCATION_BY_ID[loc]
    chain = {"NAT": "eng01", level: loc}
    if region:
        chain["REG"] = region
    return chain


def paged_list(items: list[dict], server_page_size: int) -> Callable[[Request], Reply]:
    """A GET list endpoint with the EES paging envelope."""
    def handle(req: Request) -> Reply:
        page = int(req.param("page", "1"))
        size = min(int(req.param("pageSize", "10")), server_page_size)
        return Reply.json({"paging": paging(page, size, len(items)), "results": items[(page - 1) * size: page * size]})
    return handle


def serve_ceased(replay: Any, versions: tuple[str, ...] = ("1.0",), server_page_size: int = 4,
                 title: str = CEASED_TITLE) -> None:
    """Routes for the ceased data set: summary, versions, meta and query."""
    serve_table(replay, DS_CEASED, title, CEASED_ROWS, versions=versions, server_page_size=server_page_size)


def serve_table(replay: Any, data_set_id: str, title: str, rows_by_version: dict[str, list[dict]],
                schema: dict = CLA_SCHEMA, versions: tuple[str, ...] = ("1.0",), server_page_size: int = 4,
                version_fields: dict | None = None) -> None:
    """Routes for a data set answered through POST /query: summary, versions, meta and query.
    `version_fields` overrides fields of every version (e.g. its release and publication date)."""
    base = f"/v1/data-sets/{data_set_id}"
    latest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    replay.route("GET", base, Reply.json(data_set_json(data_set_id, title, latest)))
    replay.route("GET", f"{base}/versions",
                 paged_list([{**version_json(v), **(version_fields or {})} for v in reversed(versions)], 20))
    replay.route("GET", f"{base}/meta",
                 lambda req: Reply.json(table_meta(rows_by_version[req.param("dataSetVersion") or latest], schema)))
    replay.route("POST", f"{base}/query", query_handler(rows_by_version, server_page_size, schema))


def listed_data_set(data_set_id: str, title: str, latest: str = "1.0", **fields: Any) -> dict:
    """One item of a publication's data set list (DataSetViewModel); `fields` override, e.g.
    status="Deprecated", supersedingDataSetId=..."""
    return {**data_set_json(data_set_id, title, latest), **fields}


def serve_data_sets(replay: Any, publication_id: str, items: list[dict], server_page_size: int = 20) -> None:
    """GET /v1/publications/{id}/data-sets, paged by the server (the API's maximum page is 20)."""
    replay.route("GET", f"/v1/publications/{publication_id}/data-sets", paged_list(items, server_page_size))


CIN_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
              "old_la_code,new_la_code,la_name,category,At31_episodes,awaiting_assessment")
CIN_ROWS = [
    "2024,Reporting year,National,E92000001,England,,,,,,Children in Need,\"399,460\",15810",
    "2025,Reporting year,National,E92000001,England,,,,,,Children in Need,\"402,400\",16290",
    "2025,Reporting year,Regional,E92000001,England,E12000001,North East,,,,Children in Need,\"27,050\",c",
    "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,"
    "Children in Need,x,12",
    "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940,,North Northamptonshire,"
    "Children in Need,\"1,234\",low",
]


def cin_csv(bom: bool = True) -> str:
    return ("\ufeff" if bom else "") + "\n".join([CIN_HEADER, *CIN_ROWS]) + "\n"


def serve_cin(replay: Any) -> None:
    """Routes for the children in need data set, fetched as its gzipped CSV."""
    base = f"/v1/data-sets/{DS_CIN}"
    version = {**version_json("1.0"), "published": "2025-10-30T09:30:00+00:00",
               "release": {"title": "Reporting year 2025", "slug": "2025"}}
    replay.route("GET", base, Reply.json({**data_set_json(DS_CIN, "Children in need", "1.0"),
                                          "title": "Children in need - time series"}))
    replay.route("GET", f"{base}/versions", Reply.json({"paging": paging(1, 20, 1), "results": [version]}))
    replay.route("GET", f"{base}/csv", Reply.gzip_csv(cin_csv()))


def series_entry(series_id: str, dataset_id: str | None, **overrides: Any) -> dict:
    entry = {
        "series_id": series_id, "title": series_id.replace("_", " ").capitalize(), "unit": "children",
        "description": "A test series.", "priorities": [2, 3], "is_context": False,
        "publisher": "Department for Education",
        "publication": {"title": "Children looked after in England including adoptions", "slug": CLA_SLUG,
                        "url": f"https://explore-education-statistics.service.gov.uk/find-statistics/{CLA_SLUG}"},
        "dataset_id": dataset_id, "dataset_version": "1.*", "fetch": "query", "indicator": "number",
        "filters": {}, "geographic_levels": ["National", "Regional", "Local authority"],
    }
    if dataset_id is None:
        entry["dataset_id_note"] = "placeholder for a test"
    entry.update(overrides)
    return entry


def registry_entries() -> list[dict]:
    return [
        series_entry("cla_ceased_special_guardianship_order", DS_CEASED,
                     filters={"cla_group": [REASON], "characteristic": [SGO_2025, SGO_2024]}),
        series_entry("cla_ceased_residence_or_child_arrangements_order", DS_CEASED,
                     filters={"cla_group": [REASON], "characteristic": CAO}),
        series_entry("children_in_need_at_31_march", DS_CIN, fetch="csv", indicator="At31_episodes",
                     unit="episodes", filters={"category": ["Children in Need"]}, is_context=True,
                     publication={"title": "Children in need", "slug": "children-in-need",
                                  "url": "https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need"},
                     file_names=["b1_children_in_need*.csv"]),
        series_entry("cla_in_kinship_foster_care_31_march", None, geographic_levels=["National"]),
    ]


def write_registry(path: Path, series: list[dict] | None = None) -> Path:
    path.write_text(json.dumps({"series": registry_entries() if series is None else series}, indent=1), encoding="utf-8")
    return path


# ---------------------------------------------------------------------- data sets found by title
# The data sets the shipped data/series.json finds at run time (its dataset_match entries), with
# illustrative values, and the publications' data set lists around them.

CLA_31_MARCH_TITLE = "CLA on 31 March by characteristics"  # the title the reference notes give
CLA_TIME_SERIES_TITLE = "Time series of children looked after data - 1994 to 2025"
CIN_B1_TITLE = "B1 Children in need at 31 March (test fixture)"  # contains the words of b1_children_in_need_*.csv
KINSHIP_FOSTER = "Foster placement with relative or friend"

CLA_31_MARCH_ROWS = {"1.0": _rows({
    ("eng01", "Total", "Total"): {"2023": "83840", "2024": "83630"},
    ("eng01", "Placement", KINSHIP_FOSTER): {"2023": "12950", "2024": "13660"},
    ("eng01", "Placement", "Foster placements"): {"2024": "56880"},
})}


def _cin_rows(table: dict[tuple[str, str], dict[str, str]]) -> list[dict]:
    """{(location id, category): {period: At31_episodes}} -> query rows."""
    return [{"period": period, "code": "RY", "level": LOCATION_BY_ID[loc][0], "loc": loc,
             "filters": {"category": category}, "values": {"At31_episodes": value, "awaiting_assessment": "10"}}
            for (loc, category), values in table.items() for period, value in values.items()]


CIN_B1_ROWS = {"1.0": _cin_rows({
    ("eng01", "Children in Need"): {"2024": "399460", "2025": "402400"},
    ("ne001", "Children in Need"): {"2025": "27050"},
    ("har01", "Children in Need"): {"2025": "x"},
    ("nnc01", "Children in Need"): {"2025": "1234"},
    ("eng01", "Referrals"): {"2025": "621000"},
})}
CIN_RELEASE = {"published": "2025-10-30T09:30:00+00:00", "release": {"title": "Reporting year 2025", "slug": "2025"}}
DS_CEASED_OLD = "0191d9a0-4a0d-7b1c-8d2e-9f0a1b2c3d4e"  # an earlier data set that DS_CEASED supersedes


def cla_listing(ceased_title: str = CEASED_TITLE) -> list[dict]:
    """The CLA publication's data sets: the ones the registry wants, an older one superseded by the
    ceased data set, and others it must not pick."""
    return [
        listed_data_set(DS_CLA_TIME_SERIES, CLA_TIME_SERIES_TITLE),
        listed_data_set(DS_CEASED_OLD, ceased_title, status="Deprecated", supersedingDataSetId=DS_CEASED),
        listed_data_set("0191d9a0-9f52-7061-b273-e4f5a6b7c8d9", "CLA - placement stability - by local authority"),
        listed_data_set(DS_CLA_31_MARCH, CLA_31_MARCH_TITLE),
        listed_data_set(DS_CEASED, ceased_title),
    ]


def cin_listing() -> list[dict]:
    return [listed_data_set("0191d9a0-a063-7172-8384-f5a6b7c8d9e0",
                            "B2 Children in need at 31 March by recorded disability and local authority"),
            listed_data_set(DS_CIN_B1, CIN_B1_TITLE)]


def serve_discoverable_world(replay: Any, ceased_title: str = "CLA who ceased during the year - by local authority",
                             list_page_size: int = 2) -> None:
    """Both publications' data set lists (paged two to a page) and every data set the shipped
    registry's dataset_match entries find in them, answered through POST /query."""
    serve_data_sets(replay, PUB_CLA, cla_listing(ceased_title), list_page_size)
    serve_data_sets(replay, PUB_CIN, cin_listing(), list_page_size)
    serve_ceased(replay, versions=("1.0",), title=ceased_title)
    serve_table(replay, DS_CLA_31_MARCH, CLA_31_MARCH_TITLE, CLA_31_MARCH_ROWS)
    serve_table(replay, DS_CIN_B1, CIN_B1_TITLE, CIN_B1_ROWS, schema=CIN_SCHEMA, version_fields=CIN_RELEASE)


# The real API data set for the looked-after national counts, as ../shared/reference/ees/real/README.md
# describes it: national only, filter population_type (labels as the API gives them), indicator
# children_count (label "Number"). Values are DfE's own, from the 2025-release file
# cla_number_and_rate_per_10k_children_2025_release.csv (national rows).
TS_TITLE = "Time series of children looked after data - 1994 to 2025"
TS_LOOKED_AFTER = "Children looked after on 31 March"
TS_CEASING = "Children ceasing to be looked after during the year"
TS_SCHEMA = {"filters": [("fPopT", "population_type", "Population type")],
             "indicators": [("iCntT", "children_count", "Number", "")]}
TS_VALUES = {TS_LOOKED_AFTER: {"2021": "80780", "2022": "82090", "2023": "83750", "2024": "83530", "2025": "81770"},
             TS_CEASING: {"2021": "28120", "2022": "30230", "2023": "31850", "2024": "33780", "2025": "34450"}}
TS_ROWS = {"1.0": [{"period": p, "code": "RY", "level": "NAT", "loc": "eng01", "filters": {"population_type": label},
                    "values": {"children_count": v}} for label, by_year in TS_VALUES.items() for p, v in by_year.items()]}


def serve_time_series(replay: Any) -> None:
    """Routes for data set 019a9c62-... (summary, versions, national-only meta, query), in the API's shapes."""
    fields = {"published": "2025-11-26T08:32:42+00:00", "release": {"title": "Reporting year 2025", "slug": "2025"},
              "geographicLevels": ["National"], "filters": ["Population type"], "indicators": ["Number"],
              "timePeriods": {"start": "1994", "end": "2025"}}
    serve_table(replay, DS_CLA_TIME_SERIES, TS_TITLE, TS_ROWS, schema=TS_SCHEMA, version_fields=fields)
    meta = table_meta(TS_ROWS["1.0"], TS_SCHEMA)
    meta["geographicLevels"] = [{"code": "NAT", "label": "National"}]
    meta["locations"] = [loc for loc in meta["locations"] if loc["level"]["code"] == "NAT"]
    replay.route("GET", f"/v1/data-sets/{DS_CLA_TIME_SERIES}/meta", Reply.json(meta))
