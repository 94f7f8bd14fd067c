"""Finding a series' EES data set at run time: a registry `dataset_match` (publication and title)
resolved against the publication's data set list, served by a real local server in the API's shapes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fixtures_ees import (CAO, CEASED_TITLE, CIN_B1_TITLE, CLA_31_MARCH_TITLE, CLA_SLUG, DS_CEASED, DS_CEASED_OLD,
                          DS_CIN_B1, DS_CLA_31_MARCH, PUB_CIN, PUB_CLA, REASON, SGO_2024, SGO_2025, listed_data_set,
                          series_entry, serve_ceased, serve_data_sets, serve_discoverable_world, write_registry)

from helpers import rows, values

from kinmon import store
from kinmon.ingest.statistics import ingest_statistics

RELEASE_2024 = f"https://explore-education-statistics.service.gov.uk/find-statistics/{CLA_SLUG}/2024"
DATA_SETS = f"/v1/publications/{PUB_CLA}/data-sets"
OTHER = "0191d9a0-b174-7283-9495-a6b7c8d9e0f1"


@pytest.fixture
def world(replay, db_path, monkeypatch) -> Path:
    """An empty published store and the fake EES serving the ceased data set (version 1.0)."""
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    serve_ceased(replay, versions=("1.0",))
    with store.writer(db_path, fresh=True):
        pass
    return db_path




def matched(series_id: str, match: dict, **overrides) -> dict:
    return series_entry(series_id, None, dataset_match={"publication_id": PUB_CLA, **match}, **overrides)


def sgo(match: dict) -> dict:
    return matched("cla_ceased_special_guardianship_order", match,
                   filters={"cla_group": [REASON], "characteristic": [SGO_2025, SGO_2024]})


def test_a_series_found_by_title_loads_exact_values(world, replay, tmp_path):
    # Two series, one publication: its list (three pages of two) is fetched once. The title is given
    # in another case and with an en dash; the older data set of that title gives way to its successor.
    serve_data_sets(replay, PUB_CLA, [
        listed_data_set(OTHER, "CLA - placement stability - by local authority"),
        listed_data_set(DS_CEASED_OLD, CEASED_TITLE, status="Deprecated", supersedingDataSetId=DS_CEASED),
        listed_data_set("0191d9a0-c285-7394-a5a6-b7c8d9e0f1a2", CEASED_TITLE, status="Withdrawn"),
        listed_data_set("0191d9a0-d396-74a5-b6b7-c8d9e0f1a2b3", "Time series of children looked after data - 1994 to 2025"),
        listed_data_set(DS_CEASED, CEASED_TITLE),
    ], server_page_size=2)
    title = "children looked after who ceased during the year \u2013 BY LOCAL AUTHORITY"
    registry = write_registry(tmp_path / "series.json", [
        sgo({"title": ["An older title", title]}),
        matched("cla_ceased_residence_or_child_arrangements_order", {"title": title},
                filters={"cla_group": [REASON], "characteristic": CAO}),
    ])
    result = ingest_statistics(world, registry_path=registry)
    assert (result.status, result.rows_added, result.rows_updated) == ("succeeded", 21, 0)
    assert result.cursor == (
        "latest published 2024-11-14; cla_ceased_special_guardianship_order, "
        f"cla_ceased_residence_or_child_arrangements_order: using EES data set {DS_CEASED} '{CEASED_TITLE}', "
        "found by its title")
    assert [r.param("page") for r in replay.hits(DATA_SETS)] == ["1", "2", "3"]
    assert {r.param("pageSize") for r in replay.hits(DATA_SETS)} == {"20"}
    r10 = f"ees:{DS_CEASED}:1.0"
    assert values(world, "cla_ceased_special_guardianship_order") == [
        ("2021", 3800.0, None, r10, True), ("2022", 3870.0, None, r10, True), ("2023", 3830.0, None, r10, True),
        ("2024", 3860.0, None, r10, True)]
    assert values(world, "cla_ceased_special_guardianship_order", "E06000001") == [
        ("2023", None, "c", r10, True), ("2024", 27.0, None, r10, True)]
    assert values(world, "cla_ceased_residence_or_child_arrangements_order") == [
        ("2021", 1060.0, None, r10, True), ("2022", 1120.0, None, r10, True), ("2023", 1150.0, None, r10, True),
        ("2024", 1160.0, None, r10, True)]
    # The release and the series record the data set that was found: its id and its title.
    assert rows(world, "SELECT release_id, title, dataset_id, dataset_version, url, published_on FROM release") == [(
        r10, f"Reporting year 2024: {CEASED_TITLE} (version 1.0)", DS_CEASED, "1.0", RELEASE_2024, date(2024, 11, 14))]
    assert rows(world, "SELECT series_id, dataset_id, source_id FROM series ORDER BY 1") == [
        ("cla_ceased_residence_or_child_arrangements_order", DS_CEASED, f"ees:{DS_CEASED}"),
        ("cla_ceased_special_guardianship_order", DS_CEASED, f"ees:{DS_CEASED}")]
    # Nothing was asked of the superseded or withdrawn data sets.
    assert not [r for r in replay.requests if DS_CEASED_OLD in r.path or "c285" in r.path]
    assert ingest_statistics(world, registry_path=registry).rows_added == 0


def test_no_matching_data_set_skips_the_series_with_a_note(world, replay, tmp_path):
    serve_data_sets(replay, PUB_CLA, [listed_data_set(OTHER, "CLA - placement stability - by local authority"),
                                      listed_data_set(DS_CEASED_OLD, CEASED_TITLE, status="Withdrawn")])
    missing_pub = "00000000-0000-4000-8000-000000000000"
    registry = write_registry(tmp_path / "series.json", [
        sgo({"title": CEASED_TITLE, "title_contains": ["ceased during"]}),
        matched("cla_ceased_residence_or_child_arrangements_order", {"publication_id": missing_pub, "title": "X"}),
    ])
    result = ingest_statistics(world, registry_path=registry)
    assert (result.status, result.rows_added, result.rows_updated) == ("succeeded", 0, 0)
    assert result.cursor == (
        f"cla_ceased_special_guardianship_order: no EES data set of publication {PUB_CLA} has the title "
        f"['{CEASED_TITLE}'] or a title containing ['ceased during'] (it lists 1: "
        "['CLA - placement stability - by local authority']): skipped; "
        f"cla_ceased_residence_or_child_arrangements_order: publication {missing_pub} is not in the EES API "
        "(listing its data sets gave HTTP 404), so none with the title ['X'] was found: skipped")
    assert rows(world, "SELECT count(*) FROM release") == [(0,)]
    assert not replay.hits(f"/v1/data-sets/{DS_CEASED}")


def test_a_contains_match_must_be_unique_and_one_title_takes_the_newest(world, replay, tmp_path):
    newer = {"version": "1.0", "published": "2025-11-20T09:30:00+00:00", "totalResults": 1, "file": {"id": "f"},
             "timePeriods": {"start": "2021", "end": "2025"}, "geographicLevels": ["National"], "filters": [],
             "indicators": ["Number"]}
    serve_data_sets(replay, PUB_CLA, [
        listed_data_set(OTHER, "CLA who ceased during the year - national"),
        listed_data_set(DS_CEASED, "CLA who ceased during the year - by local authority", latestVersion=newer),
        listed_data_set(DS_CEASED_OLD, "CLA who ceased during the year - by local authority"),
    ])
    registry = write_registry(tmp_path / "series.json", [
        sgo({"title_contains": ["CEASED DURING THE YEAR"]}),
        matched("cla_ceased_residence_or_child_arrangements_order",
                {"title": "CLA who ceased during the year - by local authority"},
                filters={"cla_group": [REASON], "characteristic": CAO}),
    ])
    result = ingest_statistics(world, registry_path=registry)
    assert result.status == "succeeded" and result.rows_added == 5
    assert result.cursor == (
        "latest published 2024-11-14; cla_ceased_special_guardianship_order: 3 EES data sets of publication "
        f"{PUB_CLA} have a title containing ['CEASED DURING THE YEAR'] (['CLA who ceased during the year - by "
        f"local authority [{DS_CEASED_OLD}]', 'CLA who ceased during the year - by local authority [{DS_CEASED}]', "
        f"'CLA who ceased during the year - national [{OTHER}]']): give the exact title; skipped; "
        f"cla_ceased_residence_or_child_arrangements_order: using EES data set {DS_CEASED} "
        "'CLA who ceased during the year - by local authority', found by its title")
    # Of the two data sets with that title, the one published later was used.
    assert values(world, "cla_ceased_residence_or_child_arrangements_order")[-1] == (
        "2024", 1160.0, None, f"ees:{DS_CEASED}:1.0", True)


def test_the_shipped_registry_finds_and_loads_every_series_it_can(replay, db_path, monkeypatch):
    """data/series.json as shipped, against both publications' data set lists and the data sets
    they lead to: every series with a dataset_match loads; the workforce series (not in the API)
    is skipped with its note."""
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    serve_discoverable_world(replay)
    with store.writer(db_path, fresh=True):
        pass
    result = ingest_statistics(db_path)
    assert (result.status, result.rows_added, result.rows_updated) == ("succeeded", 31, 0)
    assert result.cursor.split("; ") == [
        "latest published 2025-10-30",
        "skipped 1 series with no EES data set id yet (see dataset_id_note in series.json): "
        "children_social_workers_in_post_fte",
        f"children_looked_after_31_march, cla_in_kinship_foster_care_31_march: using EES data set {DS_CLA_31_MARCH} "
        f"'{CLA_31_MARCH_TITLE}', found by its title",
        "cla_ceased_special_guardianship_order, cla_ceased_residence_or_child_arrangements_order, "
        f"children_ceasing_to_be_looked_after: using EES data set {DS_CEASED} "
        "'CLA who ceased during the year - by local authority', found by its title",
        f"children_in_need_at_31_march: using EES data set {DS_CIN_B1} '{CIN_B1_TITLE}', "
        "found by a title containing ['b1 children in need']",
    ]
    # Each publication's list was read once (three pages of two for CLA, one for CIN).
    assert [r.param("page") for r in replay.hits(DATA_SETS)] == ["1", "2", "3"]
    assert len(replay.hits(f"/v1/publications/{PUB_CIN}/data-sets")) == 1
    r31, rce, rcin = (f"ees:{DS_CLA_31_MARCH}:1.0", f"ees:{DS_CEASED}:1.0", f"ees:{DS_CIN_B1}:1.0")
    assert values(db_path, "children_looked_after_31_march") == [
        ("2023", 83840.0, None, r31, True), ("2024", 83630.0, None, r31, True)]
    assert values(db_path, "cla_in_kinship_foster_care_31_march") == [
        ("2023", 12950.0, None, r31, True), ("2024", 13660.0, None, r31, True)]
    (kin,) = rows(db_path, """SELECT filters, filter_key, unit FROM observation
                              WHERE series_id = 'cla_in_kinship_foster_care_31_march' AND time_period = '2024'""")
    assert (json.loads(kin[0]), kin[1], kin[2]) == (
        {"cla_group": "Placement", "characteristic": "Foster placement with relative or friend"}, "", "children")
    assert values(db_path, "cla_ceased_special_guardianship_order") == [
        ("2021", 3800.0, None, rce, True), ("2022", 3870.0, None, rce, True), ("2023", 3830.0, None, rce, True),
        ("2024", 3860.0, None, rce, True)]
    assert values(db_path, "cla_ceased_special_guardianship_order", "E06000001") == [
        ("2023", None, "c", rce, True), ("2024", 27.0, None, rce, True)]
    assert values(db_path, "cla_ceased_residence_or_child_arrangements_order") == [
        ("2021", 1060.0, None, rce, True), ("2022", 1120.0, None, rce, True), ("2023", 1150.0, None, rce, True),
        ("2024", 1160.0, None, rce, True)]
    assert values(db_path, "cla_ceased_residence_or_child_arrangements_order", "E06000001") == [
        ("2024", None, "low", rce, True)]
    assert values(db_path, "children_ceasing_to_be_looked_after") == [("2024", 33620.0, None, rce, True)]
    assert rows(db_path, """SELECT time_period, geographic_level, geography_code, value, suppression FROM observation
                            WHERE series_id = 'children_in_need_at_31_march'
                            ORDER BY geographic_level, geography_code, time_period""") == [
        ("2025", "Local authority", "E06000001", None, "x"), ("2025", "Local authority", "E06000061", 1234.0, None),
        ("2024", "National", "E92000001", 399460.0, None), ("2025", "National", "E92000001", 402400.0, None),
        ("2025", "Regional", "E12000001", 27050.0, None)]
    assert rows(db_path, "SELECT DISTINCT release_id, unit FROM observation WHERE series_id = "
                         "'children_in_need_at_31_march'") == [(rcin, "episodes (At31_episodes)")]
    assert rows(db_path, "SELECT dataset_id, title, published_on, url FROM release ORDER BY published_on, 1") == [
        (DS_CEASED, "Reporting year 2024: CLA who ceased during the year - by local authority (version 1.0)",
         date(2024, 11, 14), RELEASE_2024),
        (DS_CLA_31_MARCH, f"Reporting year 2024: {CLA_31_MARCH_TITLE} (version 1.0)", date(2024, 11, 14), RELEASE_2024),
        (DS_CIN_B1, f"Reporting year 2025: {CIN_B1_TITLE} (version 1.0)", date(2025, 10, 30),
         "https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need/2025")]
    assert rows(db_path, "SELECT series_id, dataset_id FROM series ORDER BY 1") == [
        ("children_ceasing_to_be_looked_after", DS_CEASED), ("children_in_need_at_31_march", DS_CIN_B1),
        ("children_looked_after_31_march", DS_CLA_31_MARCH), ("cla_ceased_residence_or_child_arrangements_order", DS_CEASED),
        ("cla_ceased_special_guardianship_order", DS_CEASED), ("cla_in_kinship_foster_care_31_march", DS_CLA_31_MARCH)]
    assert rows(db_path, "SELECT count(*) FROM observation WHERE series_id = 'children_social_workers_in_post_fte'") == [(0,)]
    # The time series data set (a real API id) is listed but nothing asks for it: no series is defined on it.
    assert not [r for r in replay.requests if "019a9c62" in r.path]
    again = ingest_statistics(db_path)
    assert (again.status, again.rows_added, again.rows_updated) == ("succeeded", 0, 0)


def test_two_series_that_find_one_data_set_must_share_its_pin(world, replay, tmp_path):
    serve_data_sets(replay, PUB_CLA, [listed_data_set(DS_CEASED, CEASED_TITLE)])
    registry = write_registry(tmp_path / "series.json", [
        sgo({"title": CEASED_TITLE}),
        matched("cla_ceased_residence_or_child_arrangements_order", {"title": CEASED_TITLE}, dataset_version="2.*",
                filters={"cla_group": [REASON], "characteristic": CAO}),
    ])
    result = ingest_statistics(world, registry_path=registry)
    assert (result.status, result.rows_added) == ("succeeded", 16)
    assert result.cursor == (
        f"latest published 2024-11-14; cla_ceased_residence_or_child_arrangements_order: pins data set {DS_CEASED} "
        "to 2.* but cla_ceased_special_guardianship_order pins it to 1.*: one data set, one pin: skipped; "
        f"cla_ceased_special_guardianship_order: using EES data set {DS_CEASED} '{CEASED_TITLE}', found by its title")
