"""Exports: every format opened and checked for exact contents, its README, citation, and chart images."""

import io
import json
import zipfile
from datetime import datetime

import pandas as pd
import pytest

from kinmon import exports
from kinmon.charts import core as charts
from kinmon.charts import images

SOURCES = pd.DataFrame([
    {"source_id": "p", "publisher": "UK Parliament", "title": "Written questions", "url": "https://questions-statements.parliament.uk",
     "licence": "Open Parliament Licence v3.0", "licence_url": "https://www.parliament.uk/opl", "retrieved_at": datetime(2026, 11, 2, 9, 0)},
    {"source_id": "d", "publisher": "Department for Education", "title": "Children looked after", "url": "https://explore-education-statistics.service.gov.uk/x",
     "licence": "Open Government Licence v3.0", "licence_url": None, "retrieved_at": datetime(2026, 11, 1, 9, 0)},
])
DF = pd.DataFrame({"id": [1, 2], "heading": ["=HYPERLINK(\"http://evil\")", "Kinship care"], "value": [3.5, None],
                   "suppression": [None, "c"], "tags": [[1, 2], [7]]})


def test_citation_names_kinmon_publishers_licences_and_date():
    text = exports.citation("Children leaving care on an SGO", SOURCES, url="https://kinmon.example/statistics?x=1")
    assert text == (
        "kinmon, a monitor of the National Kinship Care Strategy: Children leaving care on an SGO. Data from "
        "Department for Education (Children looked after), UK Parliament (Written questions). Licence: Open "
        "Government Licence v3.0; Open Parliament Licence v3.0. Retrieved 2026-11-02. Available at "
        "https://kinmon.example/statistics?x=1.")


def test_citation_links_the_view_itself_never_the_repository():
    from kinmon import REPOSITORY_URL

    relative = exports.citation("T", SOURCES, url="/statistics?measure=x")
    assert relative.endswith("View: /statistics?measure=x (a link relative to the kinmon site it was copied from: "
                             "set KINMON_PUBLIC_URL to cite the full address).")
    unknown = exports.citation("T", SOURCES)
    assert unknown.endswith("View address unknown: set KINMON_PUBLIC_URL to cite this view's address.")
    assert REPOSITORY_URL not in relative + unknown


def test_csv_keeps_suppression_codes_and_neutralises_formulas():
    text = exports.to_csv_bytes(DF).decode()
    rows = list(pd.read_csv(io.StringIO(text), keep_default_na=False).itertuples(index=False))
    assert rows[0].heading == "'=HYPERLINK(\"http://evil\")"
    assert rows[1].suppression == "c" and rows[1].value == ""
    assert json.loads(rows[0].tags) == [1, 2]


def test_xlsx_has_the_data_as_text_and_a_readme_sheet():
    readme = exports.readme_lines("Test table", DF, SOURCES, {"priority": 2}, "https://kinmon.example/x")
    book = pd.read_excel(io.BytesIO(exports.to_xlsx_bytes(DF, readme, "questions")), sheet_name=None)
    assert list(book) == ["questions", "README"]
    data = book["questions"]
    # typed as text, not a formula: the cell keeps the upstream words exactly and never runs
    assert data["heading"].tolist() == ["=HYPERLINK(\"http://evil\")", "Kinship care"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(exports.to_xlsx_bytes(DF, readme, "questions")))["questions"]
    assert ws["B2"].data_type == "s"
    assert data["suppression"].tolist()[1] == "c"
    info = dict(zip(book["README"].iloc[:, 0], book["README"].iloc[:, 1]))
    assert info["Filters applied"] == "priority = 2"
    assert info["Rows"] == "2"
    assert info["Cite as"].startswith("kinmon, a monitor of the National Kinship Care Strategy: Test table.")
    licences = book["README"][book["README"].iloc[:, 0] == "Licence"].iloc[:, 1].tolist()
    assert licences == ["Open Parliament Licence v3.0 <https://www.parliament.uk/opl>", "Open Government Licence v3.0"]
    attributions = book["README"][book["README"].iloc[:, 0] == "Attribution"].iloc[:, 1].tolist()
    assert "Contains Parliamentary information licensed under the Open Parliament Licence v3.0." in attributions


def test_zip_pack_holds_the_csv_and_the_same_readme():
    readme = exports.readme_lines("Test table", DF, SOURCES)
    with zipfile.ZipFile(io.BytesIO(exports.csv_zip_pack(DF, readme, "questions"))) as zf:
        assert sorted(zf.namelist()) == ["README.txt", "questions.csv"]
        assert zf.read("questions.csv") == exports.to_csv_bytes(DF)
        assert zf.read("README.txt").decode() == exports.readme_text(readme)


def test_parquet_and_json_round_trip():
    back = pd.read_parquet(io.BytesIO(exports.to_parquet_bytes(DF)))
    assert back["heading"].tolist() == DF["heading"].tolist()  # no spreadsheet escaping in data formats
    assert back["suppression"].tolist()[1] == "c"
    records = json.loads(exports.to_json_bytes(DF))
    assert records[1]["value"] is None and records[1]["suppression"] == "c"


@pytest.mark.skipif(not images.available(), reason="no Chromium for kaleido to render with")
def test_chart_svg_carries_title_source_and_date():
    events = pd.DataFrame({"date": pd.to_datetime(["2023-12-15", "2024-10-30"]), "type": ["commitment", "funding"],
                           "title": ["Strategy published", "Allowance announced"]})
    fig = charts.timeline(events, "Kinship care timeline", "Source: kinmon timeline (test)")
    svg = images.to_image(images.stamp(fig, "kinmon · data as of 2026-11-25"), "svg").decode()
    assert svg.startswith("<svg")
    for text in ("Kinship care timeline", "Source: kinmon timeline (test)", "data as of 2026-11-25"):
        assert text in svg
    png = images.to_image(fig, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_indicator_lines_break_where_years_are_missing():
    values = pd.DataFrame({"period_end": pd.to_datetime(["2011-03-31", "2014-03-31", "2015-03-31"]),
                           "value": [1780.0, 3360.0, 3520.0], "time_period": ["2011", "2014", "2015"],
                           "geography_name": ["England"] * 3, "unit": ["children"] * 3})
    fig = charts.indicator(values, "Children leaving care on an SGO", "Source: test")
    ys = list(fig.data[0].y)
    assert ys[0] == 1780.0 and ys[1] is None and ys[2:] == [3360.0, 3520.0]
    assert fig.data[0].connectgaps is False


HOSTILE = ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "\r=2", "a\r\nb", "a\rb", "\nline", "plain", "", None, "'quoted"]


def test_text_columns_are_made_safe_as_columns_not_cell_by_cell(monkeypatch):
    # a CSV of every question at 100x (100,122 rows, 14 text columns) spent 4.2 s calling _safe_text per cell;
    # the string columns are now handled with column operations, with the same result
    expected = [exports._safe_text(v) if isinstance(v, str) else v for v in HOSTILE]
    frame = pd.DataFrame({"text": pd.array(HOSTILE, dtype="string"), "n": range(len(HOSTILE))})

    def per_cell(value):
        raise AssertionError("a string column went through _safe_text cell by cell")

    monkeypatch.setattr(exports, "_safe_text", per_cell)
    got = exports._spreadsheet_safe(frame)["text"]
    assert [None if pd.isna(v) else v for v in got] == [None if v is None else v for v in expected]
    mixed = pd.DataFrame({"v": pd.Series(["=x", 3, None], dtype=object)})
    monkeypatch.undo()
    assert list(exports._spreadsheet_safe(mixed)["v"])[:2] == ["'=x", 3]
