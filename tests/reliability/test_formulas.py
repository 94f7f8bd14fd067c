"""Spreadsheet formula injection in CSV and XLSX, from the command line and from the pages' download buttons:
every cell a spreadsheet would run (=, +, -, @, tab, CR, DDE) stays text."""

from __future__ import annotations

import csv
import io
import shutil

import openpyxl
import pandas as pd

from kinmon import cli, exports, store
from suite import Tally, record

INJECTIONS = ("=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0",
              "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C notepad'!A0", "-2+3+cmd|' /C calc'!A0",
              "@HYPERLINK(\"http://evil.example\")", "=DDE(\"cmd\";\"/C calc\";\"A0\")")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_cells_safe(data: bytes, needles: tuple[str, ...]) -> tuple[int, int]:
    """(injected cells found, of them still dangerous) in a CSV."""
    found = bad = 0
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        for cell in row:
            if any(n.strip("\t\r") in cell for n in needles):
                found += 1
                bad += cell.startswith(DANGEROUS)
    return found, bad


def xlsx_cells_safe(data: bytes, needles: tuple[str, ...]) -> tuple[int, int]:
    found = bad = 0
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad += 1
                if isinstance(cell.value, str) and any(n.strip("\t\r") in cell.value for n in needles):
                    found += 1
    return found, bad


def test_formulas_stay_text_from_the_cli_and_the_pages(snapshot_store, tmp_path):
    db = tmp_path / "kinmon.duckdb"
    shutil.copyfile(snapshot_store, db)
    with store.writer(db) as con:
        for k, text in enumerate(INJECTIONS):
            con.execute("""INSERT INTO written_question SELECT * REPLACE (? AS id, ? AS heading, ? AS question_text,
                           ? AS asking_member_name) FROM written_question LIMIT 1""",
                        [980000 + k, text, f"kinship {text}", text])
    tried = survived = 0
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"questions.{fmt}"
        assert cli.main(["export", "questions", "--format", fmt, "--output", str(out), "--db", str(db)]) == 0
        found, bad = (csv_cells_safe if fmt == "csv" else xlsx_cells_safe)(out.read_bytes(), INJECTIONS)
        tried += found
        survived += found - bad
        assert found >= len(INJECTIONS) and bad == 0, (fmt, found, bad)
    # The pages' download buttons build their files with these functions, from what the page shows.
    shown = pd.DataFrame({"title": list(INJECTIONS), "value": range(len(INJECTIONS))})
    for build, check in ((exports.to_csv_bytes, csv_cells_safe),
                         (lambda df: exports.to_xlsx_bytes(df, [("Title", INJECTIONS[0])], "x"), xlsx_cells_safe)):
        found, bad = check(build(shown), INJECTIONS)
        tried += found
        survived += found - bad
        assert found >= len(INJECTIONS) and bad == 0
    zipped = exports.csv_zip_pack(shown, [("Title", "=1+1")], "x")
    import zipfile
    found, bad = csv_cells_safe(zipfile.ZipFile(io.BytesIO(zipped)).read("x.csv"), INJECTIONS)
    assert bad == 0
    tried, survived = tried + found, survived + found - bad
    record(Tally("formula injection: CSV, XLSX, zip from CLI and pages", tried, survived,
                 size=f"{len(INJECTIONS)} injections x 5 outputs"))
    assert survived == tried
