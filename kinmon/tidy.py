"""Read DfE tidy statistics (EES CSV files and API results) into typed rows, keeping suppression codes.

EES tidy data has one row per time period, geography and combination of filter values, and one
column per indicator. This module knows its conventions (time_period + time_identifier, the
geography columns for each geographic_level, the suppression symbols) so that a CSV from the API,
a researcher's downloaded file and an API query all become the same `TidyRow`s.

Decisions, documented here once:
- A suppressed or unavailable value keeps its symbol in `Cell.suppression` with `value` None,
  never 0. The symbols are the EES ones (c, k, u, x, z, low) plus ':' (DfE's legacy "not
  available"), matched case-insensitively and stored in lower case.
- A blank cell is kept as a row with value, suppression and text all None: nothing was published.
- A value that is neither a number nor a symbol (an indicator of unit "string", or prose) is kept
  verbatim in `Cell.text`.
- `period_end` is the last day a period covers: a "Reporting year" YYYY is the year ending 31 March
  YYYY (how the children looked after and children in need collections define it; series.json may
  override the day, e.g. 30 September for the workforce census); a financial year 202425 ends
  31 March 2025, an academic year 202324 ends 31 August 2024, a tax year 202425 ends 5 April 2025,
  a calendar year ends 31 December; quarters and months end on their last day. Terms and weeks
  have no single end date here (None).
"""

from __future__ import annotations

import calendar
import csv
import gzip
import html
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nh3

from kinmon.errors import BadInput

SUPPRESSION_SYMBOLS = frozenset({"c", "k", "u", "x", "z", "low", ":"})
MANDATORY_COLUMNS = ("time_period", "time_identifier", "geographic_level")
GZIP_MAGIC = b"\x1f\x8b"

# API geographic level codes and the labels EES CSVs write in `geographic_level`
# (eesyapi.R data-raw/geog_level_lookup.R; the OpenAPI enum of labels).
GEOGRAPHIC_LEVELS = {
    "NAT": "National",
    "REG": "Regional",
    "LA": "Local authority",
    "LAD": "Local authority district",
    "PCON": "Parliamentary constituency",
    "MCA": "Mayoral combined authority",
    "EDA": "English devolved area",
    "LSIP": "Local skills improvement plan area",
    "LEP": "Local enterprise partnership",
    "OA": "Opportunity area",
    "PA": "Planning area",
    "PFA": "Police force area",
    "RSC": "RSC region",
    "WARD": "Ward",
    "MAT": "MAT",
    "SPON": "Sponsor",
    "SCH": "School",
    "PROV": "Provider",
    "INST": "Institution",
}
LEVEL_CODES = {label.casefold(): code for code, label in GEOGRAPHIC_LEVELS.items()}

# The (code, name) columns that locate a row at each level, per the DfE analysts' guide. The LA's
# 3-digit old_la_code is read separately. Levels not listed here are rejected with a clear error.
GEOGRAPHY_COLUMNS = {
    "National": ("country_code", "country_name"),
    "Regional": ("region_code", "region_name"),
    "Local authority": ("new_la_code", "la_name"),
    "Local authority district": ("lad_code", "lad_name"),
    "Parliamentary constituency": ("pcon_code", "pcon_name"),
    "Local skills improvement plan area": ("lsip_code", "lsip_name"),
    "Local enterprise partnership": ("local_enterprise_partnership_code", "local_enterprise_partnership_name"),
    "English devolved area": ("english_devolved_area_code", "english_devolved_area_name"),
    "Opportunity area": ("opportunity_area_code", "opportunity_area_name"),
    "Ward": ("ward_code", "ward_name"),
    "Police force area": ("pfa_code", "pfa_name"),
    "Planning area": ("planning_area_code", "planning_area_name"),
}
OTHER_GEOGRAPHY_COLUMNS = frozenset({
    "old_la_code", "la_code", "trust_id", "trust_name", "sponsor_id", "sponsor_name", "school_urn", "school_laestab",
    "school_name", "provider_ukprn", "provider_name", "institution_id", "institution_name", "rsc_region_lead_name",
    "mayoral_combined_authority_code", "mayoral_combined_authority_name",
})
GEOGRAPHY_COLUMN_NAMES = frozenset(c for pair in GEOGRAPHY_COLUMNS.values() for c in pair) | OTHER_GEOGRAPHY_COLUMNS

