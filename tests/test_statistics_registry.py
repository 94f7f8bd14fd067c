"""The series registry (data/series.json) and the place lookup (data/geography.csv) as shipped, and
their validation."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from fixtures_ees import series_entry, write_registry

from kinmon.config import DATA_DIR
from kinmon.ingest.statistics import DatasetMatch, RegistryError, load_registry, read_geography

PUB = "3260801d-601a-48c6-93b7-cf51680323d1"
SHIPPED_IDS = [
    "children_looked_after_31_march", "cla_in_kinship_foster_care_31_march", "cla_ceased_special_guardianship_order",
    "cla_ceased_residence_or_child_arrangements_order", "children_ceasing_to_be_looked_after",
    "children_in_need_at_31_march", "children_social_workers_in_post_fte",
]


def test_shipped_registry_loads_and_reuses_the_curated_measure_names():
    specs = load_registry()
    assert [s.series_id for s in specs] == SHIPPED_IDS
    with open(DATA_DIR / "figures.csv", newline="", encoding="utf-8") as fh:
        measures = {r["measure"] for r in csv.DictReader(fh)}
    assert set(SHIPPED_IDS) <= measures
    # Real data set ids are not knowable offline: every one is a documented placeholder, and all but
    # the workforce series (not in the API) say how to find theirs at run time.
    assert all(s.dataset_id is None and s.dataset_id_note for s in specs)
    cla, cin = "3260801d-601a-48c6-93b7-cf51680323d1", "89869bba-0c00-40f7-b7d6-e28cb904ad37"
    ceased = DatasetMatch(cla, ("CLA who ceased during the year - by local authority",),
                          ("children who ceased during the year",))
    assert [s.dataset_match for s in specs] == [
        DatasetMatch(cla, ("CLA on 31 March by characteristics",)), DatasetMatch(cla, ("CLA on 31 March by characteristics",)),
        ceased, ceased, ceased, DatasetMatch(cin, (), ("b1 children in need",)), None]
    sgo = specs[2]
    assert sgo.title == "Children leaving care through a special guardianship order"
    assert sgo.filters == {"cla_group": ("Reason episode ceased",),
                           "characteristic": ("Special guardianship order", "Special guardianship orders")}
    assert sgo.geographic_levels == ("National", "Regional", "Local authority")
    assert [s.is_context for s in specs] == [True, False, False, False, True, True, True]
    assert specs[-1].reporting_year_end == (9, 30)
    assert all(set(s.priorities) <= set(range(1, 8)) and s.priorities for s in specs)


@pytest.mark.parametrize("change, message", [
    ({"priorities": [0]}, "priorities must be a non-empty list of numbers from 1 to 7, got [0]"),
    ({"priorities": []}, "priorities must be a non-empty list of numbers from 1 to 7, got []"),
    ({"colour": "red"}, "unknown fields ['colour']"),
    ({"series_id": "Bad-Id"}, "series_id must be lower_snake_case"),
    ({"dataset_id": None, "dataset_id_note": "DROP"},
     "a placeholder dataset_id (null) needs a dataset_id_note saying how to fill it in"),
    ({"dataset_id": "not-a-uuid"}, "dataset_id 'not-a-uuid' is not an EES data set id (a UUID)"),
    ({"dataset_version": "latest"}, "dataset_version 'latest' must be '*', 'N.*', 'N.N.*' or an exact version"),
    ({"fetch": "scrape"}, "fetch must be one of ['query', 'csv']"),
    ({"geographic_levels": ["Planet"]}, "geographic_levels must be EES level labels such as 'National', got ['Planet']"),
    ({"filters": {"characteristic": []}}, "filters.characteristic must be a label or a non-empty list of labels"),
    ({"reporting_year_end": "02-30"}, "day is out of range for month"),
    ({"publication": {"title": "T", "slug": "s"}}, "publication.url is missing"),
])
def test_a_bad_registry_entry_is_named_with_its_reason(tmp_path, change, message):
    entry = {**series_entry("cla_ceased_special_guardianship_order", "0191d9a0-5b1e-7c2d-9e3f-a0b1c2d3e4f5"), **change}
    entry = {k: v for k, v in entry.items() if v != "DROP"}
    path = write_registry(tmp_path / "series.json", [entry])
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    sid = entry["series_id"]
    assert str(err.value) == f"series.json: series 1 ({sid}): {message}"


@pytest.mark.parametrize("match, message", [
    ("CLA", "dataset_match must be a non-empty dict"),
    ({"publication_id": "3260801d", "title": "T"}, "dataset_match.publication_id '3260801d' is not an EES "
                                                     "publication id (a UUID)"),
    ({"title": "T"}, "dataset_match.publication_id None is not an EES publication id (a UUID)"),
    ({"publication_id": PUB, "title": []}, "dataset_match.title must be a title or a non-empty list of titles"),
    ({"publication_id": PUB, "title": ["T", " "]}, "dataset_match.title must be a title or a non-empty list of titles"),
    ({"publication_id": PUB, "title_contains": 3}, "dataset_match.title_contains must be a title or a non-empty list "
                                                    "of titles"),
    ({"publication_id": PUB}, "dataset_match needs a title (or title_contains) to look for"),
    ({"publication_id": PUB, "title": "T", "slug": "s"},
     "dataset_match has unknown fields ['slug'] (it takes ['publication_id', 'title', 'title_contains'])"),
])
def test_a_bad_dataset_match_is_named_with_its_reason(tmp_path, match, message):
    entry = series_entry("cla_ceased_special_guardianship_order", None, dataset_match=match)
    with pytest.raises(RegistryError) as err:
        load_registry(write_registry(tmp_path / "series.json", [entry]))
    assert str(err.value) == f"series.json: series 1 (cla_ceased_special_guardianship_order): {message}"


def test_a_dataset_match_is_read_and_is_only_for_a_placeholder(tmp_path):
    entry = series_entry("a", None, dataset_match={"publication_id": PUB, "title": " Exact title ",
                                                    "title_contains": ["words", "other words"]})
    (spec,) = load_registry(write_registry(tmp_path / "series.json", [entry]))
    assert spec.dataset_match == DatasetMatch(PUB, ("Exact title",), ("words", "other words"))
    assert spec.dataset_match.describe() == "the title ['Exact title'] or a title containing ['words', 'other words']"
    entry = series_entry("a", "0191d9a0-5b1e-7c2d-9e3f-a0b1c2d3e4f5", dataset_match={"publication_id": PUB, "title": "T"})
    with pytest.raises(RegistryError, match=r"series 1 \(a\): dataset_match is only for a series whose dataset_id is "
                                            "null: keep one of the two"):
        load_registry(write_registry(tmp_path / "series.json", [entry]))


def test_duplicates_and_conflicting_pins_are_refused(tmp_path):
    ds = "0191d9a0-5b1e-7c2d-9e3f-a0b1c2d3e4f5"
    path = write_registry(tmp_path / "series.json", [series_entry("a", ds), series_entry("a", ds)])
    with pytest.raises(RegistryError, match=r"series.json: series 2 \(a\): duplicate series_id 'a'"):
        load_registry(path)
    path = write_registry(tmp_path / "series.json", [series_entry("a", ds), series_entry("b", ds, dataset_version="2.*")])
    with pytest.raises(RegistryError, match="b pins data set .* to 2.\\* but a pins it to 1.\\*: one data set, one pin"):
        load_registry(path)
    (tmp_path / "broken.json").write_text('{"series": [\n{,]}')
    with pytest.raises(RegistryError, match="broken.json: invalid JSON at line 2"):
        load_registry(tmp_path / "broken.json")


def test_geography_has_regions_councils_and_the_reorganisations():
    geo = {r["code"]: r for r in read_geography()}
    assert sum(r["level"] == "Regional" for r in geo.values()) == 11  # nine regions, Inner and Outer London
    current = [r for r in geo.values() if r["level"] == "Local authority" and r["valid_to"] is None]
    assert len(current) == 153
    assert {c[:3] for c in (r["code"] for r in current)} == {"E06", "E08", "E09", "E10"}
    assert geo["E10000021"]["successors"] == ["E06000061", "E06000062"]  # Northamptonshire, split 2021
    assert geo["E10000021"]["valid_to"] == date(2021, 3, 31)
    assert geo["E06000062"]["name"] == "West Northamptonshire" and geo["E06000062"]["valid_from"] == date(2021, 4, 1)
    assert geo["E06000028"]["successors"] == geo["E06000029"]["successors"] == ["E06000058"]  # Bournemouth, Poole
    assert geo["E10000006"]["successors"] == ["E06000063", "E06000064"]  # Cumbria, 2023
    assert geo["E10000023"]["successors"] == ["E06000065"] and geo["E10000023"]["old_la_code"] == "815"
    assert geo["E10000027"]["successors"] == ["E06000066"]
    assert geo["E06000001"]["old_la_code"] == "805"


def test_a_bad_geography_row_names_its_line(tmp_path):
    path = tmp_path / "geography.csv"
    path.write_text("code,name,level,old_la_code,valid_from,valid_to,successor_code\n"
                    "E92000001,England,National,,,,\nE10000021,Northamptonshire,Local authority,928,,,E06000061\n")
    with pytest.raises(ValueError, match="geography.csv, line 3: E10000021 has a successor but no valid_to date"):
        read_geography(path)
    path.write_text(json.dumps({}))
    with pytest.raises(ValueError, match="geography.csv, line 1: columns are"):
        read_geography(path)
