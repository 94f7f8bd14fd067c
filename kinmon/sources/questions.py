"""Client for the Written Questions & Statements API: searches and full records, validated, as typed records.

Knows the API's quirks (see /work/shared/reference/parliament/API.md section 1): list results cut their
text at 255 characters, members are null unless expandMember=true, the session filter must be Any, and
queries must be anchored by date. Each upstream `value` is checked, then returned as a frozen Question or
Statement: dates parsed, empty strings read as absent, zero-width characters removed from text, and
the upstream payload kept untouched beside it (`raw`). It never touches the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Iterator, Mapping
from urllib.parse import quote

from kinmon.config import base_url
from kinmon.http import Client, UpstreamError, require
from kinmon.sources import paging
from kinmon.sources._shape import NUMBER, TEXT, api_date, check_fields, optional
from kinmon.util import shown_url

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


# Seen in real answers and questions (tests/data/parliament_sample.jsonl): U+200B inside answers, U+200E
# inside questions. They are invisible, and a word with one inside would not match a keep pattern.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\ufeff]")


def clean_text(value: str | None) -> str | None:
    """Upstream text without zero-width characters; an empty string (the API sends both "" and null) is None."""
    if value is None:
        return None
    value = ZERO_WIDTH.sub("", value)
    return value if value.strip() else None


@dataclass(frozen=True)
class MemberView:
    """The MemberViewModel inside a question or statement (filled only with expandMember=true)."""

    id: int
    name: str
    party: str | None
    party_abbreviation: str | None
    member_from: str | None  # the constituency for MPs, the peerage type for peers
    list_as: str | None


@dataclass(frozen=True)
class Question:
    """One written question as the API gave it, checked and typed; `raw` is the upstream value untouched."""

    id: int
    uin: str | None
    house: str
    heading: str | None
    question_text: str
    answer_text: str | None  # HTML from the single-question endpoint, cut plain text from the list
    date_tabled: date
    date_for_answer: date | None
    date_answered: date | None
    date_holding_answer: date | None
    date_answer_corrected: date | None
    is_named_day: bool | None
    is_withdrawn: bool | None
    answer_is_holding: bool | None
    answer_is_correction: bool | None
    answering_body_id: int | None
    answering_body_name: str | None
    asking_member_id: int
    answering_member_id: int | None
    correcting_member_id: int | None
    asking_member: MemberView | None
    answering_member: MemberView | None
    correcting_member: MemberView | None
    grouped_questions: tuple[str, ...]  # the UINs answered together (strings in the API, e.g. ["49"])
    attachment_count: int | None
    attachments: tuple[Mapping, ...]
    from_detail: bool  # read from /questions/{id}, so the text is whole
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def text_truncated(self) -> bool:
        """Whether the list endpoint may have cut this record's question or answer short."""
        return not self.from_detail and list_text_truncated(self.raw)


@dataclass(frozen=True)
class Statement:
    """One written ministerial statement, checked and typed; `raw` is the upstream value untouched."""

    id: int
    uin: str | None
    house: str
    date_made: date
    title: str
    text: str | None  # HTML
    member_id: int | None
    member: MemberView | None
    member_role: str | None
    answering_body_name: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def text_truncated(self) -> bool:
        return statement_text_truncated(self.raw)


@dataclass
class Found:
    """One search hit: the list record and the search terms that returned it."""

    value: Question | Statement
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


def member_view(obj: dict, key: str, url: str) -> MemberView | None:
    """An expanded MemberViewModel ({id, name, party, memberFrom, ...}) or None."""
    member = optional(obj, key, url, dict)
    if member is None:
        return None
    check_fields(member, url, "member", MEMBER_VIEW_REQUIRED, MEMBER_VIEW_OPTIONAL)
    return MemberView(member["id"], member["name"], clean_text(member.get("party")),
                      clean_text(member.get("partyAbbreviation")), clean_text(member.get("memberFrom")),
                      clean_text(member.get("listAs")))


# ---------------------------------------------------------------- questions


