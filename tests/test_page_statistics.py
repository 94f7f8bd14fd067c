"""The statistics page (AppTest) on a store built from the snapshot, plus one DfE CSV loaded with
`ingest file`: real content renders, suppressed values show as their code, never 0."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT
from kinmon.ingest.statistics import ingest_file

TIMEOUT = 60
CEASED_CSV = "\n".join([
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,cla_group,characteristic,number,percentage",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,"
    "Reason episode ceased,Special guardianship orders,27,8",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,806,E06000002,Middlesbrough,"
    "Reason episode ceased,Special guardianship orders,c,c",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,807,E06000003,Redcar and Cleveland,"
    "Reason episode ceased,Special guardianship orders,22,7",
    "2024,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940,E06000061,North Northamptonshire,"
    "Reason episode ceased,Special guardianship orders,40,9",
    "",
])


@pytest.fixture(scope="module")
def store_path(snapshot_store):
    csv = snapshot_store.parent / "la_children_who_ceased_during_the_year.csv"
    csv.write_text(CEASED_CSV, encoding="utf-8")
    ingest_file(snapshot_store, csv)
    return snapshot_store


@pytest.fixture(autouse=True)
def _on_store(store_path, use_store):
    use_store(store_path)


def open_page() -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "statistics.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, column: str):
    """The table that has `column`: 'recorded_as' is the series table, 'rank' the councils ranking."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_default_view_is_special_guardianship_in_england_with_chart_table_and_ranking():
    at = open_page()
    assert at.title[0].value == "What do the published statistics show?"
    assert at.selectbox(key="measure__w").value == "cla_ceased_special_guardianship_order"
    assert at.subheader[0].value.startswith("Children leaving care through a special guardianship order: England, ")
    assert len(at.get("plotly_chart")) == 2
    series = frame(at, "recorded_as")
    latest = series[series["time_period"] == "2024-04-01/2025-03-31"]
    assert list(latest["display"]) == ["4,110"]
    councils = frame(at, "rank")
    assert list(councils["geography_name"])[:3] == ["North Northamptonshire", "Hartlepool", "Redcar and Cleveland"]
    assert list(councils["display"])[:3] == ["40", "27", "22"]
    captions = "\n".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert "1 council has no number published for this year: Middlesbrough (c)." in captions


def test_all_councils_keep_the_suppressed_one_as_its_code():
    at = open_page()
    at.selectbox(key="show__w").set_value("all").run()
    assert not at.exception
    councils = frame(at, "rank")
    row = councils[councils["geography_name"] == "Middlesbrough"]
    assert list(row["display"]) == ["c"]
    assert row["rank"].isna().all()
    assert "0" not in list(councils["display"])


def test_choosing_a_council_shows_its_series_and_a_reorganisation_note():
    at = open_page()
    at.selectbox(key="level__w").set_value("Local authority").run()
    at.selectbox(key="place__w").set_value("E06000061").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Children leaving care through a special guardianship order: "
                                            "North Northamptonshire")
    assert any("created on 1 April 2021 by the split of Northamptonshire (E10000021)" in i.value.replace("\\", "")
               for i in at.info)
    assert list(frame(at, "recorded_as")["display"]) == ["40"]


def test_a_measure_given_in_words_and_an_ingested_file_series_render():
    at = open_page()
    options = at.selectbox(key="measure__w").options
    assert "Number (la_children_who_ceased_during_the_year.csv)" in options
    at.selectbox(key="measure__w").set_value("kinship_foster_children_not_expected_to_move_out_of_care").run()
    assert not at.exception
    assert len(frame(at, "recorded_as")) == 1 and frame(at, "recorded_as")["display"].iloc[0] not in ("0", "no value published")