# API time period codes and the time_identifier labels EES CSVs use for them.
_MONTHS = list(calendar.month_name)[1:]
TIME_IDENTIFIERS = {
    "RY": "Reporting year", "AY": "Academic year", "FY": "Financial year", "CY": "Calendar year", "TY": "Tax year",
    **{f"AYQ{q}": f"Academic year Q{q}" for q in range(1, 5)},
    **{f"CYQ{q}": f"Calendar year Q{q}" for q in range(1, 5)},
    **{f"FYQ{q}": f"Financial year Q{q}" for q in range(1, 5)},
    **{f"TYQ{q}": f"Tax year Q{q}" for q in range(1, 5)},
    **{f"M{m}": name for m, name in enumerate(_MONTHS, start=1)},
    **{f"W{w}": f"Week {w}" for w in range(1, 53)},
    "T1": "Autumn term", "T1T2": "Autumn and spring term", "T2": "Spring term", "T3": "Summer term",
    "P1": "Part 1 (April to September)", "P2": "Part 2 (October to March)",
}

# (month, day) each annual period ends, and whether that falls in the span's second year.
_YEAR_ENDS = {
    "reporting year": (3, 31), "financial year": (3, 31), "academic year": (8, 31),
    "tax year": (4, 5), "calendar year": (12, 31),
}
# Quarter ends as (months after the start of the year's first month, where the year starts).
_QUARTER_START_MONTH = {"calendar year": 1, "financial year": 4, "tax year": 4, "academic year": 8}

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$")
_PERIOD = re.compile(r"^\d{4}(?:\d{2})?$")
_GSS = re.compile(r"^[EKWSN]\d{8}$")


@dataclass(frozen=True)
class Cell:
    """One published value: a number, a suppression symbol, or words; all None when blank."""

    value: float | None = None
    suppression: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class TidyRow:
    line: int  # the CSV line, or the API result's position (from 1)
    time_period: str
    time_identifier: str
    period_end: date | None
    geographic_level: str
    geography_code: str
    geography_name: str | None
    old_la_code: str | None
    filters: dict[str, str] = field(default_factory=dict)  # filter column -> value as published
    values: dict[str, Cell] = field(default_factory=dict)  # indicator column -> cell


@dataclass
class TidyTable:
    name: str
    filters: list[str]
    indicators: list[str]
    rows: list[TidyRow]


class TidyError(BadInput):
    """A tidy file is malformed: names the file, the line and the reason."""

    def __init__(self, name: str, line: int | None, reason: str):
        where = f"{name}, line {line}" if line else name
        super().__init__(f"{where}: {reason}")
        self.name, self.line, self.reason = name, line, reason


def plain_text(value: str | None) -> str | None:
    """Upstream words made safe to show: HTML removed, entities decoded, whitespace collapsed."""
    if value is None:
        return None
    cleaned = html.unescape(nh3.clean(str(value), tags=set()))
    cleaned = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def normalise_label(label: str) -> str:
    """How two labels are compared: case and spacing never make a difference."""
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


def parse_cell(raw: str | None) -> Cell:
    """A published value: symbols stay symbols, '1,234' is 1234.0, blank is empty, words stay words."""
    text = (raw or "").strip()
    if not text:
        return Cell()
    if text.casefold() in SUPPRESSION_SYMBOLS:
        return Cell(suppression=text.casefold())
    if _NUMBER.match(text):
        return Cell(value=float(text.replace(",", "")))
    return Cell(text=text)


def is_numeric_or_symbol(raw: str) -> bool:
    cell = parse_cell(raw)
    return cell.text is None


def check_time_period(time_period: str) -> str:
    """EES writes periods as 4 digits or 6 for a span of two consecutive years (201819)."""
    tp = time_period.strip()
    if not _PERIOD.match(tp):
        raise ValueError(f"time_period {time_period!r} is not 4 or 6 digits (EES writes 2024 or 202425)")
    if len(tp) == 6 and (int(tp[:4]) + 1) % 100 != int(tp[4:]):
        raise ValueError(f"time_period {time_period!r} does not span two consecutive years")
    return tp


def period_end(time_period: str, time_identifier: str, year_end: tuple[int, int] | None = None) -> date | None:
    """The last day the period covers (see the module docstring); None where there is no single day."""
    tp, ident = time_period.strip(), normalise_label(time_identifier)
    if not _PERIOD.match(tp):
        return None
    first = int(tp[:4])
    last = first + 1 if len(tp) == 6 else first
    if ident in _YEAR_ENDS:
        month, day = year_end if year_end and ident == "reporting year" else _YEAR_ENDS[ident]
        if ident == "calendar year":
            return date(first, 12, 31)
        # A 4-digit reporting or financial year names the year the period ends in.
        year = last if len(tp) == 6 else first
        return date(year, month, day)
    m = re.fullmatch(r"(calendar|financial|tax|academic) year q([1-4])", ident)
    if m:
        start_month = _QUARTER_START_MONTH[f"{m.group(1)} year"]
        months_in = start_month - 1 + 3 * int(m.group(2))
        year, month = first + (months_in - 1) // 12, (months_in - 1) % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])
    months = [normalise_label(n) for n in _MONTHS]
    if ident in months and len(tp) == 4:
        month = months.index(ident) + 1
        return date(first, month, calendar.monthrange(first, month)[1])
    return None


