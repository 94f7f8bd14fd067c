"""Client for the Written Questions & Statements API: searches and full records, validated, as plain dicts.

Knows the API's quirks (see /work/shared/reference/parliament/API.md section 1): list results cut their
text at 255 characters, members are null unless expandMember=true, the session filter must be Any, and
queries must be anchored by date. Returns the upstream `value` objects after checking the fields kinmon
reads; it never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator
from urllib.parse import quote

from kinmon.config import base_url
from kinmon.http import Client, UpstreamError, require
from kinmon.sources._shape import NONE, NUMBER, TEXT, api_date, check_fields, optional, shown_url

SERVICE = "KINMON_QUESTIONS_API"
QUESTIONS_PATH = "/api/writtenquestions/questions"
STATEMENTS_PATH = "/api/writtenstatements/statements"
QUESTION_PAGE = "https://questions-statements.parliament.uk/written-questions/detail/{date}/{uin}"
STATEMENT_PAGE = "https://questions-statements.parliament.uk/written-statements/detail/{date}/{uin}"

# Several clients use 500-1000 without trouble; 500 keeps each slow (~20 s) page well inside the timeout.
PAGE_SIZE = 500
# The list endpoint cuts questionText at 255 characters (no ellipsis) and answerText at 255 + "...".
TRUNCATED_AT = 255
ELLIPSIS = "..."
# A question can surface three ways in a date window: tabled, answered, or its answer corrected.
DATE_PASSES = ("tabled", "answered", "corrected")
# Without these the API hides earlier sessions (before the July 2024 election) and leaves members null.
ALWAYS = {"sessionStatus": "Any", "expandMember": "true"}

FLAG = (bool, NONE)

# The fields kinmon reads, checked in this order: required (present, of the type), then optional
# (of the type when present and not null). Dates and expanded members are checked on their own.
MEMBER_VIEW_REQUIRED = {"id": int, "name": str}
MEMBER_VIEW_OPTIONAL = {"party": str, "partyAbbreviation": str, "memberFrom": str, "listAs": str}
QUESTION_REQUIRED = {"id": int, "house": str, "questionText": str, "askingMemberId": int, "uin": TEXT,
                     "answerText": TEXT}
QUESTION_DATES = ("dateTabled", "dateAnswered", "dateForAnswer", "dateHoldingAnswer", "dateAnswerCorrected")
QUESTION_OPTIONAL = {
    "heading": str, "answeringBodyName": str,
    "answeringBodyId": int, "answeringMemberId": int, "correctingMemberId": int, "attachmentCount": int,
    "isWithdrawn": bool, "isNamedDay": bool, "answerIsHolding": bool, "answerIsCorrection": bool,
    "groupedQuestions": list, "attachments": list,
}
QUESTION_MEMBERS = ("askingMember", "answeringMember", "correctingMember")
STATEMENT_REQUIRED = {"id": int, "house": str, "title": str, "text": TEXT, "uin": TEXT, "memberId": NUMBER}
STATEMENT_OPTIONAL = {"memberRole": str, "answeringBodyName": str, "answeringBodyId": int}


@dataclass
class Found:
    """One search hit: the list record and the search terms that returned it."""

    value: dict
    terms: set[str] = field(default_factory=set)


def question_url(date_tabled: date | None, uin: str | None) -> str | None:
    """The official page of a written question, from its tabled date and UIN."""
    if date_tabled is None or not uin:
        return None
    return QUESTION_PAGE.format(date=date_tabled.isoformat(), uin=quote(uin, safe=""))


def statement_url(date_made: date | None, uin: str | None) -> str | None:
    if date_made is None or not uin:
        return None
    return STATEMENT_PAGE.format(date=date_made.isoformat(), uin=quote(uin, safe=""))


def member_view(obj: dict, key: str, url: str) -> dict | None:
    """An expanded MemberViewModel ({id, name, party, memberFrom, ...}) or None."""
    member = optional(obj, key, url, dict)
    if member is None:
        return None
    return check_fields(member, url, "member", MEMBER_VIEW_REQUIRED, MEMBER_VIEW_OPTIONAL)


# ---------------------------------------------------------------- questions


def checked_question(value: Any, url: str) -> dict:
    """A QuestionsViewModel with the fields kinmon stores present and of the documented types."""
    check_fields(value, url, "question", QUESTION_REQUIRED)
    for name in QUESTION_DATES:
        api_date(value.get(name), url, name)
    if value.get("dateTabled") is None:
        raise UpstreamError(url, "unexpected response: field 'dateTabled' is missing")
    check_fields(value, url, "question", {}, QUESTION_OPTIONAL)
    for name in QUESTION_MEMBERS:
        member_view(value, name, url)
    return value


def list_text_truncated(value: dict) -> bool:
    """Whether a list record's question or answer may have been cut short by the list endpoint."""
    question = value.get("questionText") or ""
    answer = value.get("answerText") or ""
    return len(question) >= TRUNCATED_AT or answer.endswith(ELLIPSIS) or len(answer) >= TRUNCATED_AT


