"""The place lookup (data/geography.csv): GSS codes, DfE's old LA codes, validity and successors, read and stored.

Loaded into the `geography` table and used by kinmon.tidy.GeographyResolver to give every row of a
DfE file or API answer a stable place code.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.ingest.registry import OGL
from kinmon.tidy import GEOGRAPHIC_LEVELS

GEOGRAPHY_PATH = DATA_DIR / "geography.csv"
GEOGRAPHY_SOURCE = "geography-lookup"
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
    store.insert_rows(con, "geography", [
        store.rows.geography(r["code"], r["name"], r["level"], valid_from=r["valid_from"], valid_to=r["valid_to"],
                             successor_code=";".join(r["successors"]) or None, source_id=GEOGRAPHY_SOURCE)
        for r in records], on_conflict="replace")
    return len(records)

