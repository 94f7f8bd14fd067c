"""The series registry (data/series.json) and the place lookup (data/geography.csv) as shipped, and
their validation."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fixtures_ees import series_entry, write_registry

from kinmon.config import DATA_DIR
from kinmon.ingest.statistics import DatasetMatch, RegistryError, load_registry, load_releases, read_geography

PUB = "3260801d-601a-48c6-93b7-cf51680323d1"
TIME_SERIES = "019a9c62-aca8-772e-b92b-8678622ec297"  # the real API data set (../shared/reference/ees/real/README.md)
SHIPPED_IDS = [
    "children_looked_after_31_march", "children_looked_after_rate_per_10000", "cla_in_kinship_foster_care_31_march",
    "cla_ceased_special_guardianship_order", "cla_ceased_special_guardianship_order_pct",
    "cla_ceased_residence_or_child_arrangements_order", "cla_ceased_residence_or_child_arrangements_order_pct",
    "children_ceasing_to_be_looked_after", "children_starting_to_be_looked_after", "children_in_need_at_31_march",
    "children_social_workers_in_post_fte", "children_social_worker_turnover_rate_fte",
    "children_social_worker_vacancy_rate_fte", "children_social_worker_agency_rate_fte",
    "children_social_worker_average_caseload_fte",
]


def test_shipped_registry_pins_the_real_api_data_set_and_declares_both_column_schemas():
    specs = {s.series_id: s for s in load_registry()}
    assert list(specs) == SHIPPED_IDS
    # The live API's one looked-after data set carries the national counts: pinned, not found by title.
    pinned = {sid for sid, s in specs.items() if s.dataset_id}
    assert pinned == {"children_looked_after_31_march", "children_ceasing_to_be_looked_after",
                      "children_starting_to_be_looked_after"}
    assert {specs[s].dataset_id for s in pinned} == {TIME_SERIES}
    assert specs["children_looked_after_31_march"].filters == {
        "population_type": ("Children looked after on 31 March", "Children looked after on 31 March each year")}
    assert specs["children_looked_after_31_march"].indicator == "children_count"
    # Title discovery is kept only for what is not pinned, with the title the EES data catalogue gives.
    catalogue = DatasetMatch(PUB, ("CLA ceasing during the year - characteristics - by local authority",))
    assert {sid for sid, s in specs.items() if s.dataset_match} == {
        "cla_ceased_special_guardianship_order", "cla_ceased_special_guardianship_order_pct",
        "cla_ceased_residence_or_child_arrangements_order", "cla_ceased_residence_or_child_arrangements_order_pct"}
    assert all(s.dataset_match == catalogue for s in specs.values() if s.dataset_match)
    sgo = specs["cla_ceased_special_guardianship_order"]
    assert [(v.indicator, v.filters) for v in sgo.shapes()] == [
        ("number", {"cla_group": ("Reason episode ceased",),
                    "characteristic": ("Special guardianship order", "Special guardianship orders")}),
        ("children_count", {"characteristic": ("Reason episode ceased",),
                            "breakdown": ("Special guardianship order", "Special guardianship orders")})]
    assert sgo.period_type == "flow" and specs["children_looked_after_31_march"].period_type == "stock"
    assert sgo.geographic_levels == ("National", "Regional", "Local authority")
    assert specs["children_social_workers_in_post_fte"].reporting_year_end == (9, 30)
    assert all(s.dataset_id or s.dataset_id_note for s in specs.values())
    assert all(set(s.priorities) <= set(range(1, 8)) and s.priorities for s in specs.values())


def test_shipped_releases_name_each_real_file_with_its_date_url_and_licence():
    releases = {r.release_id: r for r in load_releases()}
    assert list(releases) == ["dfe-cla-2024", "dfe-cla-2025", "dfe-cin-2025", "dfe-csww-2025"]
    cla24 = releases["dfe-cla-2024"]
    assert (cla24.publisher, cla24.title, cla24.published_on, cla24.licence) == (
        "Department for Education", "Children looked after in England including adoptions, reporting year 2024",
        date(2024, 11, 14), "Open Government Licence v3.0")
    assert cla24.url.endswith("/children-looked-after-in-england-including-adoptions/2024")
    assert [f.name for f in cla24.files] == ["la_children_who_ceased_during_the_year_2024_release.csv"]
    # A date that is not the release day says why; an unknown date says so rather than guess.
    assert releases["dfe-cla-2025"].published_note.startswith("the EES API's lastPublished")
    assert releases["dfe-csww-2025"].published_on is None and "UNVERIFIED" in releases["dfe-csww-2025"].published_note


@pytest.mark.parametrize("change, message", [
    ({"variants": [{"indicator": "children_count", "filters": {"breakdown": []}}]},
     "variants[1].filters.breakdown must be a label or a non-empty list of labels"),
    ({"variants": [{"filters": {}}]}, "variants[1] must be an object with an indicator (and filters)"),
    ({"period_type": "sometimes"}, "period_type must be one of ['flow', 'stock']"),
])
def test_a_bad_variant_or_period_type_is_named(tmp_path, change, message):
    entry = {**series_entry("a", None, dataset_id_note="files only"), **change}
    with pytest.raises(RegistryError) as err:
        load_registry(write_registry(tmp_path / "series.json", [entry]))
    assert str(err.value) == f"series.json: series 1 (a): {message}"


@pytest.mark.parametrize("change, message", [
    ({"published_on": None, "published_note": None}, "a release without published_on needs a published_note saying why"),
    ({"publication_slug": "nowhere"}, "publication_slug 'nowhere' is not the publication of any series"),
    ({"licence": "All rights reserved"}, "licence must be one of ['Open Government Licence v3.0']"),
    ({"files": [{"name": "a.csv", "sha256": "abc", "retrieved_from": "x", "retrieved_on": "2026-12-01"}]},
     "file a.csv: sha256 must be 64 lower-case hex digits"),
])
def test_a_bad_release_is_named(tmp_path, change, message):
    doc = json.loads((DATA_DIR / "series.json").read_text(encoding="utf-8"))
    doc["releases"] = [{**doc["releases"][0], **change}]
    path = tmp_path / "series.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value) == f"series.json: release 1 (dfe-cla-2024): {message}"


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
