"""The Asks of MPs finder: a member by name, constituency or postcode, and their record against the
Alliance's four asks. The postcode lookup goes to the Members API's constituency search, here a local
replay server answering in the documented shape (`{items: [{value: {id, name, currentRepresentation:
{member: {value: {...}}}}}], totalResults}`); offline, the page says so and offers the name search."""

from __future__ import annotations

import socket

import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT
from kinmon.sources import constituencies
from replay import Reply

TIMEOUT = 90
# The documented shape, as other clients of this endpoint read it: items[].value.{id, name,
# currentRepresentation.member.value.{id, nameDisplayAs, latestParty.name, latestHouseMembership.membershipFrom}}
GORTON_AND_DENTON = {
    "items": [{
        "value": {
            "id": 4687, "name": "Gorton and Denton", "startDate": "2024-07-04T00:00:00", "endDate": None,
            "currentRepresentation": {
                "member": {"value": {"id": 1506, "nameDisplayAs": "Andrew Gwynne", "nameFullTitle": "Andrew Gwynne MP",
                                     "latestParty": {"id": 8, "name": "Independent"},
                                     "latestHouseMembership": {"membershipFrom": "Gorton and Denton", "house": 1}},
                           "links": []},
                "representation": {"membershipFrom": "Gorton and Denton", "house": 1},
            },
        },
        "links": [],
    }],
    "totalResults": 1, "resultContext": "M34 3AA", "skip": 0, "take": 20,
}


@pytest.fixture(autouse=True)
def _on_snapshot_store(snapshot_store, use_store):
    use_store(snapshot_store)


def _members_page(**params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/members.py")
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption])


def _asks_table(at: AppTest):
    return [df.value for df in at.dataframe if "ask" in df.value.columns][0]


def test_postcodes_are_recognised_and_normalised():
    assert constituencies.normalise_postcode(" m34 3aa ") == "M34 3AA"
    assert constituencies.normalise_postcode("SW1A1AA") == "SW1A 1AA"
    assert constituencies.normalise_postcode("Denton") is None
    assert constituencies.normalise_postcode("M34 3AAA") is None


def test_the_constituency_search_reads_the_documented_shape(replay, monkeypatch):
    monkeypatch.setenv("KINMON_CONSTITUENCY_API", replay.url)
    replay.route("GET", constituencies.SEARCH_PATH, Reply.json(GORTON_AND_DENTON))
    [seat] = constituencies.search("M34 3AA")
    assert seat == constituencies.Constituency(4687, "Gorton and Denton", 1506, "Andrew Gwynne", "Independent")
    [req] = replay.hits(constituencies.SEARCH_PATH)
    assert req.param("searchText") == "M34 3AA" and req.param("take") == "20"


def test_an_unexpected_answer_is_a_lookup_failure_not_a_crash(replay, monkeypatch):
    monkeypatch.setenv("KINMON_CONSTITUENCY_API", replay.url)
    replay.route("GET", constituencies.SEARCH_PATH, Reply.json({"items": [{"value": {"name": "no id"}}]}))
    with pytest.raises(constituencies.LookupUnavailable, match="id"):
        constituencies.search("M34 3AA")
    replay.route("GET", constituencies.SEARCH_PATH, Reply.json({"title": "busy"}, status=503))
    with pytest.raises(constituencies.LookupUnavailable):
        constituencies.search("M34 3AA")


def test_a_campaigner_finds_their_mp_by_postcode(replay, monkeypatch):
    monkeypatch.setenv("KINMON_CONSTITUENCY_API", replay.url)
    replay.route("GET", constituencies.SEARCH_PATH, Reply.json(GORTON_AND_DENTON))
    at = _members_page(find="m34 3aa")
    text = _text(at)
    assert "M34 3AA is in **Gorton and Denton**, represented by **Andrew Gwynne** (Independent)" in text
    asks = _asks_table(at).set_index("ask")
    assert len(asks) == 4
    assert asks.loc["Table written questions on the strategy", "count"] == 2
    assert "Chair" in asks.loc["Join the APPG on Kinship Care", "what_the_record_shows"]
    assert asks.loc["Write to their council about its kinship local offer", "count"] == 0


def test_offline_the_postcode_finder_says_so_and_the_name_search_still_works(monkeypatch):
    with socket.socket() as s:  # a local port with nothing listening: the service cannot be reached
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("KINMON_CONSTITUENCY_API", f"http://127.0.0.1:{closed}")
    at = _members_page(find="M34 3AA")
    assert "cannot be reached from here just now" in _text(at)
    by_seat = _members_page(find="denton")
    assert "#### Andrew Gwynne (Independent), Gorton and Denton" in _text(by_seat)
    nobody = _members_page(find="Nobody Atall")
    assert "No member in kinmon's records matches" in _text(nobody)
