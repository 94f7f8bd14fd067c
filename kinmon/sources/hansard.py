"""Client for the Hansard API: spoken contributions and debate titles that mention a search term.

Hansard answers in PascalCase, silently ignores parameters without the `queryParameters.` prefix, and
fails with HTTP 500 when take > 100 on Spoken contributions (API.md section 3). Returns each upstream
record, checked, as a frozen Contribution or DebateTitle (dates parsed, empty strings read as absent,
the upstream payload kept untouched beside it); it never touches the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import quote

from kinmon.config import base_url
from kinmon.http import Client, UpstreamError, require
from kinmon.sources import paging
from kinmon.sources._shape import NUMBER, TEXT, api_date, check_fields
from kinmon.util import shown_url

SERVICE = "KINMON_HANSARD_API"
CONTRIBUTIONS_PATH = "/search/contributions/{kind}.json"
DEBATES_PATH = "/search/debates.json"
CONTRIBUTION_KINDS = ("Spoken", "Written", "Corrections", "Petitions")
HANSARD_SITE = "https://hansard.parliament.uk"
MAX_TAKE = 100  # larger pages give HTTP 500 on Spoken contributions
PREFIX = "queryParameters."
MAX_SPLITS = 5  # at most 2**5 sub-windows when the debates search says it has more than it returned
# Page furniture inside ContributionTextFull: column numbers are not part of what was said.
COLUMN_MARKER = re.compile(r"<span[^>]*class=\"[^\"]*column-number[^\"]*\"[^>]*>.*?</span>", re.I | re.S)

# The fields kinmon reads, checked in this order: required (present, of the type), then optional
# (of the type when present and not null). SittingDate must also parse as a date.
CONTRIBUTION_REQUIRED = {"ContributionExtId": str, "DebateSectionExtId": str, "DebateSection": str,
                         "House": str, "MemberId": NUMBER, "ContributionTextFull": TEXT, "SittingDate": str}
CONTRIBUTION_OPTIONAL = {"MemberName": str, "AttributedTo": str, "ContributionText": str, "Section": str,
                         "HansardSection": str}
DEBATE_REQUIRED = {"DebateSectionExtId": str, "Title": str, "House": str, "SittingDate": str}
DEBATE_OPTIONAL = {"DebateSection": str}


@dataclass(frozen=True)
class Contribution:
    """One spoken (or written) contribution that mentions a search term; `raw` is the upstream record."""

    contribution_id: str  # ContributionExtId
    debate_ext_id: str
    debate_title: str
    house: str
    sitting_date: date
    member_id: int | None  # None for speakers who are not members (Hansard sends 0: the Chair, witnesses)
    member_name: str | None
    attributed_to: str | None
    section: str | None
    text_html: str | None  # ContributionTextFull, column-number markers removed
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class DebateTitle:
    """One debate whose title matches a search term; `raw` is the upstream record."""

    debate_ext_id: str
    title: str
    house: str
    sitting_date: date
    section: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)


def _blank_to_none(value: str | None) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def query(**params: Any) -> dict[str, Any]:
    """Hansard parameter names, each with the prefix the API binds on."""
    return {PREFIX + name: value for name, value in params.items() if value is not None}


def debate_id(ext_id: str) -> str:
    """The store key of a debate section: GUID case differs between Hansard eras, so upper-case it."""
    return ext_id.strip().upper()


def title_slug(title: str) -> str:
    """Hansard's page slug: the title's words run together, each capitalised ('SupportForKinshipCarers')."""
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title)) or "Debate"


def debate_url(house: str, sitting: date, ext_id: str, title: str) -> str:
    # Upstream strings become path segments: quote them so none can reshape the link.
    return (f"{HANSARD_SITE}/{quote(house, safe='')}/{sitting.isoformat()}/debates/{quote(ext_id, safe='')}/"
            f"{title_slug(title)}")


def contribution_url(house: str, sitting: date, ext_id: str, contribution_ext_id: str) -> str:
    return (f"{HANSARD_SITE}/{quote(house, safe='')}/{sitting.isoformat()}/debates/{quote(ext_id, safe='')}/link"
            f"#contribution-{quote(contribution_ext_id, safe='')}")


def without_column_markers(html: str | None) -> str:
    return COLUMN_MARKER.sub("", html or "")


def checked_contribution(item: Any, url: str) -> Contribution:
    """A Contribution with the fields kinmon stores present and of the documented types, typed."""
    check_fields(item, url, "contribution", CONTRIBUTION_REQUIRED)
    sitting = _sitting_date(item, url)
    check_fields(item, url, "contribution", {}, CONTRIBUTION_OPTIONAL)
    speech = item.get("ContributionTextFull") or item.get("ContributionText")
    member_id = item.get("MemberId")
    return Contribution(
        contribution_id=item["ContributionExtId"], debate_ext_id=item["DebateSectionExtId"],
        debate_title=item["DebateSection"], house=item["House"], sitting_date=sitting,
        member_id=member_id if member_id and member_id > 0 else None, member_name=_blank_to_none(item.get("MemberName")),
        attributed_to=_blank_to_none(item.get("AttributedTo")),
        section=_blank_to_none(item.get("Section")) or _blank_to_none(item.get("HansardSection")),
        text_html=_blank_to_none(without_column_markers(speech)), raw=MappingProxyType(dict(item)))


def checked_debate(item: Any, url: str) -> DebateTitle:
    check_fields(item, url, "debate", DEBATE_REQUIRED)
    sitting = _sitting_date(item, url)
    check_fields(item, url, "debate", {}, DEBATE_OPTIONAL)
    return DebateTitle(item["DebateSectionExtId"], item["Title"], item["House"], sitting,
                       _blank_to_none(item.get("DebateSection")), MappingProxyType(dict(item)))


def _sitting_date(item: dict, url: str) -> date:
    sitting = api_date(item["SittingDate"], url, "SittingDate")
    if sitting is None:
        raise UpstreamError(url, "unexpected response: field 'SittingDate' is empty")
    return sitting


def search_contributions(client: Client, *, search_term: str, since: date, until: date, kind: str = "Spoken",
                         take: int | None = None) -> list[Contribution]:
    """Every contribution of `kind` mentioning `search_term` in sittings from `since` to `until`."""
    if kind not in CONTRIBUTION_KINDS:
        raise ValueError(f"kind must be one of {CONTRIBUTION_KINDS}, got {kind!r}")
    take = min(take or MAX_TAKE, MAX_TAKE)
    url = base_url(SERVICE) + CONTRIBUTIONS_PATH.format(kind=kind)

    def fetch(skip: int) -> tuple[list, int, str]:
        params = query(searchTerm=search_term, startDate=since.isoformat(), endDate=until.isoformat(),
                       take=take, skip=skip, orderBy="SittingDateAsc")
        shown = shown_url(url, params)
        payload = client.get_json(url, params)
        return require(payload, "Results", shown, list), require(payload, "TotalResultCount", shown, int), shown

    return [checked_contribution(item, shown) for item, shown in paging.skip_take(fetch)]


def search_debates(client: Client, *, search_term: str, since: date, until: date,
                   _depth: int = 0) -> list[DebateTitle]:
    """Debates whose title matches `search_term`, sat from `since` to `until`.

    This endpoint ignores skip/take and returns at most about 25 titles, so when TotalResultCount says
    more exist the window is halved and each half searched, down to MAX_SPLITS levels (some terms
    report the unfiltered count, which must not turn into one request per day).
    """
    url = base_url(SERVICE) + DEBATES_PATH
    params = query(searchTerm=search_term, startDate=since.isoformat(), endDate=until.isoformat())
    shown = shown_url(url, params)
    payload = client.get_json(url, params)
    total = require(payload, "TotalResultCount", shown, int)
    results = [checked_debate(item, shown) for item in require(payload, "Results", shown, list)]
    if total <= len(results) or since >= until or _depth >= MAX_SPLITS:
        return results
    middle = since + (until - since) // 2
    halves = (search_debates(client, search_term=search_term, since=since, until=middle, _depth=_depth + 1)
              + search_debates(client, search_term=search_term, since=middle + timedelta(days=1), until=until,
                               _depth=_depth + 1))
    seen: dict[str, DebateTitle] = {}
    for item in results + halves:
        seen.setdefault(debate_id(item.debate_ext_id), item)
    return list(seen.values())
