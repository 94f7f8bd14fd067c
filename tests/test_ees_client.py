"""The EES API client against a real local server answering in the documented shapes."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
from fixtures_ees import (DS_CEASED, DS_CIN, PUB_CLA, REASON, SGO_2024, cin_csv, option_id, paged_list, serve_ceased,
                          serve_cin, version_json)
from replay import Reply

from kinmon.http import UpstreamError
from kinmon.sources.ees import EesClient, matches_pin, period_to_tidy, release_url, version_key


@pytest.fixture
def ees(replay, monkeypatch) -> EesClient:
    monkeypatch.setenv("KINMON_EES_API", replay.url + "/")
    return EesClient()


def publication(n: int) -> dict:
    return {"id": f"pub-{n}", "title": f"Publication {n}", "slug": f"publication-{n}", "summary": "About <b>it</b>",
            "lastPublished": "2025-11-26T08:32:42+00:00"}


def test_base_url_comes_from_config(ees, replay):
    assert ees.base == replay.url


def test_publications_follow_every_page(ees, replay):
    replay.route("GET", "/v1/publications", paged_list([publication(n) for n in range(1, 6)], server_page_size=2))
    pubs = ees.publications(search="children")
    assert [p.id for p in pubs] == ["pub-1", "pub-2", "pub-3", "pub-4", "pub-5"]
    assert pubs[0].summary == "About it"
    assert pubs[0].last_published == datetime(2025, 11, 26, 8, 32, 42, tzinfo=timezone.utc)
    hits = replay.hits("/v1/publications")
    assert [(h.param("page"), h.param("pageSize"), h.param("search")) for h in hits] == \
        [("1", "40", "children"), ("2", "40", "children"), ("3", "40", "children")]


def test_a_publications_data_sets_and_one_publication(ees, replay):
    item = {"id": DS_CEASED, "title": "Ceased", "summary": "s", "status": "Published",
            "latestVersion": {k: version_json("1.1")[k] for k in ("version", "published", "totalResults", "file",
                                                                 "timePeriods", "geographicLevels", "filters",
                                                                 "indicators")}}
    replay.route("GET", f"/v1/publications/{PUB_CLA}/data-sets", paged_list([item], server_page_size=20))
    replay.route("GET", f"/v1/publications/{PUB_CLA}", Reply.json(publication(7)))
    (data_set,) = ees.data_sets(PUB_CLA)
    assert (data_set.id, data_set.status, data_set.latest_version) == (DS_CEASED, "Published", "1.1")
    assert data_set.latest_published == datetime(2025, 11, 20, 9, 30, tzinfo=timezone.utc)
    assert replay.hits(f"/v1/publications/{PUB_CLA}/data-sets")[0].param("pageSize") == "20"
    assert ees.publication(PUB_CLA).slug == "publication-7"
    replay.route("GET", "/v1/publications", paged_list([publication(6), {**publication(7), "id": PUB_CLA}], 40))
    pub, found = ees.data_sets_by_slug("publication-7")
    assert (pub.id, [d.id for d in found]) == (PUB_CLA, [DS_CEASED])
    with pytest.raises(UpstreamError, match="no publication with slug 'children-in-need' has API data sets"):
        ees.data_sets_by_slug("children-in-need")


def test_versions_and_metadata(ees, replay):
    serve_ceased(replay, versions=("1.0", "1.1", "2.0"))
    versions = ees.versions(DS_CEASED)
    assert [(v.version, v.type, v.release_slug) for v in versions] == \
        [("2.0", "Major", "2025-revised"), ("1.1", "Minor", "2025"), ("1.0", "Major", "2024")]
    meta = ees.meta(DS_CEASED, "1.0")
    assert replay.hits(f"/v1/data-sets/{DS_CEASED}/meta")[0].param("dataSetVersion") == "1.0"
    assert [f.column for f in meta.filters] == ["cla_group", "characteristic"]
    assert SGO_2024 in meta.filters[1].options.values()
    assert [(i.id, i.column, i.unit) for i in meta.indicators] == [("iNum1", "number", ""), ("iPct1", "percentage", "%")]
    hartlepool = meta.locations[("LA", "har01")]
    assert (hartlepool.label, hartlepool.code, hartlepool.old_code) == ("Hartlepool", "E06000001", "805")
    assert meta.geographic_levels == {"NAT": "National", "REG": "Regional", "LA": "Local authority"}


def test_location_name_from_the_stale_quick_start_shape_is_accepted(ees, replay):
    meta = {"filters": [], "indicators": [], "geographicLevels": [{"code": "NAT"}], "timePeriods": [],
            "locations": [{"level": {"code": "NAT", "label": "National"},
                           "options": [{"id": "2FmYX", "code": "E92000001", "name": "England"}]}]}
    replay.route("GET", f"/v1/data-sets/{DS_CEASED}/meta", Reply.json(meta))
    assert ees.meta(DS_CEASED, "1.0").locations[("NAT", "2FmYX")].label == "England"


def test_query_follows_paging_until_total_pages(ees, replay):
    serve_ceased(replay, versions=("1.0",), server_page_size=3)
    body = {"criteria": {"and": [{"filters": {"eq": option_id(REASON)}},
                                 {"geographicLevels": {"in": ["NAT"]}}]}, "indicators": ["iNum1"]}
    result = ees.query(DS_CEASED, "1.0", body)
    posts = replay.hits(f"/v1/data-sets/{DS_CEASED}/query")
    assert [p.json()["page"] for p in posts] == [1, 2, 3]
    assert {p.json()["pageSize"] for p in posts} == {10000}
    assert {p.param("dataSetVersion") for p in posts} == {"1.0"}
    assert result.pages == 3
    assert len(result.rows) == 9  # national SGO, CAO (4 years each) and adopted (1)
    assert sorted(r.values["iNum1"] for r in result.rows if r.period == "2024") == ["1160", "2950", "3860"]
    assert result.warnings == []


def test_query_warnings_are_returned(ees, replay):
    serve_ceased(replay)
    result = ees.query(DS_CEASED, "1.0", {"criteria": {"geographicLevels": {"eq": "PCON"}}, "indicators": ["iNum1"]})
    assert result.rows == []
    assert result.warnings == ["QueryNoResults: The query did not match any results."]


def test_csv_endpoint_is_unzipped(ees, replay):
    serve_cin(replay)
    assert ees.csv(DS_CIN, "1.0").decode("utf-8") == cin_csv()
    req = replay.hits(f"/v1/data-sets/{DS_CIN}/csv")[0]
    assert req.param("dataSetVersion") == "1.0"


def test_a_gzipped_csv_without_content_encoding_is_unzipped_too(ees, replay):
    replay.route("GET", f"/v1/data-sets/{DS_CIN}/csv",
                 Reply(200, gzip.compress(b"time_period\n2024\n"), {"Content-Type": "application/gzip"}))
    assert ees.csv(DS_CIN, "1.0") == b"time_period\n2024\n"


def test_a_missing_field_names_the_url_and_field(ees, replay):
    broken = {k: v for k, v in version_json("1.0").items() if k != "release"}
    replay.route("GET", f"/v1/data-sets/{DS_CEASED}/versions",
                 Reply.json({"paging": {"page": 1, "pageSize": 20, "totalResults": 1, "totalPages": 1},
                             "results": [broken]}))
    with pytest.raises(UpstreamError) as err:
        ees.versions(DS_CEASED)
    assert err.value.url == f"{replay.url}/v1/data-sets/{DS_CEASED}/versions?page=1&pageSize=20"
    assert err.value.reason == "unexpected response: field 'release' is missing"


def test_missing_paging_is_an_error(ees, replay):
    replay.route("GET", "/v1/publications", Reply.json({"results": []}))
    with pytest.raises(UpstreamError, match="field 'paging' is missing"):
        ees.publications()


def test_nested_missing_field_is_named_with_its_path(ees, replay):
    serve_ceased(replay)
    replay.route("POST", f"/v1/data-sets/{DS_CEASED}/query", Reply.json({
        "paging": {"page": 1, "pageSize": 10, "totalResults": 1, "totalPages": 1}, "warnings": [],
        "results": [{"timePeriod": {"code": "RY"}, "geographicLevel": "NAT", "locations": {}, "filters": {},
                     "values": {}}]}))
    with pytest.raises(UpstreamError) as err:
        ees.query(DS_CEASED, "1.0", {"indicators": ["iNum1"]})
    assert err.value.reason == "unexpected response: field 'results[0].timePeriod.period' is missing"


def test_a_400_validation_problem_becomes_a_clear_error(ees, replay):
    serve_ceased(replay)
    with pytest.raises(UpstreamError) as err:
        ees.query(DS_CEASED, "1.0", {"criteria": {"filters": {"eq": ["a", "b"]}}, "indicators": ["iNum1"]})
    assert err.value.reason == ("HTTP 400 validation error: There are validation errors with the request.; "
                                "criteria.filters.eq: Must be a single value. (InvalidValue)")
    assert len(replay.hits(f"/v1/data-sets/{DS_CEASED}/query")) == 1  # a 400 is not retried


def test_a_500_is_retried_then_reported_with_its_title(ees, replay, monkeypatch):
    monkeypatch.setenv("KINMON_HTTP_RETRIES", "2")
    problem = Reply.json({"title": "There was a problem processing the request.", "type": "Internal Server Error",
                          "status": 500}, status=500)
    replay.route("GET", f"/v1/data-sets/{DS_CEASED}", problem)
    with pytest.raises(UpstreamError) as err:
        EesClient().data_set(DS_CEASED)
    assert err.value.reason == "HTTP 500 error: There was a problem processing the request."
    assert len(replay.hits(f"/v1/data-sets/{DS_CEASED}")) == 3


def test_a_429_with_retry_after_is_waited_out(replay, monkeypatch):
    from kinmon.http import Client

    monkeypatch.setenv("KINMON_EES_API", replay.url)
    waits: list[float] = []
    replay.route("GET", f"/v1/data-sets/{DS_CEASED}/versions",
                 [Reply.json({"title": "Too Many Requests", "status": 429}, status=429, headers={"Retry-After": "7"}),
                  Reply.json({"paging": {"page": 1, "pageSize": 20, "totalResults": 1, "totalPages": 1},
                              "results": [version_json("1.0")]})])
    versions = EesClient(Client(sleep=waits.append)).versions(DS_CEASED)
    assert [v.version for v in versions] == ["1.0"]
    assert 7.0 in waits


def test_versions_pins_and_periods():
    assert sorted(["1.10", "1.9", "2.0", "2.1.1", "2.1"], key=version_key) == ["1.9", "1.10", "2.0", "2.1", "2.1.1"]
    assert matches_pin("1.10", "1.*") and not matches_pin("2.0", "1.*") and not matches_pin("11.0", "1.*")
    assert matches_pin("2.1.1", "2.1.*") and matches_pin("2.1", "2.1.*") and not matches_pin("2.10", "2.1.*")
    assert matches_pin("2.1.0", "2.1") and not matches_pin("2.1.1", "2.1") and matches_pin("9.9", "*")
    assert period_to_tidy("2020/2021", "AY") == ("202021", "Academic year")
    assert period_to_tidy("2024", "RY") == ("2024", "Reporting year")
    assert period_to_tidy("2024", "M2") == ("2024", "February")
    assert release_url("children-in-need", "2025") == \
        "https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need/2025"
