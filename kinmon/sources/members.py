"""Client for the Members API: who a member is now, and which party they belonged to when.

`/api/Members/{id}` gives the current name, party and seat; `/api/Members/History?ids=..` gives the
dated party list, so a question can show the asker's party on the day it was tabled (parties change:
see API.md section 2). Returns plain records; it never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kinmon.config import base_url
from kinmon.http import Client, UpstreamError, require
from kinmon.sources._shape import TEXT, api_date, optional
from kinmon.util import shown_url

SERVICE = "KINMON_MEMBERS_API"
MEMBER_PATH = "/api/Members/{id}"
HISTORY_PATH = "/api/Members/History"
MEMBER_PAGE = "https://members.parliament.uk/member/{id}/contact"
HOUSES = {1: "Commons", 2: "Lords"}
# History takes repeated ids; small batches keep each URL short and a failure cheap to retry.
HISTORY_BATCH = 20


@dataclass(frozen=True)
class Member:
    member_id: int
    name: str
    list_as: str | None
    party: str | None
    party_abbreviation: str | None
    house: str | None
    member_from: str | None
    is_current: bool | None
    thumbnail_url: str | None
    url: str


@dataclass(frozen=True)
class PartySpell:
    member_id: int
    party: str
    start_date: date
    end_date: date | None


def member_url(member_id: int) -> str:
    return MEMBER_PAGE.format(id=member_id)


def fetch_member(client: Client, member_id: int) -> Member:
    """One member's current record."""
    url = base_url(SERVICE) + MEMBER_PATH.format(id=member_id)
    value = require(client.get_json(url), "value", url, dict)
    return parse_member(value, url, member_id)


def parse_member(value: dict, url: str, member_id: int) -> Member:
    got = require(value, "id", url, int)
    if got != member_id:
        raise UpstreamError(url, f"unexpected response: asked for member {member_id}, got {got}")
    party = optional(value, "latestParty", url, dict) or {}
    seat = optional(value, "latestHouseMembership", url, dict) or {}
    status = optional(seat, "membershipStatus", url, dict) or {}
    house = optional(seat, "house", url, int)
    return Member(
        member_id=got,
        name=require(value, "nameDisplayAs", url, str),
        list_as=optional(value, "nameListAs", url, str),
        party=optional(party, "name", url, str),
        party_abbreviation=optional(party, "abbreviation", url, str),
        house=HOUSES.get(house) if house is not None else None,
        member_from=optional(seat, "membershipFrom", url, str),
        is_current=optional(status, "statusIsActive", url, bool),
        thumbnail_url=optional(value, "thumbnailUrl", url, str),
        url=member_url(got),
    )


def fetch_party_history(client: Client, member_ids: list[int]) -> dict[int, list[PartySpell]]:
    """Each member's dated party memberships, oldest first."""
    out: dict[int, list[PartySpell]] = {}
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), HISTORY_BATCH):
        batch = ids[start:start + HISTORY_BATCH]
        url = base_url(SERVICE) + HISTORY_PATH
        params = [("ids", i) for i in batch]
        shown = shown_url(url, params)
        payload = client.get_json(url, params)
        if not isinstance(payload, list):
            raise UpstreamError(shown, f"unexpected response: expected a list, got {type(payload).__name__}")
        for item in payload:
            value = require(item, "value", shown, dict)
            member_id = require(value, "id", shown, int)
            out[member_id] = _spells(member_id, require(value, "partyHistory", shown, list), shown)
    return out


def _spells(member_id: int, history: list[Any], url: str) -> list[PartySpell]:
    spells = []
    for entry in history:
        party = require(entry, "party", url, dict)
        name = require(party, "name", url, str)
        start = api_date(require(entry, "startDate", url, TEXT), url, "startDate")
        end = api_date(require(entry, "endDate", url, TEXT), url, "endDate")
        if start is None:  # an undated spell cannot answer "party on a date"
            continue
        spells.append(PartySpell(member_id, name, start, end))
    return sorted(spells, key=lambda s: s.start_date)


def party_on(spells: list[PartySpell], day: date | None) -> str | None:
    """The party a member belonged to on `day`, if the history covers it."""
    if day is None:
        return None
    for spell in reversed(spells):
        if spell.start_date <= day and (spell.end_date is None or day <= spell.end_date):
            return spell.party
    return None