def needs_detail(value: dict) -> bool:
    """Whether to fetch /questions/{id} for a question kinmon keeps.

    Always when answered: the list endpoint strips the answer's HTML (tables collapse into run-on
    text, links and paragraphs vanish), and kinmon stores the answer as sanitised HTML, which only
    the single-question endpoint returns. Otherwise only when the question text may be cut.
    """
    answered = bool(value.get("answerText")) or value.get("dateAnswered") is not None
    return answered or list_text_truncated(value)


def _pages(client: Client, url: str, params: dict, take: int) -> Iterator[tuple[dict, str]]:
    """Every {value} in a skip/take listing, until totalResults is reached or a page comes back short."""
    skip = 0
    while True:
        page_params = {**params, "skip": skip, "take": take}
        shown = shown_url(url, page_params)
        payload = client.get_json(url, page_params)
        total = require(payload, "totalResults", shown, int)
        results = require(payload, "results", shown, list)
        for item in results:
            yield require(item, "value", shown, dict), shown
        skip += len(results)
        if len(results) < take or skip >= total:
            return


def list_questions(client: Client, *, search_term: str, date_field: str, since: date, until: date,
                   take: int | None = None) -> list[dict]:
    """Questions matching `search_term` whose tabled/answered/corrected date is in [since, until]."""
    if date_field not in DATE_PASSES:
        raise ValueError(f"date_field must be one of {DATE_PASSES}, got {date_field!r}")
    url = base_url(SERVICE) + QUESTIONS_PATH
    params = {
        "searchTerm": search_term,
        f"{date_field}WhenFrom": since.isoformat(),
        f"{date_field}WhenTo": until.isoformat(),
        # A question withdrawn after kinmon stored it must come back, to be marked withdrawn.
        "includeWithdrawn": "true",
        **ALWAYS,
    }
    return [checked_question(value, shown) for value, shown in _pages(client, url, params, take or PAGE_SIZE)]


def search_questions(client: Client, terms: list[str], since: date, until: date,
                     take: int | None = None) -> dict[int, Found]:
    """The union, by API id, of every term's tabled, answered and corrected passes."""
    found: dict[int, Found] = {}
    for term in terms:
        for date_field in DATE_PASSES:
            for value in list_questions(client, search_term=term, date_field=date_field, since=since,
                                        until=until, take=take):
                hit = found.setdefault(value["id"], Found(value))
                hit.terms.add(term)
    return found


def fetch_question(client: Client, question_id: int) -> dict:
    """The full record of one question: untruncated question text and the answer as HTML."""
    url = f"{base_url(SERVICE)}{QUESTIONS_PATH}/{question_id}"
    params = dict(ALWAYS)
    shown = shown_url(url, params)
    value = checked_question(require(client.get_json(url, params), "value", shown, dict), shown)
    if value["id"] != question_id:
        raise UpstreamError(shown, f"unexpected response: asked for question {question_id}, got {value['id']}")
    return value


# ---------------------------------------------------------------- statements


def checked_statement(value: Any, url: str) -> dict:
    """A StatementsViewModel with the fields kinmon stores present and of the documented types."""
    check_fields(value, url, "statement", STATEMENT_REQUIRED)
    if api_date(value.get("dateMade"), url, "dateMade") is None:
        raise UpstreamError(url, "unexpected response: field 'dateMade' is missing")
    check_fields(value, url, "statement", {}, STATEMENT_OPTIONAL)
    member_view(value, "member", url)
    return value


def statement_text_truncated(value: dict) -> bool:
    text = value.get("text") or ""
    return len(text) >= TRUNCATED_AT or text.endswith(ELLIPSIS)


def list_statements(client: Client, *, search_term: str, since: date, until: date,
                    take: int | None = None) -> list[dict]:
    """Written statements matching `search_term` made in [since, until]."""
    url = base_url(SERVICE) + STATEMENTS_PATH
    params = {"searchTerm": search_term, "madeWhenFrom": since.isoformat(), "madeWhenTo": until.isoformat(),
              **ALWAYS}
    return [checked_statement(value, shown) for value, shown in _pages(client, url, params, take or PAGE_SIZE)]


def search_statements(client: Client, terms: list[str], since: date, until: date,
                      take: int | None = None) -> dict[int, Found]:
    found: dict[int, Found] = {}
    for term in terms:
        for value in list_statements(client, search_term=term, since=since, until=until, take=take):
            found.setdefault(value["id"], Found(value)).terms.add(term)
    return found


def fetch_statement(client: Client, statement_id: int) -> dict:
    """The full record of one statement, its text as HTML.

    The spec says this endpoint returns a search-result envelope, not an item (unverified against the
    live service), so both shapes are accepted.
    """
    url = f"{base_url(SERVICE)}{STATEMENTS_PATH}/{statement_id}"
    params = dict(ALWAYS)
    shown = shown_url(url, params)
    payload = client.get_json(url, params)
    if isinstance(payload, dict) and "results" in payload and "value" not in payload:
        values = [require(item, "value", shown, dict) for item in require(payload, "results", shown, list)]
        matching = [v for v in values if v.get("id") == statement_id]
        if not matching:
            raise UpstreamError(shown, f"unexpected response: statement {statement_id} is not in the results")
        value = matching[0]
    else:
        value = require(payload, "value", shown, dict)
    value = checked_statement(value, shown)
    if value["id"] != statement_id:
        raise UpstreamError(shown, f"unexpected response: asked for statement {statement_id}, got {value['id']}")
    return value
