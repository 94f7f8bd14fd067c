"""Export builders: CSV, XLSX (with a README sheet), Parquet, JSON, a CSV+README zip pack, and citations.

Every export says where its data came from: the README lists the sources, their licences, when
they were retrieved, the filters applied and a citation. Text cells that a spreadsheet would run
as a formula (starting =, +, -, @) are written so that they stay text.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROJECT_NAME = "kinmon, a monitor of the National Kinship Care Strategy"


@dataclass(frozen=True)
class TableSpec:
    title: str
    query: str  # "module:function" returning a DataFrame from a connection


TABLES: dict[str, TableSpec] = {
    "questions": TableSpec("Written questions on kinship care", "kinmon.queries.parliament:questions_export"),
    "statements": TableSpec("Written ministerial statements on kinship care", "kinmon.queries.parliament:statements_export"),
    "debates": TableSpec("Debates on kinship care", "kinmon.queries.parliament:debates_export"),
    "members": TableSpec("Members of Parliament and peers", "kinmon.queries.parliament:members_export"),
    "observations": TableSpec("Published statistics on kinship care", "kinmon.queries.statistics:observations_export"),
    "commitments": TableSpec("Government commitments on kinship care and their status", "kinmon.queries.core:commitments_export"),
    "priorities": TableSpec("The Kinship Care Alliance's seven priorities", "kinmon.queries.core:priorities_export"),
}


def table_frame(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    spec = TABLES[name]
    module, func = spec.query.split(":")
    fn: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame] = getattr(importlib.import_module(module), func)
    return fn(con)


# ---------------------------------------------------------------- provenance


def sources_for(con: duckdb.DuckDBPyConnection, source_ids: list[str]) -> pd.DataFrame:
    """The publisher, URL, licence and retrieval date of each source id used by a table."""
    ids = sorted({s for s in source_ids if s})
    if not ids:
        return pd.DataFrame(columns=["source_id", "publisher", "title", "url", "licence", "licence_url", "retrieved_at"])
    return con.execute(
        "SELECT source_id, publisher, title, url, licence, licence_url, retrieved_at FROM source "
        "WHERE list_contains(?, source_id) ORDER BY publisher, title",
        [ids],
    ).df()


RELATIVE_LINK_NOTE = ("a link relative to the kinmon site it was copied from: set KINMON_PUBLIC_URL to cite "
                      "the full address")


def citation(title: str, sources: pd.DataFrame, retrieved: date | None = None, url: str | None = None) -> str:
    """A ready-to-paste citation: kinmon, the view's title, each publisher with the titles of its
    sources (for statistics, the releases), the licences, the retrieval date and the view's own
    address. Without KINMON_PUBLIC_URL the address is the relative permalink, and says so; a
    citation never points at the code repository instead of the view."""
    when = retrieved or (pd.to_datetime(sources["retrieved_at"]).max().date() if len(sources) else date.today())
    upstream = ""
    if len(sources):
        named = []
        for publisher, group in sources.groupby("publisher", sort=True):
            titles = list(dict.fromkeys(str(t) for t in group["title"]))
            shown = titles[:3] + ([f"and {len(titles) - 3} more"] if len(titles) > 3 else [])
            named.append(f"{publisher} ({'; '.join(shown)})")
        upstream = f" Data from {', '.join(named)}."
    licences = sorted(set(sources["licence"])) if len(sources) else []
    lic = f" Licence: {'; '.join(licences)}." if licences else ""
    if url and url.startswith(("http://", "https://")):
        where = f" Available at {url}."
    elif url:
        where = f" View: {url} ({RELATIVE_LINK_NOTE})."
    else:
        where = " View address unknown: set KINMON_PUBLIC_URL to cite this view's address."
    return f"{PROJECT_NAME}: {title}.{upstream}{lic} Retrieved {when.isoformat()}.{where}"


def statistics_table(values: pd.DataFrame) -> pd.DataFrame:
    """Statistics as shown (kinmon.queries.statistics.series_values or la_comparison) with the plain
    headers of a spreadsheet: Period, Area, Value (a number, empty when suppressed), Suppressed (the
    code), Label (the value as shown), then its release, publication date and source."""
    out = pd.DataFrame({
        "Period": values["time_period"], "Period ends": values["period_end"], "Area": values["geography_name"],
        "Area code": values["geography_code"],
        "Value": pd.to_numeric(values["value"], errors="coerce").astype("float64"),
        "Suppressed": values["suppression"].astype(object).where(values["suppression"].notna(), None),
        "Label": values["display"], "Unit": values["unit"], "Release": values["release_title"],
        "Published": values["published_on"], "Source": values["source_url"], "Publisher": values["source_publisher"],
        "Licence": values["licence"], "Latest release": values["is_latest"].astype(bool),
    })
    if "rank" in values.columns:
        out.insert(0, "Rank", values["rank"])
    if "recorded_as" in values.columns:
        out.insert(4, "Published under", values["recorded_as"])
    out["Source id"] = values["source_id"]
    return out.reset_index(drop=True)


def release_lines(df: pd.DataFrame) -> list[tuple[str, str]]:
    """README lines naming the releases of the rows in a table with Release/Published/Source columns, newest first."""
    if not {"Release", "Published", "Source"} <= set(df.columns) or df.empty:
        return []
    found = df[["Release", "Published", "Source"]].drop_duplicates(subset=["Release", "Published"])
    found = found.sort_values("Published", ascending=False, na_position="last", kind="stable")
    lines = []
    for _, r in found.iterrows():
        when = f"published {pd.Timestamp(r['Published']):%-d %B %Y}" if not pd.isna(r["Published"]) else \
            "publication date not recorded"
        lines.append(("Release", f"{r['Release']} ({when})" + (f" <{r['Source']}>" if _present(r["Source"]) else "")))
    return lines


def readme_lines(title: str, df: pd.DataFrame, sources: pd.DataFrame, filters: dict | None = None,
                 view_url: str | None = None) -> list[tuple[str, str]]:
    lines = [("Title", title), ("Rows", str(len(df))), ("Columns", ", ".join(map(str, df.columns))),
             ("Exported at (UTC)", datetime.utcnow().isoformat(timespec="seconds"))]
    if filters:
        lines.append(("Filters applied", "; ".join(f"{k} = {v}" for k, v in filters.items())))
    if view_url:
        lines.append(("View", view_url))
    lines.extend(release_lines(df))
    for _, s in sources.iterrows():
        lines.append(("Source", f"{s['publisher']}: {s['title']}" + (f" <{s['url']}>" if _present(s["url"]) else "")))
        lines.append(("Licence", s["licence"] + (f" <{s['licence_url']}>" if _present(s["licence_url"]) else "")))
        lines.append(("Retrieved at", str(s["retrieved_at"])))
    if (sources["licence"] == "Open Parliament Licence v3.0").any() if len(sources) else False:
        lines.append(("Attribution", "Contains Parliamentary information licensed under the Open Parliament Licence v3.0."))
    if (sources["licence"] == "Open Government Licence v3.0").any() if len(sources) else False:
        lines.append(("Attribution", "Contains public sector information licensed under the Open Government Licence v3.0."))
    lines.append(("Suppression", "Statistical suppression codes (c, k, u, x, z, low) are kept as codes, never 0."))
    lines.append(("Cite as", citation(title, sources, url=view_url)))
    return lines


def _present(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def readme_text(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in lines) + "\n"


# ---------------------------------------------------------------- formats


def _safe_text(value):
    if not isinstance(value, str):
        return value
    # A bare CR is not quoted by the CSV writer (its line ending is LF), yet spreadsheets break the row there,
    # so the text after it would start a cell of its own ("\r=1+1"): line breaks are written as LF.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.startswith(FORMULA_PREFIXES + ("\n",)):
        return "'" + value
    return value


def _spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_safe_text)
    return out


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Lists and dicts as JSON text, so every format holds the same values."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and any(isinstance(v, (list, dict, tuple)) for v in out[col]):
            out[col] = out[col].map(lambda v: json.dumps(list(v) if isinstance(v, tuple) else v)
                                    if isinstance(v, (list, dict, tuple)) else v)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return _spreadsheet_safe(_plain(df)).to_csv(index=False).encode("utf-8")


def to_json_bytes(df: pd.DataFrame) -> bytes:
    return _plain(df).to_json(orient="records", date_format="iso", force_ascii=False, indent=1).encode("utf-8")


def to_parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    _plain(df).to_parquet(buf, index=False)
    return buf.getvalue()


def to_xlsx_bytes(df: pd.DataFrame, readme: list[tuple[str, str]], sheet: str = "data") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in df.columns])
    for row in _plain(df).itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    # openpyxl reads a string starting "=" as a formula: force text for every such cell
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    info = wb.create_sheet("README")
    for key, value in readme:
        info.append([key, value])
        info.cell(row=info.max_row, column=2).data_type = "s"
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def csv_zip_pack(df: pd.DataFrame, readme: list[tuple[str, str]], name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}.csv", to_csv_bytes(df))
        zf.writestr("README.txt", readme_text(readme))
    return buf.getvalue()


def encode(df: pd.DataFrame, fmt: str, readme: list[tuple[str, str]], name: str) -> bytes:
    if fmt == "csv":
        return to_csv_bytes(df)
    if fmt == "json":
        return to_json_bytes(df)
    if fmt == "parquet":
        return to_parquet_bytes(df)
    if fmt == "xlsx":
        return to_xlsx_bytes(df, readme, sheet=name)
    if fmt == "zip":
        return csv_zip_pack(df, readme, name)
    raise ValueError(f"unknown format {fmt!r}")


def table_readme(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> list[tuple[str, str]]:
    column = next((c for c in ("source_id", "Source id") if c in df.columns), None)
    ids = list(df[column].dropna().unique()) if column else []
    return readme_lines(TABLES[name].title, df, sources_for(con, ids))


def table_files(con: duckdb.DuckDBPyConnection, name: str) -> dict:
    """A whole table as CSV, Parquet, and CSV with its README zipped (for the Data & downloads page)."""
    df = table_frame(con, name)
    return {"csv": to_csv_bytes(df), "parquet": to_parquet_bytes(df),
            "zip": csv_zip_pack(df, table_readme(con, name, df), name), "rows": len(df)}


def export_table(con: duckdb.DuckDBPyConnection, name: str, fmt: str, output: str) -> Path | None:
    """Write table `name` in `fmt` to `output` ('-' = stdout); returns the path written."""
    df = table_frame(con, name)
    data = encode(df, fmt, table_readme(con, name, df), name)
    if output == "-":
        if fmt in ("xlsx", "parquet"):
            raise ValueError(f"{fmt} is binary: give --output a file path")
        sys.stdout.buffer.write(data)
        return None
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
