"""Client for the Members API's constituency search: which constituency a postcode (or a place name) is
in, and who currently represents it. Used by the Asks of MPs page's finder; returns plain records and
never touches the store.

`GET /api/Location/Constituency/Search?searchText=...&skip=0&take=20` answers
`{items: [{value: {id, name, startDate, endDate, currentRepresentation: {member: {value: {id,
nameDisplayAs, latestParty: {name}, latestHouseMembership: {membershipFrom}}}}}}], totalResults}`;
`searchText` takes a postcode as well as part of a constituency's name. The base URL is
KINMON_CONSTITUENCY_API (the Members API by default), so a mirror or a local replay server can stand in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import requests

from kinmon.config import base_url, http_settings
from kinmon.http import Client, UpstreamError, require, require_in
from kinmon.sources._shape import TEXT, optional

SERVICE = "KINMON_CONSTITUENCY_API"
SEARCH_PATH = "/api/Location/Constituency/Search"
TAKE = 20
# A reader waits on this lookup: fail fast rather than retry for minutes like an ingest would.
LOOKUP_TIMEOUT_S, LOOKUP_RETRIES = 8.0, 1
# A UK postcode: outward code (A9, A99, A9A, AA9, AA99, AA9A) and inward code (9AA); the space is optional.
POSTCODE = re.compile(r"^\s*([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\s*$", re.IGNORECASE)


class LookupUnavailable(RuntimeError):
    """The constituency search could not be reached or answered in an unexpected shape."""


@dataclass(frozen=True)
class Constituency:
    constituency_id: int
    name: str
    member_id: int | None
    member_name: str | None
    party: str | None


def normalise_postcode(text: str) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None when the text is not shaped like a postcode."""
    m = POSTCODE.match(text or "")
    return f"{m.group(1).upper()} {m.group(2).upper()}" if m else None


def _client() -> Client:
    settings = replace(http_settings(), timeout=LOOKUP_TIMEOUT_S, max_retries=LOOKUP_RETRIES)
    return Client(settings)


def search(text: str, client: Client | None = None) -> list[Constituency]:
    """Constituencies matching a postcode or a name, each with its current MP where the API gives one.
    Raises LookupUnavailable when the service cannot be reached or answers in an unexpected shape."""
    url = base_url(SERVICE) + SEARCH_PATH
    params = {"searchText": text.strip(), "skip": 0, "take": TAKE}
    try:
        payload = (client or _client()).get_json(url, params=params)
        items = require(payload, "items", url, list)
        return [parse_constituency(item, url, i) for i, item in enumerate(items)]
    except (UpstreamError, requests.RequestException) as exc:
        raise LookupUnavailable(str(exc)) from exc


def parse_constituency(item: dict, url: str, index: int = 0) -> Constituency:
    where = f"items[{index}]"
    value = require_in(item, "value", url, dict, where)
    where += ".value"
    rep = value.get("currentRepresentation") or {}
    member = ((rep.get("member") or {}).get("value") or {}) if isinstance(rep, dict) else {}
    party = member.get("latestParty") if isinstance(member, dict) else None
    return Constituency(
        constituency_id=require_in(value, "id", url, int, where),
        name=require_in(value, "name", url, str, where),
        member_id=member.get("id") if isinstance(member.get("id"), int) else None,
        member_name=optional(member, "nameDisplayAs", url, TEXT) if member else None,
        party=optional(party, "name", url, TEXT) if isinstance(party, dict) else None,
    )
