"""The statistics page (AppTest) on a store built from the snapshot (DfE's real figures, from the shipped
extract of its files) plus one CSV loaded with `ingest file`: real content renders with its release and
date, suppressed values show as their code, never 0."""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT
from kinmon.ingest.statistics import ingest_file

TIMEOUT = 60
R2024 = "Children looked after in England including adoptions, reporting year 2024"
R2025 = "Children looked after in England including adoptions, reporting year 2025"
OTHER_CSV = "\n".join([
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,cla_group,characteristic,number,percentage",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,"
    "Reason episode ceased,Special guardianship orders,27,8",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,806,E06000002,Middlesbrough,"
    "Reason episode ceased,Special guardianship orders,c,c",
    "",
])


@pytest.fixture(scope="module")
def store_path(snapshot_store):
    csv = snapshot_store.parent / "a_researchers_table.csv"  # matches no registry series: a file series of its own
    csv.write_text(OTHER_CSV, encoding="utf-8")
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
    """The table that has `column`: 'Latest release' is the series table, 'Rank' the councils ranking."""
    (found,) = [d.value for d in at.dataframe if column in d.value.columns]
    return found


def test_default_view_is_special_guardianship_in_england_with_dfe_releases_and_dates():
    at = open_page()
    assert at.title[0].value == "What do the published statistics show?"
    assert at.selectbox(key="measure__w").value == "cla_ceased_special_guardianship_order"
    assert at.subheader[0].value.startswith("Children leaving care through a special guardianship order: England, ")
    assert len(at.get("plotly_chart")) == 2
    series = frame(at, "Latest release")
    assert list(series.columns) == ["Period", "Value", "Suppressed", "Release", "Published", "Source", "Latest release"]
    # DfE's own figures only, each with its release and publication date, in one period shape
    assert list(zip(series["Period"], series["Value"], series["Release"], series["Published"].astype(str))) == [
        ("2019-04-01/2020-03-31", 3720.0, R2024, "2024-11-14"), ("2020-04-01/2021-03-31", 3820.0, R2025, "2025-11-26"),
        ("2021-04-01/2022-03-31", 3910.0, R2025, "2025-11-26"), ("2022-04-01/2023-03-31", 3870.0, R2025, "2025-11-26"),
        ("2023-04-01/2024-03-31", 3890.0, R2025, "2025-11-26"), ("2024-04-01/2025-03-31", 4110.0, R2025, "2025-11-26")]
    assert all(url.startswith("https://explore-education-statistics.service.gov.uk/") for url in series["Source"])
    # the chart's source line (also in its PNG) names exactly those releases, newest first
    # (charts.core.with_source puts the source line under the x axis, as part of its title)
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["title"]["text"]
    line = re.sub(r"<[^>]+>", " ", title.replace("<br>", " "))
    assert " ".join(line.split()).startswith(
        f"Source: Department for Education: {R2025} (published 26 Nov 2025 per the EES API); {R2024} (published "
        "14 Nov 2024). Open Government Licence v3.0.")
    councils = frame(at, "Rank")
    assert list(zip(councils["Area"], councils["Value"]))[:3] == [("Bradford", 129.0), ("Lancashire", 101.0),
                                                                  ("County Durham", 98.0)]
    captions = "\n".join(c.value for c in at.caption).replace("\\", "")  # markdown escapes
    assert "17 councils have no number published for this year: Bracknell Forest (c), Cumbria (z)," in captions


def test_all_councils_keep_the_suppressed_one_as_its_code():
    at = open_page()
    at.selectbox(key="show__w").set_value("all").run()
    assert not at.exception
    councils = frame(at, "Rank")
    row = councils[councils["Area"] == "Bracknell Forest"]
    assert list(row["Suppressed"]) == ["c"]
    # no number and no rank: a missing value is shown as a dash (ui.table), never 0
    assert (row["Value"] == "—").all() and (row["Rank"] == "—").all()
    coded = councils[councils["Suppressed"] != ""]
    assert len(coded) == 17 and (coded["Value"] == "—").all()  # a code is never a number, never 0


def test_choosing_a_council_shows_its_series_and_a_reorganisation_note():
    at = open_page()
    at.selectbox(key="level__w").set_value("Local authority").run()
    at.selectbox(key="place__w").set_value("E06000061").run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Children leaving care through a special guardianship order: "
                                            "North Northamptonshire")
    assert any("created on 1 April 2021 by the split of Northamptonshire (E10000021)" in i.value.replace("\\", "")
               for i in at.info)
    series = frame(at, "Latest release")
    assert list(series["Value"])[-3:] == ["23", "20", "26"]  # shown as text: a suppressed year is a dash


def test_a_second_hand_figure_is_its_own_labelled_series_and_a_file_series_renders():
    at = open_page()
    options = at.selectbox(key="measure__w").options
    assert "Number (a_researchers_table.csv)" in options
    at.selectbox(key="measure__w").set_value("cla_ceased_special_guardianship_order_as_reported").run()
    assert not at.exception
    assert "as reported by others" in at.subheader[0].value
    series = frame(at, "Latest release")
    assert "www.stowefamilylaw.co.uk" in " ".join(series["Source"])
    at.selectbox(key="measure__w").set_value("kinship_foster_children_not_expected_to_move_out_of_care").run()
    assert not at.exception
    (row,) = frame(at, "Latest release").to_dict("records")
    assert row["Label"] == "4 in 10" and row["Value"] == "—"  # the words, and no number (a dash), never 0