def period_label(time_period: str, time_identifier: str, end: date | None, period_type: str | None) -> str:
    """One shape for a series' periods whatever words a release used: a flow (a count over a year) is
    "YYYY-MM-DD/YYYY-MM-DD", the year to its end ("Reporting year 2024" = "2023-04-01/2024-03-31");
    a stock (a count on a day) is that day, "YYYY-MM-DD". Without a period type, or for a period
    that is not a whole year with an end day, the period stays as published."""
    if period_type is None or end is None:
        return time_period
    if period_type == "stock":
        return end.isoformat()
    if normalise_label(time_identifier) not in _YEAR_ENDS:
        return time_period
    start = date.fromordinal(_year_before(end).toordinal() + 1)
    return f"{start.isoformat()}/{end.isoformat()}"


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def decode(data: bytes | str, name: str) -> str:
    """Text from a file's bytes: gzip unwrapped, a UTF-8 byte-order mark tolerated."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise TidyError(name, None, f"looks gzipped but cannot be unpacked ({exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TidyError(name, None, f"is not UTF-8 text (bad byte at offset {exc.start})") from None


def parse_csv(
    data: bytes | str,
    name: str,
    *,
    filters: list[str] | None = None,
    indicators: list[str] | None = None,
    geography: "GeographyResolver | None" = None,
    year_end: tuple[int, int] | None = None,
) -> TidyTable:
    """Parse an EES tidy CSV. Filter and indicator columns come from the arguments (API metadata)
    or, if not given, from the columns themselves: a column whose every cell is a number, a symbol
    or blank is an indicator; any other non-geography column is a filter.
    """
    name = Path(name).name if "/" in name or "\\" in name else name
    reader = csv.reader(io.StringIO(decode(data, name), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise TidyError(name, None, "the file is empty") from None
    except csv.Error as exc:
        raise TidyError(name, 1, f"unreadable CSV ({exc})") from None
    _check_header(header, name)
    raw_rows = _read_rows(reader, header, name)
    filters, indicators = _columns(header, raw_rows, name, filters, indicators)
    rows = [_tidy_row(line, cells, name, filters, indicators, geography, year_end) for line, cells in raw_rows]
    return TidyTable(name=name, filters=filters, indicators=indicators, rows=rows)


def _check_header(header: list[str], name: str) -> None:
    if not any(header):
        raise TidyError(name, 1, "the header row is empty")
    lowered = [h.casefold() for h in header]
    dupes = sorted({h for h in lowered if lowered.count(h) > 1})
    if dupes:
        raise TidyError(name, 1, f"duplicate column names {dupes}")
    missing = [c for c in MANDATORY_COLUMNS if c not in lowered]
    if missing:
        raise TidyError(name, 1, f"missing the EES columns {missing} (the header is {header})")
    if "" in header:
        raise TidyError(name, 1, f"column {header.index('') + 1} has no name")


def _read_rows(reader: "csv._reader", header: list[str], name: str) -> list[tuple[int, dict[str, str]]]:
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise TidyError(name, reader.line_num, f"{len(row)} fields, expected {len(header)}")
            rows.append((reader.line_num, dict(zip(header, row))))
    except csv.Error as exc:
        raise TidyError(name, reader.line_num, f"unreadable CSV ({exc})") from None
    return rows


def _columns(header: list[str], rows: list, name: str, filters: list[str] | None,
             indicators: list[str] | None) -> tuple[list[str], list[str]]:
    fixed = set(MANDATORY_COLUMNS) | GEOGRAPHY_COLUMN_NAMES
    data_columns = [h for h in header if h.casefold() not in fixed]
    if filters is not None and indicators is not None:
        unknown = [c for c in filters + indicators if c not in header]
        if unknown:
            raise TidyError(name, 1, f"columns {unknown} named in the metadata are not in the file")
        return list(filters), list(indicators)
    found_filters, found_indicators = [], []
    for col in data_columns:
        if indicators is not None:
            (found_indicators if col in indicators else found_filters).append(col)
        elif filters is not None:
            (found_filters if col in filters else found_indicators).append(col)
        elif all(is_numeric_or_symbol(cells[col]) for _, cells in rows):
            found_indicators.append(col)
        else:
            found_filters.append(col)
    if not found_indicators:
        raise TidyError(name, 1, "no indicator columns: no column holds only numbers or suppression symbols")
    return found_filters, found_indicators


def _tidy_row(line: int, raw: dict[str, str], name: str, filters: list[str], indicators: list[str],
              geography: "GeographyResolver | None", year_end: tuple[int, int] | None) -> TidyRow:
    cells = {k.casefold(): v for k, v in raw.items()}  # match the fixed EES columns whatever their case
    try:
        tp = check_time_period(cells["time_period"])
        ident = plain_text(cells["time_identifier"]) or ""
        if not ident:
            raise ValueError("time_identifier is blank")
        level_raw = cells["geographic_level"].strip()
        level = GEOGRAPHIC_LEVELS.get(LEVEL_CODES.get(level_raw.casefold(), ""), "")
        if not level:
            raise ValueError(f"geographic_level {level_raw!r} is not an EES level")
        end = period_end(tp, ident, year_end)
        code, geo_name, old = _location(cells, level, geography, end)
    except ValueError as exc:
        raise TidyError(name, line, str(exc)) from None
    return TidyRow(
        line=line, time_period=tp, time_identifier=ident, period_end=end, geographic_level=level,
        geography_code=code, geography_name=geo_name, old_la_code=old,
        filters={f: plain_text(raw[f]) or "" for f in filters},
        values={i: parse_cell(raw[i]) for i in indicators},
    )


def _location(cells: dict[str, str], level: str, geography: "GeographyResolver | None",
              when: date | None) -> tuple[str, str | None, str | None]:
    if level not in GEOGRAPHY_COLUMNS:
        raise ValueError(f"geographic_level {level!r} is not supported by kinmon yet")
    code_col, name_col = GEOGRAPHY_COLUMNS[level]
    if code_col not in cells and name_col not in cells:
        raise ValueError(f"a {level} row needs the columns {code_col} and {name_col}")
    code = (cells.get(code_col) or "").strip()
    geo_name = plain_text(cells.get(name_col) or "") or None
    old = (cells.get("old_la_code") or "").strip() or None if level == "Local authority" else None
    if geography is not None:
        return (*geography.resolve(level, code, geo_name, old, when), old)
    return fallback_code(code, geo_name, level), geo_name, old


def fallback_code(code: str, name: str | None, level: str) -> str:
    """A row's geography code when no lookup knows it: the published code, or for EES's 'unknown'
    code (x, z or blank) the symbol and the name, so different unknown places stay distinct."""
    if code and code.casefold() not in SUPPRESSION_SYMBOLS:
        return code
    if not name:
        raise ValueError(f"a {level} row has neither a usable code ({code!r}) nor a name")
    return f"{code.casefold() or 'x'}:{name}"


class GeographyResolver:
    """Resolves a row's place to a GSS code and a stable name, from data/geography.csv records.

    The published GSS code wins when it looks like one; otherwise the LA's old 3-digit code (the
    entry valid at the period end, since a recoded council such as North Yorkshire keeps its old
    code), then the name.
    """

    def __init__(self, records: list[dict]):
        self.by_code = {r["code"]: r for r in records}
        self.by_old: dict[str, list[dict]] = {}
        self.by_name: dict[tuple[str, str], list[dict]] = {}
        for r in records:
            if r.get("old_la_code"):
                self.by_old.setdefault(r["old_la_code"], []).append(r)
            self.by_name.setdefault((r["level"], normalise_label(r["name"])), []).append(r)

    def resolve(self, level: str, code: str, name: str | None, old_code: str | None,
                when: date | None) -> tuple[str, str | None]:
        if _GSS.match(code or ""):
            known = self.by_code.get(code)
            return code, (known["name"] if known else name)
        candidates = (self.by_old.get(old_code or "") if level == "Local authority" else None) or \
            self.by_name.get((level, normalise_label(name or "")), [])
        if candidates:
            chosen = _valid_at(candidates, when)
            return chosen["code"], chosen["name"]
        return fallback_code(code, name, level), name


def _valid_at(candidates: list[dict], when: date | None) -> dict:
    def covers(r: dict) -> bool:
        return when is not None and (r["valid_from"] is None or r["valid_from"] <= when) and \
            (r["valid_to"] is None or when <= r["valid_to"])
    for r in candidates:
        if covers(r):
            return r
    current = [r for r in candidates if r["valid_to"] is None]
    return current[0] if current else candidates[0]
