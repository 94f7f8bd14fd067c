"""The statistics ingest end to end: a real local server in EES's shapes, a real store, exact values."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fixtures_ees import (CAO, CEASED_ROWS, DS_CEASED, DS_CIN, DS_CLA_TIME_SERIES, PUB_CLA, REASON, SGO_2024,
                          SGO_2025, TS_TITLE, cin_csv, listed_data_set, option_id, paged_list, query_handler,
                          registry_entries, serve_ceased, serve_cin, serve_time_series, write_registry)
from helpers import rows, sha256, values
from replay import Reply

from kinmon import store
from kinmon.ingest import IngestError, read_journal
from kinmon.ingest.statistics import ReleaseOptions, file_series_id, ingest_file, ingest_statistics
from kinmon.queries import statistics as stats

PUBLICATION_PAGE = ("https://explore-education-statistics.service.gov.uk/find-statistics/"
                    "children-looked-after-in-england-including-adoptions")
RELEASE_2024 = ("https://explore-education-statistics.service.gov.uk/find-statistics/"
                "children-looked-after-in-england-including-adoptions/2024")
SKIPPED = ("skipped 1 series with no EES data set id yet (see dataset_id_note in series.json): "
           "cla_in_kinship_foster_care_31_march")
CEASED_CSV = "\n".join([
    "\ufefftime_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,la_name,new_la_code,cla_group,characteristic,number,percentage",
    "2021,Reporting year,National,E92000001,England,,,,,,Reason episode ceased,Special guardianship orders,\"3,820\",14",
    "2021,Reporting year,National,E92000001,England,,,,,,Reason episode ceased,"
    "Residence order or child arrangement order granted,\"1,060\",4",
    "2021,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,928,Northamptonshire,E10000021,"
    "Reason episode ceased,Special guardianship orders,64,12",
    "2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,928,Northamptonshire,E10000021,"
    "Reason episode ceased,Special guardianship orders,z,z",
    "2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,940,North Northamptonshire,E06000061,"
    "Reason episode ceased,Special guardianship orders,31,9",
    "2022,Reporting year,Local authority,E92000001,England,E12000001,North East,805,Hartlepool,E06000001,"
    "Reason episode ceased,Special guardianship orders,c,c",
    "",
])


@pytest.fixture
def world(replay, db_path, tmp_path, monkeypatch) -> tuple[Path, Path]:
    """An empty published store, the fake EES serving version 1.0, and a test registry."""
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    serve_ceased(replay, versions=("1.0",))
    serve_cin(replay)
    with store.writer(db_path, fresh=True):
        pass
    return db_path, write_registry(tmp_path / "series.json")




def test_ingest_loads_registered_series_with_exact_values(world, replay):
    db, registry = world
    result = ingest_statistics(db, registry_path=registry)
    assert (result.status, result.rows_added, result.rows_updated) == ("succeeded", 26, 0)
    assert (result.cursor, result.notes) == ("latest published 2025-10-30", SKIPPED)
    r10 = f"ees:{DS_CEASED}:1.0"
    assert values(db, "cla_ceased_special_guardianship_order") == [
        ("2021", 3800.0, None, r10, True), ("2022", 3870.0, None, r10, True), ("2023", 3830.0, None, r10, True),
        ("2024", 3860.0, None, r10, True)]
    assert values(db, "cla_ceased_residence_or_child_arrangements_order", "E06000001") == [
        ("2024", None, "low", r10, True)]
    assert values(db, "cla_ceased_special_guardianship_order", "E06000001") == [
        ("2023", None, "c", r10, True), ("2024", 27.0, None, r10, True)]
    (row,) = rows(db, """SELECT time_identifier, period_end, geographic_level, geography_name, filter_key, filters,
                                indicator, unit, source_id, source_url FROM observation
                         WHERE series_id = 'cla_ceased_special_guardianship_order' AND geography_code = 'E12000001'""")
    assert row[:5] == ("Reporting year", date(2024, 3, 31), "Regional", "North East", "")
    assert json.loads(row[5]) == {"characteristic": SGO_2024, "cla_group": REASON}
    assert row[6:] == ("number", "children", f"ees:{DS_CEASED}", RELEASE_2024)
    # The CSV path: children in need, with a BOM, commas in numbers and a council found by its old code.
    rcin = f"ees:{DS_CIN}:1.0"
    assert rows(db, """SELECT time_period, geographic_level, geography_code, value, suppression FROM observation
                       WHERE series_id = 'children_in_need_at_31_march' AND release_id = ?
                       ORDER BY geographic_level, geography_code, time_period""", [rcin]) == [
        ("2025", "Local authority", "E06000001", None, "x"), ("2025", "Local authority", "E06000061", 1234.0, None),
        ("2024", "National", "E92000001", 399460.0, None), ("2025", "National", "E92000001", 402400.0, None),
        ("2025", "Regional", "E12000001", 27050.0, None)]
    assert rows(db, "SELECT count(*) FROM observation WHERE value = 0") == [(0,)]


def test_ingest_records_release_source_and_series(world, replay):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    assert rows(db, f"""SELECT publication, title, published_on, dataset_id, dataset_version, url, is_latest,
                               newer_available, source_id FROM release WHERE dataset_id = '{DS_CEASED}'""") == [(
        "Children looked after in England including adoptions",
        "Reporting year 2024: Children looked after who ceased during the year - by local authority (version 1.0)",
        date(2024, 11, 14), DS_CEASED, "1.0", RELEASE_2024, True, None, f"ees:{DS_CEASED}")]
    assert rows(db, "SELECT publisher, url, licence, licence_url FROM source WHERE source_id = ?",
                [f"ees:{DS_CEASED}"]) == [(
        "Department for Education", f"{replay.url}/v1/data-sets/{DS_CEASED}", "Open Government Licence v3.0",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")]
    assert rows(db, """SELECT title, unit, priorities, dataset_id, indicator, is_context, source_id FROM series
                       WHERE series_id = 'cla_ceased_residence_or_child_arrangements_order'""") == [(
        "Cla ceased residence or child arrangements order", "children", [2, 3], DS_CEASED, "number", False,
        f"ees:{DS_CEASED}")]
    assert rows(db, "SELECT count(*) FROM series WHERE series_id = 'cla_in_kinship_foster_care_31_march'") == [(0,)]
    assert rows(db, "SELECT name, valid_to, successor_code FROM geography WHERE code = 'E10000021'") == [
        ("Northamptonshire", date(2021, 3, 31), "E06000061;E06000062")]


def test_a_recoded_council_is_continuous_and_a_split_one_is_labelled(world):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    con = store.connect_readonly(db)
    try:
        ny = stats.series_values(con, "cla_ceased_special_guardianship_order", "E06000065")
        assert list(zip(ny["time_period"], ny["value"], ny["recorded_as"].fillna(""))) == [
            ("2022", 45.0, "North Yorkshire (E10000023)"), ("2023", 50.0, ""), ("2024", 48.0, "")]
        north = stats.series_values(con, "cla_ceased_special_guardianship_order", "E06000061")
        assert list(zip(north["time_period"], north["display"])) == [("2021", "z"), ("2022", "31"), ("2023", "35"),
                                                                     ("2024", "40")]
        assert stats.geography_notes(con, "E06000061")[0].startswith(
            "North Northamptonshire was created on 1 April 2021 by the split of Northamptonshire (E10000021)")
        labels = stats.geographies(con, "cla_ceased_special_guardianship_order")
        assert "Northamptonshire (until 2021)" in set(labels["label"]) and "E10000023" not in set(labels["geography_code"])
    finally:
        con.close()


def test_query_asks_for_just_the_series_and_follows_pages(world, replay):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    posts = replay.hits(f"/v1/data-sets/{DS_CEASED}/query")
    sgo, cao = [p for p in posts if p.json()["page"] == 1]
    assert sgo.json()["criteria"] == {"and": [
        {"filters": {"eq": option_id(REASON)}}, {"filters": {"eq": option_id(SGO_2024)}},
        {"geographicLevels": {"in": ["NAT", "REG", "LA"]}}]}
    assert sgo.json()["indicators"] == ["iNum1"]
    assert cao.json()["criteria"]["and"][1] == {"filters": {"eq": option_id(CAO)}}
    # 16 SGO rows and 5 CAO rows, four to a page.
    assert [p.json()["page"] for p in posts] == [1, 2, 3, 4, 1, 2]


def test_rerun_adds_nothing(world):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    before = rows(db, "SELECT * FROM observation ORDER BY ALL")
    again = ingest_statistics(db, registry_path=registry)
    assert (again.status, again.rows_added, again.rows_updated) == ("succeeded", 0, 0)
    assert rows(db, "SELECT * FROM observation ORDER BY ALL") == before


def test_a_newer_release_keeps_every_vintage_and_marks_the_latest(world, replay):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    serve_ceased(replay, versions=("1.0", "1.1", "2.0"))  # 1.1 restates earlier years; 2.0 is outside the pin 1.*
    result = ingest_statistics(db, registry_path=registry)
    # 8 SGO and 5 CAO values are new; 10 values of 1.0 are now superseded.
    assert (result.rows_added, result.rows_updated) == (13, 10)
    r10, r11 = f"ees:{DS_CEASED}:1.0", f"ees:{DS_CEASED}:1.1"
    assert values(db, "cla_ceased_special_guardianship_order") == [
        ("2021", 3800.0, None, r10, False), ("2021", 3820.0, None, r11, True),
        ("2022", 3870.0, None, r10, False), ("2022", 3910.0, None, r11, True),
        ("2023", 3830.0, None, r10, False), ("2023", 3870.0, None, r11, True),
        ("2024", 3860.0, None, r10, False), ("2024", 3890.0, None, r11, True),
        ("2025", 4110.0, None, r11, True)]
    # The renamed label ("order" for "orders") is the same series; the published words are kept.
    (filters,) = rows(db, "SELECT filters FROM observation WHERE release_id = ? AND time_period = '2025' "
                          "AND series_id = 'cla_ceased_special_guardianship_order' AND geography_code = 'E92000001'", [r11])[0]
    assert json.loads(filters)["characteristic"] == SGO_2025
    # Values only the older release had stay the latest there is.
    assert values(db, "cla_ceased_special_guardianship_order", "E12000001") == [("2024", 510.0, None, r10, True)]
    assert rows(db, f"SELECT release_id, is_latest, newer_available FROM release WHERE dataset_id = '{DS_CEASED}' "
                    "ORDER BY release_id") == [(r10, False, "2.0"), (r11, True, "2.0")]
    assert ingest_statistics(db, registry_path=registry).rows_added == 0


def test_a_429_and_a_500_are_retried_then_succeed(world, replay):
    db, registry = world
    summary = replay.routes[("GET", f"/v1/data-sets/{DS_CEASED}")]
    replay.route("GET", f"/v1/data-sets/{DS_CEASED}",
                 [Reply.json({"title": "Too Many Requests", "status": 429}, status=429, headers={"Retry-After": "0"}),
                  summary])
    answer = query_handler(CEASED_ROWS)
    calls = []

    def flaky(req):
        calls.append(req)
        if len(calls) == 1:
            return Reply.json({"title": "There was a problem processing the request.", "status": 500}, status=500)
        return answer(req)

    replay.route("POST", f"/v1/data-sets/{DS_CEASED}/query", flaky)
    result = ingest_statistics(db, registry_path=registry)
    assert (result.status, result.rows_added) == ("succeeded", 26)
    assert len(replay.hits(f"/v1/data-sets/{DS_CEASED}")) == 2
    assert values(db, "cla_ceased_special_guardianship_order")[0] == ("2021", 3800.0, None, f"ees:{DS_CEASED}:1.0", True)


def test_persistent_failure_leaves_the_store_byte_identical(world, replay, monkeypatch):
    db, registry = world
    ingest_statistics(db, registry_path=registry)
    before = sha256(db)
    monkeypatch.setenv("KINMON_HTTP_RETRIES", "1")
    replay.route("POST", f"/v1/data-sets/{DS_CEASED}/query",
                 Reply.json({"title": "There was a problem processing the request.", "type": "Internal Server Error",
                             "status": 500}, status=500))
    with pytest.raises(IngestError) as err:
        ingest_statistics(db, registry_path=registry)
    assert "There was a problem processing the request." in str(err.value)
    assert sha256(db) == before
    last = read_journal(db)[-1]
    assert (last.source, last.status) == ("statistics", "failed")
    assert last.error == (f"{replay.url}/v1/data-sets/{DS_CEASED}/query?dataSetVersion=1.0: "
                          "HTTP 500 error: There was a problem processing the request.")
    assert [r.status for r in read_journal(db)] == ["succeeded", "failed"]


def test_a_filter_can_be_given_by_its_api_option_id(world):
    db, _ = world
    entries = registry_entries()[:1]
    entries[0]["filters"] = {"cla_group": [option_id(REASON)], "characteristic": [option_id(SGO_2024)]}
    result = ingest_statistics(db, registry_path=write_registry(world[1].parent / "ids.json", entries))
    assert result.rows_added == 16
    assert values(db, "cla_ceased_special_guardianship_order")[-1] == ("2024", 3860.0, None, f"ees:{DS_CEASED}:1.0", True)


def test_a_series_that_does_not_match_the_metadata_is_skipped_with_a_note(world):
    db, _ = world
    entries = registry_entries()[:1]
    entries[0]["filters"] = {"cla_group": [REASON], "characteristic": ["Special guardianship (kin only)"]}
    registry = write_registry(world[1].parent / "mismatch.json", entries)
    result = ingest_statistics(db, registry_path=registry)
    assert result.status == "succeeded" and result.rows_added == 0
    assert result.cursor == "latest published 2024-11-14"
    assert result.notes == (
        "cla_ceased_special_guardianship_order: filter characteristic = "
        "['Special guardianship (kin only)'] is not in data set " + DS_CEASED +
        " (found ['Adopted', 'Residence order or child arrangement order granted', 'Special guardianship orders', "
        "'Total']): skipped")


def test_ingest_file_from_a_local_path(db_path, tmp_path):
    with store.writer(db_path, fresh=True):
        pass
    path = tmp_path / "la_children_who_ceased_during_the_year.csv"
    path.write_text(CEASED_CSV, encoding="utf-8")
    result = ingest_file(db_path, path)
    # 6 rows x 2 indicators as file series; 5 SGO and 1 CAO rows for the registry series the file
    # matches, and as many for their percentage series.
    assert (result.source, result.status, result.rows_added, result.rows_updated) == ("file", "succeeded", 24, 0)
    sid = file_series_id(path.name, "number")
    assert sid == "la_children_who_ceased_during_the_year__number"
    assert rows(db_path, """SELECT time_period, geography_code, filter_key, value, suppression FROM observation
                            WHERE series_id = ? AND geographic_level = 'Local authority' ORDER BY 1, 2""", [sid]) == [
        ("2021", "E10000021", "characteristic=Special guardianship orders|cla_group=Reason episode ceased", 64.0, None),
        ("2022", "E06000001", "characteristic=Special guardianship orders|cla_group=Reason episode ceased", None, "c"),
        ("2022", "E06000061", "characteristic=Special guardianship orders|cla_group=Reason episode ceased", 31.0, None),
        ("2022", "E10000021", "characteristic=Special guardianship orders|cla_group=Reason episode ceased", None, "z")]
    # Not a registered file: the publication comes from the registry series its name matches, the rest
    # is assumed and said so; every value still has a source URL (the publication page).
    source_id, page = f"file:{path.resolve()}", PUBLICATION_PAGE
    y21, y22 = "2020-04-01/2021-03-31", "2021-04-01/2022-03-31"
    assert rows(db_path, """SELECT time_period, geography_code, filter_key, value, suppression, source_id, source_url
                            FROM observation WHERE series_id = 'cla_ceased_special_guardianship_order'
                            ORDER BY 1, 2""") == [
        (y21, "E10000021", "", 64.0, None, source_id, page), (y21, "E92000001", "", 3820.0, None, source_id, page),
        (y22, "E06000001", "", None, "c", source_id, page), (y22, "E06000061", "", 31.0, None, source_id, page),
        (y22, "E10000021", "", None, "z", source_id, page)]
    assert rows(db_path, "SELECT publisher, title, licence FROM source WHERE source_id = ?", [source_id]) == [
        ("Department for Education", "Children looked after in England including adoptions: "
                                      f"{path.name}, release not registered", "Open Government Licence v3.0")]
    notes = result.notes.splitlines()
    assert f"{path.name}: publication 'Children looked after in England including adoptions' (the file name matches " \
           "series cla_ceased_special_guardianship_order)" in notes
    assert f"{path.name}: publication date unknown (give --published YYYY-MM-DD)" in notes
    assert rows(db_path, "SELECT title, unit FROM series WHERE series_id = ?", [sid]) == [
        ("Number (la_children_who_ceased_during_the_year.csv)", "")]
    assert ingest_file(db_path, path).rows_added == 0


def test_ingest_file_takes_the_release_from_the_options(db_path, tmp_path):
    with store.writer(db_path, fresh=True):
        pass
    path = tmp_path / "my_table.csv"
    path.write_text(CEASED_CSV, encoding="utf-8")
    options = ReleaseOptions(publication="A publication", release="Its 2026 release", published=date(2026, 3, 5),
                             source_url="https://example.org/release")
    result = ingest_file(db_path, path, options=options)
    assert result.cursor == "latest published 2026-03-05"
    assert rows(db_path, """SELECT DISTINCT r.publication, r.title, r.published_on, r.url, o.source_url
                            FROM observation o JOIN release r USING (release_id)""") == [
        ("A publication", "Its 2026 release", date(2026, 3, 5), "https://example.org/release",
         "https://example.org/release")]
    assert rows(db_path, "SELECT DISTINCT publisher, licence FROM source WHERE source_id LIKE 'file:%'") == [
        ("Local file", "Not recorded: check the publisher's licence")]


def test_ingest_file_over_http_and_a_changed_file_is_a_new_vintage(db_path, replay):
    with store.writer(db_path, fresh=True):
        pass
    url = f"{replay.url}/files/b1_children_in_need_2013_to_2025.csv"
    replay.route("GET", "/files/b1_children_in_need_2013_to_2025.csv", Reply.text(cin_csv(), content_type="text/csv"))
    first = ingest_file(db_path, url)
    assert (first.status, first.rows_added) == ("succeeded", 15)  # 5 rows x 2 indicators, and 5 for the registry
    assert rows(db_path, """SELECT time_period, geography_code, value, suppression, source_url FROM observation
                            WHERE series_id = 'children_in_need_at_31_march' ORDER BY 2, 1""") == [
        ("2025-03-31", "E06000001", None, "x", url), ("2025-03-31", "E06000061", 1234.0, None, url),
        ("2025-03-31", "E12000001", 27050.0, None, url), ("2024-03-31", "E92000001", 399460.0, None, url),
        ("2025-03-31", "E92000001", 402400.0, None, url)]
    assert rows(db_path, "SELECT publisher, url, licence FROM source WHERE source_id = ?", [f"file:{url}"]) == [
        ("Department for Education", url, "Open Government Licence v3.0")]
    revised = cin_csv().replace('"399,460"', '"399,470"')
    replay.route("GET", "/files/b1_children_in_need_2013_to_2025.csv", Reply.text(revised, content_type="text/csv"))
    second = ingest_file(db_path, url)
    assert (second.rows_added, second.rows_updated) == (15, 15)
    assert rows(db_path, """SELECT value, is_latest FROM observation WHERE series_id = 'children_in_need_at_31_march'
                            AND time_period = '2024-03-31' ORDER BY value""") == [(399460.0, False), (399470.0, True)]


def test_a_bad_file_fails_cleanly_naming_the_line(db_path, tmp_path):
    with store.writer(db_path, fresh=True):
        pass
    before = sha256(db_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(CEASED_CSV.replace("2022,Reporting year,Local authority,E92000001,England,E12000001",
                                      "2022/23,Reporting year,Local authority,E92000001,England,E12000001"))
    with pytest.raises(IngestError) as err:
        ingest_file(db_path, bad)
    assert str(err.value) == ("file ingest failed, store left unchanged: TidyError: bad.csv, line 7: time_period "
                              "'2022/23' is not 4 or 6 digits (EES writes 2024 or 202425)")
    assert sha256(db_path) == before
    assert read_journal(db_path)[-1].status == "failed"


def _cli(*args: str, env: dict | None = None):
    import os
    import subprocess
    import sys

    from kinmon.config import PROJECT_ROOT

    return subprocess.run([sys.executable, "-m", "kinmon", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, **(env or {})}, timeout=180)


def test_the_command_line_loads_a_file_and_exports_observations(tmp_path, replay):
    import csv
    import io

    db = tmp_path / "kinmon.duckdb"
    assert _cli("init", "--db", str(db)).returncode == 0
    path = tmp_path / "la_children_who_ceased_during_the_year.csv"
    path.write_text(CEASED_CSV, encoding="utf-8")
    loaded = _cli("ingest", "file", str(path), "--db", str(db))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("file: succeeded, 24 added, 0 updated")
    assert "  note: la_children_who_ceased_during_the_year.csv: release title" in loaded.stdout

    exported = _cli("export", "observations", "--format", "csv", "--output", "-", "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    columns = ["Series", "Period", "Level", "Area code", "Area", "Breakdown", "Indicator", "Value", "Suppressed",
               "Unit", "Release", "Published", "Source", "Retrieved", "Release id"]
    assert set(columns) <= set(table[0])
    hartlepool = [r for r in table if r["Series"] == "cla_ceased_special_guardianship_order"
                  and r["Area code"] == "E06000001" and r["Period"] == "2021-04-01/2022-03-31"
                  and r["Release id"].startswith("file:")]
    assert [(r["Value"], r["Suppressed"]) for r in hartlepool] == [("", "c")]  # suppressed, never 0
    shipped = [r for r in table if r["Series"] == "children_looked_after_31_march" and r["Period"] == "2021-03-31"
               and r["Area code"] == "E92000001"]
    assert [(r["Value"], r["Release id"], r["Published"]) for r in shipped] == [("80780.0", "dfe-cla-2025", "2025-11-26")]

    # the shipped registry pins the real time-series data set; the SGO series' catalogue title is not
    # among the publication's API data sets: the run succeeds and says what it skipped
    serve_time_series(replay)
    replay.route("GET", f"/v1/publications/{PUB_CLA}/data-sets",
                 paged_list([listed_data_set(DS_CLA_TIME_SERIES, TS_TITLE)], 20))
    live = _cli("ingest", "statistics", "--db", str(db), env={"KINMON_EES_API": replay.url})
    assert live.returncode == 0, live.stderr
    # 10 national values; the same 10 from the 2025 file, published the same day, give way to them as latest
    assert "statistics: succeeded, 10 added, 10 updated, cursor latest published 2025-11-26" in live.stdout
    assert f"  note: cla_ceased_special_guardianship_order: no EES data set of publication {PUB_CLA} has the title " \
           "['CLA ceasing during the year - characteristics - by local authority']" in live.stdout
    assert "children_social_workers_in_post_fte" in live.stdout
