"""Finding a series' EES data set at run time: a registry `dataset_match` (publication and title)
resolved against the publication's data set list, served by a real local server in the API's shapes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fixtures_ees import (CAO, CEASED_TITLE, CLA_SLUG, DS_CEASED, DS_CEASED_OLD, DS_CLA_TIME_SERIES, PUB_CLA, REASON,
                          SGO_2024, SGO_2025, TS_TITLE, listed_data_set, series_entry, serve_ceased, serve_data_sets,
                          serve_time_series, write_registry)

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
    assert summary(result) == (
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
    assert summary(result) == (
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
    assert summary(result) == (
        "latest published 2024-11-14; cla_ceased_special_guardianship_order: 3 EES data sets of publication "
        f"{PUB_CLA} have a title containing ['CEASED DURING THE YEAR'] (['CLA who ceased during the year - by "
        f"local authority [{DS_CEASED_OLD}]', 'CLA who ceased during the year - by local authority [{DS_CEASED}]', "
        f"'CLA who ceased during the year - national [{OTHER}]']): give the exact title; skipped; "
        f"cla_ceased_residence_or_child_arrangements_order: using EES data set {DS_CEASED} "
        "'CLA who ceased during the year - by local authority', found by its title")
    # Of the two data sets with that title, the one published later was used.
    assert values(world, "cla_ceased_residence_or_child_arrangements_order")[-1] == (
        "2024", 1160.0, None, f"ees:{DS_CEASED}:1.0", True)


def summary(result) -> str:
    """The run's cursor and notes, as one line."""
    return "; ".join(x for x in [result.cursor, *(result.notes or "").splitlines()] if x)


def test_the_shipped_registry_pins_the_real_time_series_and_loads_its_values(replay, db_path, monkeypatch):
    """data/series.json as shipped against a replay of the live API's one looked-after data set
    (019a9c62-..., national, population_type x children_count): the pinned series load DfE's values
    in one period shape; the unpinned SGO series look for their catalogue title and say it is absent;
    a population_type label the data set lacks is named with the labels it has."""
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    serve_time_series(replay)
    serve_data_sets(replay, PUB_CLA, [listed_data_set(DS_CLA_TIME_SERIES, TS_TITLE)])
    with store.writer(db_path, fresh=True):
        pass
    result = ingest_statistics(db_path)
    assert (result.status, result.rows_added, result.rows_updated) == ("succeeded", 10, 0)
    assert result.cursor == "latest published 2025-11-26"
    notes = result.notes.splitlines()
    catalogue = "['CLA ceasing during the year - characteristics - by local authority']"
    assert notes[0].startswith("skipped 8 series with no EES data set id yet (see dataset_id_note in series.json): "
                               "children_looked_after_rate_per_10000, cla_in_kinship_foster_care_31_march, ")
    assert f"cla_ceased_special_guardianship_order: no EES data set of publication {PUB_CLA} has the title " \
           f"{catalogue} (it lists 1: ['{TS_TITLE}']): skipped" in notes
    assert ("children_starting_to_be_looked_after: filter population_type = ['Children starting to be looked after "
            "during the year', 'Children starting to be looked after each year'] is not in data set "
            f"{DS_CLA_TIME_SERIES} (found ['Children ceasing to be looked after during the year', "
            "'Children looked after on 31 March']): skipped") in notes
    release = f"ees:{DS_CLA_TIME_SERIES}:1.0"
    assert values(db_path, "children_looked_after_31_march") == [
        ("2021-03-31", 80780.0, None, release, True), ("2022-03-31", 82090.0, None, release, True),
        ("2023-03-31", 83750.0, None, release, True), ("2024-03-31", 83530.0, None, release, True),
        ("2025-03-31", 81770.0, None, release, True)]
    assert values(db_path, "children_ceasing_to_be_looked_after")[-1] == (
        "2024-04-01/2025-03-31", 34450.0, None, release, True)
    assert rows(db_path, "SELECT title, published_on, url FROM release") == [
        (f"Reporting year 2025: {TS_TITLE} (version 1.0)", date(2025, 11, 26),
         "https://explore-education-statistics.service.gov.uk/find-statistics/"
         "children-looked-after-in-england-including-adoptions/2025")]
    (row,) = rows(db_path, """SELECT indicator, filters, notes, source_url FROM observation
                              WHERE series_id = 'children_looked_after_31_march' AND time_period = '2025-03-31'""")
    assert row[:3] == ("children_count", '{"population_type": "Children looked after on 31 March"}',
                       "published as Reporting year 2025")
    # Only national rows were asked for, by the option id of the API's label.
    bodies = [r.json() for r in replay.requests if r.path.endswith("/query")]
    assert {json.dumps(b["criteria"]["and"][1]) for b in bodies} == {'{"geographicLevels": {"in": ["NAT"]}}'}
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
    assert summary(result) == (
        f"latest published 2024-11-14; cla_ceased_residence_or_child_arrangements_order: pins data set {DS_CEASED} "
        "to 2.* but cla_ceased_special_guardianship_order pins it to 1.*: one data set, one pin: skipped; "
        f"cla_ceased_special_guardianship_order: using EES data set {DS_CEASED} '{CEASED_TITLE}', found by its title")


def test_a_pinned_data_set_missing_from_the_api_is_skipped_with_a_note(replay, db_path, monkeypatch):
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    with store.writer(db_path, fresh=True):
        pass
    result = ingest_statistics(db_path)  # the replay serves nothing: every listing and data set is a 404
    assert (result.status, result.rows_added) == ("succeeded", 0)
    assert (f"data set {DS_CLA_TIME_SERIES} is not in the EES API (HTTP 404): skipped children_looked_after_31_march, "
            "children_ceasing_to_be_looked_after, children_starting_to_be_looked_after") in result.notes.splitlines()
