"""Export builders: CSV, XLSX (with a README sheet), Parquet, JSON, a CSV+README zip pack, and citations.

Every export says where its data came from: the README lists the sources, their licences, when
they were retrieved, the filters applied and a citation. Text cells that a spreadsheet would run
as a formula (starting =, +, -, @) are written so that they stay text.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kinmon import licences
from kinmon.util import write_atomically

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROJECT_NAME = "kinmon, a monitor of the National Kinship Care Strategy"

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
    for attribution, _ in licences.attributions_for(sources["licence"] if len(sources) else []):
        lines.append(("Attribution", attribution))
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


def _safe_strings(col: pd.Series) -> pd.Series:
    """_safe_text for a column of the string dtype, as column operations (no Python call per cell)."""
    has_cr = col.str.contains("\r", regex=False).fillna(False).astype(bool)
    if has_cr.any():  # rare: the replacement is the costly part, so only where there is a CR
        fixed = col[has_cr].str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
        col = col.mask(has_cr, fixed)
    risky = col.str.startswith(FORMULA_PREFIXES + ("\n",)).fillna(False).astype(bool)
    return col.mask(risky, "'" + col)


def _spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.StringDtype):
            out[col] = _safe_strings(out[col])
        elif out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_safe_text)  # mixed values: only the text cells change
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


def table_files(df: pd.DataFrame, readme: list[tuple[str, str]], name: str) -> dict:
    """A whole table as CSV, Parquet, and CSV with its README zipped (for the Data & downloads page)."""
    return {"csv": to_csv_bytes(df), "parquet": to_parquet_bytes(df), "zip": csv_zip_pack(df, readme, name),
            "rows": len(df)}


def export_table(df: pd.DataFrame, readme: list[tuple[str, str]], name: str, fmt: str, output: str) -> Path | None:
    """Write table `name` in `fmt` to `output` ('-' = stdout); returns the path written."""
    data = encode(df, fmt, readme, name)
    if output == "-":
        if fmt in ("xlsx", "parquet"):
            raise ValueError(f"{fmt} is binary: give --output a file path")
        sys.stdout.buffer.write(data)
        return None
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    return write_atomically(path, data)