def checked_question(value: Any, url: str, *, from_detail: bool = False) -> Question:
    """A QuestionsViewModel with the fields kinmon stores present and of the documented types, typed."""
    check_fields(value, url, "question", QUESTION_REQUIRED)
    dates = {name: api_date(value.get(name), url, name) for name in QUESTION_DATES}
    if dates["dateTabled"] is None:
        raise UpstreamError(url, "unexpected response: field 'dateTabled' is missing")
    check_fields(value, url, "question", {}, QUESTION_OPTIONAL)
    people = {name: member_view(value, name, url) for name in QUESTION_MEMBERS}
    grouped = value.get("groupedQuestions") or []
    if not all(isinstance(g, (str, int)) and not isinstance(g, bool) for g in grouped):
        raise UpstreamError(url, "unexpected response: field 'groupedQuestions' must list UINs")
    attachments = value.get("attachments") or []
    if not all(isinstance(a, dict) for a in attachments):
        raise UpstreamError(url, "unexpected response: field 'attachments' must list objects")
    question_text = clean_text(value["questionText"])
    if question_text is None:
        raise UpstreamError(url, f"unexpected response: question {value['id']} has no questionText")
    return Question(
        id=value["id"], uin=clean_text(value.get("uin")), house=value["house"], heading=clean_text(value.get("heading")),
        question_text=question_text, answer_text=clean_text(value.get("answerText")),
        date_tabled=dates["dateTabled"], date_for_answer=dates["dateForAnswer"], date_answered=dates["dateAnswered"],
        date_holding_answer=dates["dateHoldingAnswer"], date_answer_corrected=dates["dateAnswerCorrected"],
        is_named_day=value.get("isNamedDay"), is_withdrawn=value.get("isWithdrawn"),
        answer_is_holding=value.get("answerIsHolding"), answer_is_correction=value.get("answerIsCorrection"),
        answering_body_id=value.get("answeringBodyId"), answering_body_name=clean_text(value.get("answeringBodyName")),
        asking_member_id=value["askingMemberId"], answering_member_id=value.get("answeringMemberId"),
        correcting_member_id=value.get("correctingMemberId"), asking_member=people["askingMember"],
        answering_member=people["answeringMember"], correcting_member=people["correctingMember"],
        grouped_questions=tuple(str(g).strip() for g in grouped if str(g).strip()),
        attachment_count=value.get("attachmentCount"),
        attachments=tuple(MappingProxyType(dict(a)) for a in attachments),
        from_detail=from_detail, raw=MappingProxyType(dict(value)),
    )


def list_text_truncated(value: Mapping) -> bool:
    """Whether a list record's question or answer may have been cut short by the list endpoint."""
    question = value.get("questionText") or ""
    answer = value.get("answerText") or ""
    return len(question) >= TRUNCATED_AT or answer.endswith(ELLIPSIS) or len(answer) >= TRUNCATED_AT


def needs_detail(q: Question) -> bool:
    """Whether to fetch /questions/{id} for a question kinmon keeps.

    Always when answered: the list endpoint strips the answer's HTML (tables collapse into run-on
    text, links and paragraphs vanish), and kinmon stores the answer as sanitised HTML, which only
    the single-question endpoint returns. Otherwise only when the question text may be cut.
    """
    if q.from_detail:
        return False
    return bool(q.answer_text) or q.date_answered is not None or q.text_truncated


def _pages(client: Client, url: str, params: dict, take: int) -> Iterator[tuple[dict, str]]:
    """Every {value} in a skip/take listing (see kinmon.sources.paging for when it stops)."""
    def fetch(skip: int) -> tuple[list, int, str]:
        page_params = {**params, "skip": skip, "take": take}
        shown = shown_url(url, page_params)
        payload = client.get_json(url, page_params)
        return require(payload, "results", shown, list), require(payload, "totalResults", shown, int), shown

    for item, shown in paging.skip_take(fetch):
        yield require(item, "value", shown, dict), shown


def list_questions(client: Client, *, search_term: str, date_field: str, since: date, until: date,
                   take: int | None = None) -> list[Question]:
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
                hit = found.setdefault(value.id, Found(value))
                hit.terms.add(term)
    return found


def fetch_question(client: Client, question_id: int) -> Question:
    """The full record of one question: untruncated question text and the answer as HTML."""
    url = f"{base_url(SERVICE)}{QUESTIONS_PATH}/{question_id}"
    params = dict(ALWAYS)
    shown = shown_url(url, params)
    value = checked_question(require(client.get_json(url, params), "value", shown, dict), shown, from_detail=True)
    if value.id != question_id:
        raise UpstreamError(shown, f"unexpected response: asked for question {question_id}, got {value.id}")
    return value


# ---------------------------------------------------------------- statements


def checked_statement(value: Any, url: str) -> Statement:
    """A StatementsViewModel with the fields kinmon stores present and of the documented types, typed."""
    check_fields(value, url, "statement", STATEMENT_REQUIRED)
    made = api_date(value.get("dateMade"), url, "dateMade")
    if made is None:
        raise UpstreamError(url, "unexpected response: field 'dateMade' is missing")
    check_fields(value, url, "statement", {}, STATEMENT_OPTIONAL)
    return Statement(id=value["id"], uin=clean_text(value.get("uin")), house=value["house"], date_made=made,
                     title=clean_text(value["title"]) or "", text=clean_text(value.get("text")),
                     member_id=value.get("memberId"), member=member_view(value, "member", url),
                     member_role=clean_text(value.get("memberRole")),
                     answering_body_name=clean_text(value.get("answeringBodyName")), raw=MappingProxyType(dict(value)))


def statement_text_truncated(value: Mapping) -> bool:
    text = value.get("text") or ""
    return len(text) >= TRUNCATED_AT or text.endswith(ELLIPSIS)


def list_statements(client: Client, *, search_term: str, since: date, until: date,
                    take: int | None = None) -> list[Statement]:
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
            found.setdefault(value.id, Found(value)).terms.add(term)
    return found


def fetch_statement(client: Client, statement_id: int) -> Statement:
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
    checked = checked_statement(value, shown)
    if checked.id != statement_id:
        raise UpstreamError(shown, f"unexpected response: asked for statement {statement_id}, got {checked.id}")
    return checked
