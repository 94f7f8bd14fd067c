"""EES tidy CSV parsing: columns, periods, places, suppression codes and clear errors."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from kinmon.ingest.statistics import read_geography
from kinmon.tidy import Cell, GeographyResolver, TidyError, parse_cell, parse_csv, period_end, plain_text

HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
          "old_la_code,new_la_code,la_name,cla_group,characteristic,number,percentage")


def csv_text(*rows: str, header: str = HEADER, bom: bool = False) -> str:
    return ("\ufeff" if bom else "") + "\n".join([header, *rows]) + "\n"


def test_bom_columns_and_values_are_read():
    text = csv_text(
        "2024,Reporting year,National,E92000001,England,,,,,,Reason episode ceased,Special guardianship orders,\"3,860\",12",
        "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,"
        "Reason episode ceased,Special guardianship orders,27,c",
        bom=True,
    )
    table = parse_csv(text.encode("utf-8"), "la_children_who_ceased_during_the_year.csv")
    assert table.name == "la_children_who_ceased_during_the_year.csv"
    assert table.filters == ["cla_group", "characteristic"]
    assert table.indicators == ["number", "percentage"]
    national, hartlepool = table.rows
    assert (national.line, national.time_period, national.time_identifier, national.period_end) == \
        (2, "2024", "Reporting year", date(2024, 3, 31))
    assert (national.geographic_level, national.geography_code, national.geography_name) == \
        ("National", "E92000001", "England")
    assert national.values == {"number": Cell(value=3860.0), "percentage": Cell(value=12.0)}
    assert hartlepool.filters == {"cla_group": "Reason episode ceased", "characteristic": "Special guardianship orders"}
    assert (hartlepool.geography_code, hartlepool.geography_name, hartlepool.old_la_code) == \
        ("E06000001", "Hartlepool", "805")
    assert hartlepool.values["percentage"] == Cell(suppression="c")


@pytest.mark.parametrize("raw, cell", [
    ("c", Cell(suppression="c")), ("k", Cell(suppression="k")), ("u", Cell(suppression="u")),
    ("x", Cell(suppression="x")), ("z", Cell(suppression="z")), ("low", Cell(suppression="low")),
    ("LOW", Cell(suppression="low")), (":", Cell(suppression=":")), ("", Cell()), ("  ", Cell()),
    ("0", Cell(value=0.0)), ("1,234,567", Cell(value=1234567.0)), ("-3.5", Cell(value=-3.5)),
    ("12,34", Cell(text="12,34")), ("one in three", Cell(text="one in three")),
])
def test_cells_keep_codes_and_never_become_zero(raw, cell):
    assert parse_cell(raw) == cell


def test_suppressed_rows_are_kept_not_dropped():
    text = csv_text(*(f"2024,Reporting year,National,E92000001,England,,,,,,Total,Total,{v},1"
                      for v in ("c", "k", "u", "x", "z", "low")))
    # Six rows for one key are fine for the parser: it keeps each, in order.
    table = parse_csv(text, "codes.csv")
    assert [r.values["number"].suppression for r in table.rows] == ["c", "k", "u", "x", "z", "low"]
    assert [r.values["number"].value for r in table.rows] == [None] * 6
    assert table.indicators == ["number", "percentage"]


def test_gzipped_bytes_are_unpacked():
    text = csv_text("2025,Reporting year,National,E92000001,England,,,,,,Total,Total,81770,100")
    table = parse_csv(gzip.compress(text.encode()), "cla.csv.gz")
    assert table.rows[0].values["number"] == Cell(value=81770.0)


def test_column_order_does_not_matter_and_filters_can_be_given():
    header = ("time_identifier,time_period,geographic_level,country_name,country_code,la_name,new_la_code,old_la_code,"
              "region_name,region_code,population_type,children_count")
    text = csv_text("Reporting year,2025,Local authority,England,E92000001,Leeds,E08000035,383,"
                    "Yorkshire and The Humber,E12000003,Children looked after at 31 March,1275", header=header)
    table = parse_csv(text, "cla_number.csv")
    row = table.rows[0]
    assert (row.geography_code, row.geography_name, row.old_la_code) == ("E08000035", "Leeds", "383")
    assert row.filters == {"population_type": "Children looked after at 31 March"}
    assert row.values == {"children_count": Cell(value=1275.0)}
    given = parse_csv(text, "cla_number.csv", filters=[], indicators=["children_count", "population_type"])
    assert given.rows[0].values["population_type"] == Cell(text="Children looked after at 31 March")


@pytest.mark.parametrize("tp, ident, end", [
    ("2024", "Reporting year", date(2024, 3, 31)),
    ("202425", "Financial year", date(2025, 3, 31)),
    ("2025", "Financial year", date(2025, 3, 31)),
    ("202324", "Academic year", date(2024, 8, 31)),
    ("202425", "Tax year", date(2025, 4, 5)),
    ("2024", "Calendar year", date(2024, 12, 31)),
    ("2024", "Calendar year Q2", date(2024, 6, 30)),
    ("202425", "Financial year Q4", date(2025, 3, 31)),
    ("202324", "Academic year Q1", date(2023, 10, 31)),
    ("2024", "February", date(2024, 2, 29)),
    ("202324", "Autumn term", None),
    ("2024", "Week 12", None),
])
def test_period_end(tp, ident, end):
    assert period_end(tp, ident) == end


def test_reporting_year_end_can_be_set_per_series():
    assert period_end("2024", "Reporting year", (9, 30)) == date(2024, 9, 30)
    assert period_end("202425", "Financial year", (9, 30)) == date(2025, 3, 31)


def test_old_la_code_resolves_a_missing_gss_code_and_validity_picks_the_council():
    geo = GeographyResolver(read_geography())
    text = csv_text(
        "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,805,,Hartlepool,Total,Total,5,1",
        "2022,Reporting year,Local authority,E92000001,England,,,815,x,North Yorkshire,Total,Total,7,1",
        "2024,Reporting year,Local authority,E92000001,England,,,815,,North Yorkshire,Total,Total,8,1",
        "2024,Reporting year,Local authority,E92000001,England,,,,,Bristol City,Total,Total,9,1",
    )
    rows = parse_csv(text, "la.csv", geography=geo).rows
    assert [(r.geography_code, r.geography_name) for r in rows] == [
        ("E06000001", "Hartlepool"), ("E10000023", "North Yorkshire"), ("E06000065", "North Yorkshire"),
        ("x:Bristol City", "Bristol City"),
    ]


def test_upstream_words_are_made_plain():
    assert plain_text("<b>North</b>  East <script>alert(1)</script>&amp; more") == "North East & more"


@pytest.mark.parametrize("text, message", [
    ("", "bad.csv: the file is empty"),
    ("time_period,geographic_level,number\n2024,National,1\n",
     "bad.csv, line 1: missing the EES columns ['time_identifier'] "
     "(the header is ['time_period', 'geographic_level', 'number'])"),
    (csv_text("2024,Reporting year,National,E92000001,England,,,,,,Total,Total,1"), "bad.csv, line 2: 13 fields, expected 14"),
    (csv_text("2024,Reporting year,National,E92000001,England,,,,,,Total,Total,1,2",
              "2024/25,Reporting year,National,E92000001,England,,,,,,Total,Total,1,2"),
     "bad.csv, line 3: time_period '2024/25' is not 4 or 6 digits (EES writes 2024 or 202425)"),
    (csv_text("202426,Financial year,National,E92000001,England,,,,,,Total,Total,1,2"),
     "bad.csv, line 2: time_period '202426' does not span two consecutive years"),
    (csv_text("2024,Reporting year,Galaxy,E92000001,England,,,,,,Total,Total,1,2"),
     "bad.csv, line 2: geographic_level 'Galaxy' is not an EES level"),
    (csv_text("2024,Reporting year,Local authority,E92000001,England,,,,,,Total,Total,1,2"),
     "bad.csv, line 2: a Local authority row has neither a usable code ('') nor a name"),
    ("time_period,time_identifier,geographic_level,number,number\n", "bad.csv, line 1: duplicate column names ['number']"),
    (b"\xff\xfe\x00t", "bad.csv: is not UTF-8 text (bad byte at offset 0)"),
])
def test_a_bad_file_names_the_file_line_and_reason(text, message):
    with pytest.raises(TidyError) as err:
        parse_csv(text, "bad.csv")
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)
