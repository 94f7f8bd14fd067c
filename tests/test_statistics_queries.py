"""The statistics read model and charts on a small store built from literals: live EES vintages and a
curated figure side by side, a suppressed council, and reorganised councils."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest

from kinmon import store
from kinmon.charts import statistics as charts
from kinmon.ingest.statistics import load_geography
from kinmon.queries import statistics as q

SGO = "cla_ceased_special_guardianship_order"
R10, R11, C24, C25 = "ees:ds1:1.0", "ees:ds1:1.1", "curated-2024", "curated-2025"
RETRIEVED = datetime(2026, 1, 5, 9, 0)


def obs(time_period, level, code, name, value, release, *, suppression=None, latest=True, period_end=None,
        ident="Reporting year", text=None):
    source = "ees:ds1" if release.startswith("ees") else "figure:x"
    end = period_end or (date.fromisoformat(time_period[-10:]) if "-" in time_period else date(int(time_period), 3, 31))
    return (SGO, time_period, ident if source == "ees:ds1" else None, end, level, code, name, "",
            json.dumps({"characteristic": "Special guardianship order"}) if source == "ees:ds1" else None,
            "number" if source == "ees:ds1" else None, value, text, suppression, "children", release, latest, None,
            source, f"https://example.org/{release}", RETRIEVED)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    db = tmp_path_factory.mktemp("stats") / "kinmon.duckdb"
    with store.writer(db, fresh=True) as w:
        load_geography(w)
        for sid, publisher, licence in (("ees:ds1", "Department for Education", "Open Government Licence v3.0"),
                                        ("figure:x", "Family Rights Group", "Quoted")):
            store.upsert_source(w, sid, publisher=publisher, title=sid, url=None, licence=licence, licence_url=None,
                                retrieved_at=RETRIEVED)
        w.executemany("INSERT INTO release (release_id, publication, title, published_on, dataset_id, dataset_version, url, "
                      "is_latest, newer_available, source_id, retrieved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (R10, "CLA", "Reporting year 2024", date(2024, 11, 14), "ds1", "1.0", "https://e/2024", False, "1.1",
             "ees:ds1", RETRIEVED),
            (R11, "CLA", "Reporting year 2025", date(2025, 11, 20), "ds1", "1.1", "https://e/2025", True, None,
             "ees:ds1", RETRIEVED),
            (C24, "CLA 2024 as reported", "CLA 2024 as reported", None, None, None, "https://c/2024", True, None,
             "figure:x", RETRIEVED),
            (C25, "CLA 2025 as reported", "CLA 2025 as reported", None, None, None, "https://c/2025", True, None,
             "figure:x", RETRIEVED),
        ])
        w.execute("INSERT INTO series (series_id, title, unit, priorities, is_context, source_id) VALUES "
                  "(?, 'Children leaving care through a special guardianship order', 'children', [2, 3], false, 'ees:ds1')",
                  [SGO])
        w.executemany(f"INSERT INTO observation VALUES ({', '.join('?' * 20)})", [
            obs("2011-03-31", "National", "E92000001", "England", 1780.0, C25, period_end=date(2011, 3, 31)),
            obs("2023-04-01/2024-03-31", "National", "E92000001", "England", 3860.0, C24, latest=False),
            obs("2023-04-01/2024-03-31", "National", "E92000001", "England", 3890.0, C25),
            obs("2024", "National", "E92000001", "England", 3860.0, R10, latest=False),
            obs("2024", "National", "E92000001", "England", 3890.0, R11),
            obs("2025", "National", "E92000001", "England", 4110.0, R11),
            obs("2022", "Local authority", "E10000023", "North Yorkshire", 45.0, R10),
            obs("2023", "Local authority", "E06000065", "North Yorkshire", 50.0, R11),
            obs("2024", "Local authority", "E06000065", "North Yorkshire", 48.0, R11),
            obs("2024", "Local authority", "E06000061", "North Northamptonshire", 40.0, R11),
            obs("2024", "Local authority", "E06000001", "Hartlepool", None, R11, suppression="c"),
            obs("2024", "Local authority", "E06000002", "Middlesbrough", 48.0, R11),
            obs("2021", "Local authority", "E10000021", "Northamptonshire", 64.0, R10),
        ])
    c = store.connect_readonly(db)
    yield c
    c.close()


def test_export_has_one_row_per_value_with_its_release_and_source(con):
    df = q.observations_export(con)
    assert list(df.columns) == [
        "Series", "Series title", "Period", "Period ends", "Level", "Area", "Area code", "Breakdown", "Indicator",
        "Value", "Suppressed", "Published in words", "Unit", "Release", "Published", "Latest release", "Publisher",
        "Source", "Licence", "Retrieved", "Release id", "Source id"]
    assert len(df) == 13
    assert str(df["Value"].dtype) == "float64"  # a number, never "4,110"
    row = df[(df["Release id"] == R11) & (df["Period"] == "2025")].iloc[0]
    assert (row["Series title"], row["Area code"], row["Value"], row["Release"], row["Publisher"],
            row["Source"]) == ("Children leaving care through a special guardianship order", "E92000001", 4110.0,
                               "Reporting year 2025", "Department for Education", "https://example.org/ees:ds1:1.1")
    assert row["Published"] == pd.Timestamp("2025-11-20") and bool(row["Latest release"])
    hartlepool = df[df["Area code"] == "E06000001"].iloc[0]
    assert pd.isna(hartlepool["Value"]) and hartlepool["Suppressed"] == "c"
    assert len(q.observations_export(con, "nothing")) == 0


def test_measures_lists_series_with_values(con):
    m = q.measures(con)
    assert list(m["series_id"]) == [SGO]
    assert int(m["n_values"].iloc[0]) == 13 and int(m["n_local_authorities"].iloc[0]) == 6
    assert list(m["geographic_levels"].iloc[0]) == ["Local authority", "National"]
    assert m["latest_published_on"].iloc[0] == pd.Timestamp("2025-11-20")


def test_latest_vintage_of_england_merges_live_and_curated_by_period(con):
    df = q.series_values(con, SGO)
    assert list(zip(df["slot"], df["release_id"], df["display"])) == [
        ("2011-03-31", C25, "1,780"), ("2024-03-31", R11, "3,890"), ("2025-03-31", R11, "4,110")]
    every = q.series_values(con, SGO, all_vintages=True)
    assert len(every) == 6 and int(every["is_shown_vintage"].sum()) == 3
    ranged = q.series_values(con, SGO, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert list(ranged["value"]) == [3890.0]


def test_a_continuous_council_carries_its_old_code_and_says_so(con):
    df = q.series_values(con, SGO, "E06000065")
    assert list(zip(df["time_period"], df["value"], df["recorded_as"].fillna(""))) == [
        ("2022", 45.0, "North Yorkshire (E10000023)"), ("2023", 50.0, ""), ("2024", 48.0, "")]
    split = q.series_values(con, SGO, "E06000061")
    assert list(split["time_period"]) == ["2024"]  # Northamptonshire's 2021 is not joined to a split successor


def test_places_hide_a_continued_code_and_label_an_abolished_council(con):
    g = q.geographies(con, SGO)
    assert list(zip(g["geography_code"], g["label"])) == [
        ("E92000001", "England"), ("E06000001", "Hartlepool"), ("E06000002", "Middlesbrough"),
        ("E06000061", "North Northamptonshire"), ("E06000065", "North Yorkshire"),
        ("E10000021", "Northamptonshire (until 2021)")]


def test_councils_ranked_with_the_suppressed_one_last_as_its_code(con):
    assert q.la_periods(con, SGO) == [date(2024, 3, 31), date(2023, 3, 31), date(2022, 3, 31), date(2021, 3, 31)]
    df = q.la_comparison(con, SGO)
    assert list(zip(df["geography_name"], df["display"], df["rank"].astype("Int64").astype(object))) == [
        ("Middlesbrough", "48", 1), ("North Yorkshire", "48", 1), ("North Northamptonshire", "40", 3),
        ("Hartlepool", "c", pd.NA)]
    assert list(q.la_comparison(con, SGO, date(2022, 3, 31))["geography_code"]) == ["E10000023"]


def test_what_changed_between_vintages(con):
    df = q.vintage_changes(con, SGO)
    assert list(zip(df["slot"], df["earlier_release_id"], df["earlier_display"], df["later_release_id"],
                    df["later_display"], df["change"])) == [("2024-03-31", R10, "3,860", C25, "3,890", 30.0)]


def test_reorganisation_notes(con):
    assert q.geography_notes(con, "E06000065") == [
        "North Yorkshire took over from North Yorkshire (E10000023) on 1 April 2023, covering the same area: "
        "earlier values are shown under the old code."]
    assert q.geography_notes(con, "E10000021") == [
        "Northamptonshire (E10000021) was abolished on 31 March 2021; its area passed to North Northamptonshire "
        "(E06000061) and West Northamptonshire (E06000062), so its figures are not directly comparable with theirs."]
    assert q.geography_notes(con, "E06000058") == [
        "Bournemouth, Christchurch and Poole was created on 1 April 2019 by the reorganisation of Bournemouth "
        "(E06000028), Dorset (E10000009) and Poole (E06000029): earlier years are not comparable and are not shown "
        "as Bournemouth, Christchurch and Poole."]
    assert q.geography_notes(con, "E06000001") == []


@pytest.mark.parametrize("value, text, code, shown", [
    (None, None, "c", "c"), (float("nan"), None, "low", "low"), (1234.0, None, None, "1,234"), (2.5, None, None, "2.5"),
    (None, "one in three", None, "one in three"), (None, None, None, "no value published"),
    (float("nan"), float("nan"), float("nan"), "no value published"), (0.0, None, None, "0"),
])
def test_display_value(value, text, code, shown):
    assert q.display_value(value, text, code) == shown


def test_series_chart_shows_a_suppressed_value_as_its_code_not_zero(con):
    df = q.series_values(con, SGO, "E06000001")
    fig = charts.series_over_time(df, "Hartlepool", "Source: DfE", "children")
    assert [a.text for a in fig.layout.annotations if a.yref == "paper" and a.xref == "x"] == ["c"]
    assert all(0 not in list(t.y if t.y is not None else ()) for t in fig.data)
    assert fig.layout.title.text == "Hartlepool"
    assert "Source: DfE" in fig.layout.xaxis.title.text  # the source sits under the x axis (charts.core)


def test_councils_chart_keeps_the_suppressed_council_without_a_bar(con):
    df = q.la_comparison(con, SGO)
    fig = charts.councils_ranked(df, "Ranked", "Source: DfE", "children", highlight="E06000061")
    bars = fig.data[0]
    assert list(bars.y) == ["Hartlepool", "North Northamptonshire", "North Yorkshire", "Middlesbrough"]
    assert pd.isna(bars.x[0]) and list(bars.x[1:]) == [40.0, 48.0, 48.0]
    assert bars.marker.color[1] == charts.HIGHLIGHT_COLOUR
    assert [a.text for a in fig.layout.annotations if a.yref == "y"] == [" c"]


def test_titles_are_plain():
    assert charts.chart_title("Children in need", "England", date(2013, 1, 1), date(2025, 12, 31)) == \
        "Children in need: England, 2013 to 2025"
