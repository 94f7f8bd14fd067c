"""The Parliament ingest end to end, against a local server that replays the documented API shapes.

FakeParliament answers like the Written Questions, Members and Hansard APIs: list envelopes
{totalResults, results:[{value, links}]}, list text cut at 255 characters, members null without
expandMember=true, searchTerm matching ANY word, PascalCase Hansard with HTTP 500 when take > 100.
Every request goes to that ReplayServer on 127.0.0.1: upstream addresses appear only as data (links
and thumbnails inside payloads), and tests/conftest.py refuses any non-loopback connection.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kinmon import classify, store
from kinmon.config import PROJECT_ROOT
from kinmon.http import Client, UpstreamError
from kinmon.ingest import IngestError, Window, read_journal
from kinmon.ingest import parliament as ingest
from kinmon.sources import hansard, members, questions
from helpers import rows
from real_sample import KINSHIP_IN_SAMPLE, sample_records
from replay import Reply, ReplayServer

SINCE, UNTIL = date(2024, 1, 1), date(2024, 3, 31)
STOPWORDS = {"and", "the", "of", "to", "a", "for"}
DFE = (60, "Department for Education")
HOSTILE_ANSWER = (
    '<p onclick="steal()">The department has no plans to introduce a kinship allowance.'
    "<script>alert(1)</script></p>"
    '<p>See <a href="javascript:alert(2)">this</a> and '
    '<a href="https://www.gov.uk/government/publications/kinship-care" onmouseover="x()">the guidance</a>.</p>'
    "<table><tr><th>Year</th><th>Kinship carers</th></tr><tr><td>2023</td><td>141,000</td></tr></table>"
)
LONG_PREAMBLE = (
    "To ask the Secretary of State for Education, what assessment her Department has made of the adequacy of "
    "the support provided by local authorities to families who step in to raise children when their parents "
    "cannot, including the availability of training, respite, therapeutic help and financial assistance "
    "for those families"
)


def iso(d: date | None) -> str | None:
    return f"{d.isoformat()}T00:00:00" if d else None


def member_view(mid: int) -> dict:
    m = MEMBERS[mid]
    return {"id": mid, "listAs": m["listAs"], "name": m["name"], "party": m["party"], "partyColour": "808080",
            "partyAbbreviation": m["abbr"], "memberFrom": m["from"], "thumbnailUrl": f"https://t/{mid}.jpg"}


def question(qid, uin, house, tabled, text, *, heading, answer=None, answered=None, asker=4000, answerer=4100,
             corrected=None, holding=None, named_day=False, grouped=()):
    return {
        "id": qid, "askingMemberId": asker, "askingMember": member_view(asker), "house": house,
        "memberHasInterest": False, "dateTabled": iso(tabled), "dateForAnswer": iso(tabled + timedelta(days=7)),
        "uin": uin, "questionText": text, "answeringBodyId": DFE[0], "answeringBodyName": DFE[1],
        "isWithdrawn": False, "isNamedDay": named_day, "groupedQuestions": list(grouped),
        "groupedQuestionsDates": [], "answerIsHolding": holding, "answerIsCorrection": corrected is not None,
        "answeringMemberId": answerer if answer else None,
        "answeringMember": member_view(answerer) if answer else None,
        "correctingMemberId": None, "correctingMember": None, "dateAnswered": iso(answered),
        "answerText": answer, "originalAnswerText": "", "comparableAnswerText": "",
        "dateAnswerCorrected": iso(corrected), "dateHoldingAnswer": None, "attachmentCount": 0,
        "attachments": [], "heading": heading,
    }


MEMBERS = {
    4000: {"name": "Jane Doe", "listAs": "Doe, Jane", "party": "Independent", "abbr": "Ind", "from": "Sheffield North",
           "house": 1, "history": [("Labour", "2015-05-07", "2024-02-01"), ("Independent", "2024-02-02", None)]},
    4100: {"name": "Minister Mo", "listAs": "Mo, Minister", "party": "Conservative", "abbr": "Con",
           "from": "Norwich West", "house": 1, "history": [("Conservative", "2019-12-12", None)]},
    4200: {"name": "Baroness Kin", "listAs": "Kin, Baroness", "party": "Crossbench", "abbr": "XB",
           "from": "Life peer", "house": 2, "history": [("Crossbench", "2010-01-01", None)]},
}


def base_questions() -> dict[int, dict]:
    qs = [
        question(1700001, "10001", "Commons", date(2024, 1, 10),
                 "To ask the Secretary of State for Education, what plans she has to introduce a kinship allowance.",
                 heading="Kinship Care: Allowances", answer=HOSTILE_ANSWER, answered=date(2024, 1, 18),
                 named_day=True),
        question(1700002, "10002", "Commons", date(2024, 2, 5),
                 LONG_PREAMBLE + ", including those with special guardianship orders.",
                 heading="Children: Social Services"),
        question(1700003, "10003", "Commons", date(2024, 2, 6),
                 "To ask the Secretary of State for Education, how many pupils have special educational needs.",
                 heading="Special Educational Needs", answer="<p>Figures are published annually.</p>",
                 answered=date(2024, 2, 10)),
        question(1700004, "HL2001", "Lords", date(2024, 3, 1),
                 "To ask His Majesty's Government what support is available to family and friends carers.",
                 heading="Foster Care", answer="<p>Local authorities must publish a family and friends care "
                                              "policy.</p>", answered=date(2024, 3, 12), asker=4200),
        question(1700005, "10005", "Commons", date(2024, 2, 20),
                 LONG_PREAMBLE + " in care homes, and each connected person involved.", heading="Care Homes"),
        question(1700006, "10006", "Commons", date(2024, 3, 4),
                 "To ask the Secretary of State for Education, when the kinship local offer guidance will be updated.",
                 heading="Kinship Care", answer="<p>Later this year.</p>", answered=date(2024, 3, 11)),
        question(1700007, "10007", "Commons", date(2024, 3, 5),
                 "To ask the Secretary of State for Education, what the role of the Kinship Care Ambassador is.",
                 heading="Kinship Care: Ambassador"),
    ]
    return {q["id"]: q for q in qs}


def base_statements() -> dict[int, dict]:
    def statement(sid, uin, made, title, text):
        return {"id": sid, "memberId": 4100, "member": member_view(4100), "memberRole": "Minister for Children",
                "uin": uin, "dateMade": iso(made), "answeringBodyId": DFE[0], "answeringBodyName": DFE[1],
                "title": title, "text": text, "house": "Commons", "noticeNumber": 1, "hasAttachments": False,
                "hasLinkedStatements": False, "linkedStatements": [], "attachments": []}
    body = ("<p>Today I am publishing an update on the national kinship care strategy.</p>"
            + "<p>" + "We have worked with local authorities across England. " * 5 + "</p>"
            + '<p onclick="x()">Further detail is <a href="https://www.gov.uk/kinship">online</a>.</p>')
    ss = [statement(1800001, "HCWS200", date(2024, 2, 15), "Kinship Care Update", body),
          statement(1800002, "HCWS201", date(2024, 2, 16), "Special Educational Needs Reform",
                    "<p>Special schools will be expanded.</p>")]
    return {s["id"]: s for s in ss}


def base_contributions() -> list[dict]:
    def contribution(ext, debate_ext, title, sitting, mid, name, attributed, html, section="Westminster Hall"):
        return {"MemberName": name, "MemberId": mid, "AttributedTo": attributed, "ItemId": 1,
                "ContributionExtId": ext, "ContributionText": re.sub(r"<[^>]+>", "", html)[:120],
                "ContributionTextFull": html, "HRSTag": "hs_Para", "HansardSection": section,
                "DebateSection": title, "DebateSectionId": 1, "DebateSectionExtId": debate_ext,
                "SittingDate": iso(sitting), "Section": section, "House": "Commons", "OrderInDebateSection": 1,
                "DebateSectionOrder": 1, "Rank": 1, "Timecode": None}
    return [
        contribution("C-0001", "aaaa-1111", "Kinship Care", date(2024, 3, 6), 4000, "Jane Doe",
                     "Jane Doe (Sheffield North) (Lab)",
                     '<span class="column-number">373WH</span><p>Kinship carers need <em>support</em>.</p>'),
        contribution("C-0002", "dddd-4444", "Family Hubs", date(2024, 2, 1), 0, None, "Mr Deputy Speaker",
                     "<p>Families need care close to home.</p>", section="Commons Chamber"),
        contribution("C-0003", "bbbb-2222", "Children's Wellbeing and Schools Bill", date(2024, 1, 20), 4100,
                     "Minister Mo", "Minister Mo (Norwich West) (Con)",
                     "<p>The Bill defines kinship care in law.</p>", section="Commons Chamber"),
    ]


def base_debates() -> list[dict]:
    return [
        {"DebateSection": "Westminster Hall", "SittingDate": iso(date(2024, 3, 6)), "House": "Commons",
         "Title": "Kinship Care", "Rank": 1, "DebateSectionExtId": "aaaa-1111"},
        {"DebateSection": "Commons Chamber", "SittingDate": iso(date(2024, 2, 1)), "House": "Commons",
         "Title": "Special Educational Needs", "Rank": 2, "DebateSectionExtId": "cccc-3333"},
    ]


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z]+", re.sub(r"<[^>]+>", " ", text or "").lower()))


def any_word(term: str, *texts: str | None) -> bool:
    wanted = words(term) - STOPWORDS
    return bool(wanted & set().union(*(words(t) for t in texts)))


def within(value: str | None, since: str | None, until: str | None) -> bool:
    if since is None and until is None:
        return True
    if value is None:
        return False
    day = value[:10]
    return (since is None or day >= since) and (until is None or day <= until)


def stripped(html: str | None) -> str | None:
    return None if html is None else re.sub(r"<[^>]+>", "", html)


def cut_answer(text: str | None) -> str | None:
    if text is None:
        return None
    plain = stripped(text)
    return plain[:255] + "..." if len(plain) > 255 else plain


class FakeParliament:
    """The three services on one local server, with state tests can change between runs."""

    def __init__(self, server: ReplayServer):
        self.server = server
        self.questions = base_questions()
        self.statements = base_statements()
        self.contributions = base_contributions()
        self.debates = base_debates()
        self.debate_cap = 25
        self.listed: dict[int, dict] = {}  # real list values, replayed exactly as the API returned them
        self.install()

    def add_real(self, records: list[dict]) -> None:
        """Real sample records: the list endpoint replays their list value untouched; the detail endpoint their
        detail text where the sample kept it (else the list value again: the sample has no more)."""
        for r in records:
            listed = r["list_value"]
            full = copy.deepcopy(listed)
            if r["detail_questionText"] is not None:
                full["questionText"] = r["detail_questionText"]
            if r["detail_answerText"] is not None:
                full["answerText"] = r["detail_answerText"]
            self.questions[listed["id"]] = full
            self.listed[listed["id"]] = listed
            self.server.route("GET", f"{questions.QUESTIONS_PATH}/{listed['id']}", self.question_detail)

    @property
    def requests(self):
        return self.server.requests

    def install(self) -> None:
        r = self.server.route
        r("GET", questions.QUESTIONS_PATH, self.list_questions)
        r("GET", questions.STATEMENTS_PATH, self.list_statements)
        for qid in self.questions:
            r("GET", f"{questions.QUESTIONS_PATH}/{qid}", self.question_detail)
        for sid in self.statements:
            r("GET", f"{questions.STATEMENTS_PATH}/{sid}", self.statement_detail)
        for mid in MEMBERS:
            r("GET", f"/api/Members/{mid}", self.member)
        r("GET", members.HISTORY_PATH, self.history)
        r("GET", "/search/contributions/Spoken.json", self.search_contributions)
        r("GET", hansard.DEBATES_PATH, self.search_debates)

    @staticmethod
    def envelope(values, req, links_path):
        skip, take = int(req.param("skip", "0")), int(req.param("take", "20"))
        page = values[skip:skip + take]
        return Reply.json({"totalResults": len(values), "results": [
            {"value": v, "links": [{"rel": "self", "href": f"{links_path}/{v['id']}", "method": "GET"}]}
            for v in page]})

    def list_questions(self, req):
        term = req.param("searchTerm", "")
        hits = []
        for q in sorted(self.questions.values(), key=lambda q: q.get("dateTabled") or "", reverse=True):
            if req.param("includeWithdrawn") != "true" and q["isWithdrawn"]:
                continue
            if not any_word(term, q["heading"], q["questionText"], stripped(q["answerText"] or "")):
                continue
            if not all(within(q.get(f), req.param(f"{p}WhenFrom"), req.param(f"{p}WhenTo")) for p, f in
                       (("tabled", "dateTabled"), ("answered", "dateAnswered"), ("corrected", "dateAnswerCorrected"))):
                continue
            if q["id"] in self.listed:
                hits.append(copy.deepcopy(self.listed[q["id"]]))
                continue
            v = copy.deepcopy(q)
            v["questionText"] = v["questionText"][:255]
            v["answerText"] = cut_answer(v["answerText"])
            if req.param("expandMember") != "true":
                v["askingMember"] = v["answeringMember"] = None
            hits.append(v)
        return self.envelope(hits, req, "/Questions")

    def question_detail(self, req):
        v = copy.deepcopy(self.questions[int(req.path.rsplit("/", 1)[1])])
        if req.param("expandMember") != "true":
            v["askingMember"] = v["answeringMember"] = None
        return Reply.json({"value": v, "links": []})

    def list_statements(self, req):
        term = req.param("searchTerm", "")
        hits = []
        for s in self.statements.values():
            if any_word(term, s["title"], stripped(s["text"])) and within(
                    s["dateMade"], req.param("madeWhenFrom"), req.param("madeWhenTo")):
                v = copy.deepcopy(s)
                v["text"] = cut_answer(v["text"])
                hits.append(v)
        return self.envelope(hits, req, "/Statements")

    def statement_detail(self, req):
        # The spec documents a search-result envelope for this endpoint, so the fake answers that way.
        v = copy.deepcopy(self.statements[int(req.path.rsplit("/", 1)[1])])
        return Reply.json({"totalResults": 1, "results": [{"value": v, "links": []}]})

    def member(self, req):
        mid = int(req.path.rsplit("/", 1)[1])
        m = MEMBERS[mid]
        return Reply.json({"value": {
            "id": mid, "nameListAs": m["listAs"], "nameDisplayAs": m["name"], "nameFullTitle": m["name"],
            "nameAddressAs": None, "gender": "F",
            "latestParty": {"id": 1, "name": m["party"], "abbreviation": m["abbr"], "backgroundColour": "808080",
                            "foregroundColour": "ffffff", "isLordsMainParty": False, "isLordsSpiritualParty": False,
                            "governmentType": None, "isIndependentParty": m["party"] == "Independent"},
            "latestHouseMembership": {"membershipFrom": m["from"], "membershipFromId": 1, "house": m["house"],
                                      "membershipStartDate": "2015-05-07T00:00:00", "membershipEndDate": None,
                                      "membershipEndReason": None, "membershipStatus": {"statusIsActive": True}},
            "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{mid}/Thumbnail"}, "links": []})

    def history(self, req):
        return Reply.json([{"value": {
            "id": int(i), "nameHistory": [],
            "partyHistory": [{"party": {"id": 1, "name": p, "abbreviation": p[:3]}, "startDate": f"{s}T00:00:00",
                              "endDate": f"{e}T00:00:00" if e else None} for p, s, e in MEMBERS[int(i)]["history"]],
            "houseMembershipHistory": []}, "links": []} for i in req.query.get("ids", [])])

    def search_contributions(self, req):
        take = int(req.param("queryParameters.take", "20"))
        if take > 100:
            return Reply.json({"Message": "An error has occurred."}, status=500)
        term = req.param("queryParameters.searchTerm", "")
        hits = sorted((c for c in self.contributions
                       if any_word(term, c["ContributionTextFull"])
                       and within(c["SittingDate"], req.param("queryParameters.startDate"),
                                  req.param("queryParameters.endDate"))), key=lambda c: c["SittingDate"])
        skip = int(req.param("queryParameters.skip", "0"))
        return Reply.json({"Results": hits[skip:skip + take], "TotalResultCount": len(hits)})

    def search_debates(self, req):
        term = req.param("queryParameters.searchTerm", "")
        hits = [d for d in self.debates if any_word(term, d["Title"])
                and within(d["SittingDate"], req.param("queryParameters.startDate"),
                           req.param("queryParameters.endDate"))]
        return Reply.json({"Results": hits[:self.debate_cap], "TotalResultCount": len(hits)})


# ---------------------------------------------------------------- fixtures


SERVICES = ("KINMON_QUESTIONS_API", "KINMON_MEMBERS_API", "KINMON_HANSARD_API")


@pytest.fixture(scope="module")
def server():
    # One server for the module: each replay server costs half a second to shut down.
    s = ReplayServer().start()
    yield s
    s.stop()


def reset(server: ReplayServer) -> FakeParliament:
    server.routes.clear()
    server.requests.clear()
    server._counters.clear()
    return FakeParliament(server)


@pytest.fixture
def fake(server, monkeypatch):
    for name in SERVICES:
        monkeypatch.setenv(name, server.url)
    return reset(server)


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory) -> Path:
    # Migrating a new store takes most of a second; build it once and copy it for each test.
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    with store.writer(path, fresh=True):
        pass
    return path


@pytest.fixture
def empty_store(db_path, empty_template) -> Path:
    shutil.copyfile(empty_template, db_path)
    return db_path


@dataclass
class FirstRun:
    db: Path
    result: object
    requests: list


@pytest.fixture(scope="module")
def first_run(server, empty_template, tmp_path_factory) -> FirstRun:
    """The default fake ingested once into a store; tests that only read it share it."""
    db = tmp_path_factory.mktemp("first") / "kinmon.duckdb"
    shutil.copyfile(empty_template, db)
    with pytest.MonkeyPatch.context() as mp:
        for name in SERVICES:
            mp.setenv(name, server.url)
        mp.setenv("KINMON_HTTP_MIN_INTERVAL", "0")
        reset(server)
        result = run(db)
    return FirstRun(db, result, list(server.requests))


@pytest.fixture
def ingested_store(first_run, db_path) -> Path:
    """A private copy of the store after the first run, for tests that change it."""
    shutil.copyfile(first_run.db, db_path)
    shutil.copyfile(Path(str(first_run.db) + ".runs.jsonl"), Path(str(db_path) + ".runs.jsonl"))
    return db_path


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(db: Path, since=SINCE, until=UNTIL, sleeps: Sleeps | None = None):
    return ingest.ingest_parliament(db, since, until, client=Client(sleep=sleeps if sleeps is not None else Sleeps()))



def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


DOMAIN_TABLES = ("written_question", "question_revision", "statement", "debate", "contribution", "member",
                 "member_party", "priority_tag", "evidence")


def snapshot_tables(db: Path) -> dict[str, list[tuple]]:
    return {t: rows(db, f"SELECT * FROM {t} ORDER BY ALL") for t in DOMAIN_TABLES}


# ---------------------------------------------------------------- a first run


def test_first_run_keeps_only_kinship_items_with_full_text(first_run):
    db, result = first_run.db, first_run.result
    assert (result.status, result.rows_added, result.rows_updated, result.cursor) == ("succeeded", 12, 0, "2024-03-31")
    assert rows(db, "SELECT id FROM written_question ORDER BY id") == [
        (1700001,), (1700002,), (1700004,), (1700006,), (1700007,)]
    assert rows(db, "SELECT id FROM statement") == [(1800001,)]
    assert rows(db, "SELECT contribution_id FROM contribution ORDER BY 1") == [("C-0001",), ("C-0003",)]
    assert rows(db, "SELECT debate_id, title, participants FROM debate") == [("AAAA-1111", "Kinship Care", ["Jane Doe"])]
    assert rows(db, "SELECT member_id, name, party, house, member_from, is_current FROM member ORDER BY 1") == [
        (4000, "Jane Doe", "Independent", "Commons", "Sheffield North", True),
        (4100, "Minister Mo", "Conservative", "Commons", "Norwich West", True),
        (4200, "Baroness Kin", "Crossbench", "Lords", "Life peer", True)]


def test_question_row_is_sanitised_linked_and_attributed(first_run):
    (row,) = rows(first_run.db, """
        SELECT uin, house, date_tabled, date_answered, is_named_day, heading, answer_html, answer_text,
               text_complete, asking_member_name, asking_member_party, asking_member_from, answering_member_name,
               answering_body_name, url, source_id
        FROM written_question WHERE id = 1700001""")
    assert row == (
        "10001", "Commons", date(2024, 1, 10), date(2024, 1, 18), True, "Kinship Care: Allowances",
        '<p>The department has no plans to introduce a kinship allowance.</p>'
        '<p>See this and '
        '<a href="https://www.gov.uk/government/publications/kinship-care" rel="noopener noreferrer nofollow">'
        'the guidance</a>.</p>'
        "<table><tbody><tr><th>Year</th><th>Kinship carers</th></tr><tr><td>2023</td><td>141,000</td></tr>"
        "</tbody></table>",
        "The department has no plans to introduce a kinship allowance.\n\nSee this and the guidance.\n\n"
        "Year\tKinship carers\n2023\t141,000",
        True, "Jane Doe",
        # Labour on the day it was tabled (10 Jan 2024), though the payload says today's Independent.
        "Labour", "Sheffield North", "Minister Mo", "Department for Education",
        "https://questions-statements.parliament.uk/written-questions/detail/2024-01-10/10001",
        "parliament-written-questions")
    assert rows(first_run.db, "SELECT source_id, publisher, licence, licence_url FROM source ORDER BY 1") == [
        (sid, "UK Parliament", "Open Parliament Licence v3.0",
         "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/")
        for sid in ("parliament-hansard", "parliament-members", "parliament-written-questions",
                    "parliament-written-statements")]


def test_hostile_html_never_reaches_the_store(first_run):
    db = first_run.db
    stored = " ".join(str(v) for sql in ("SELECT answer_html, answer_text FROM written_question",
                                         "SELECT text_html, text FROM statement",
                                         "SELECT text_html, text FROM contribution")
                      for r in rows(db, sql) for v in r)
    for bad in ("<script", "alert(", "onclick", "onmouseover", "javascript:", "column-number", "373WH"):
        assert bad not in stored
    (statement,) = rows(db, "SELECT text_html, url, member_name, member_party FROM statement")
    assert statement[0].endswith('<p>Further detail is <a href="https://www.gov.uk/kinship" '
                                 'rel="noopener noreferrer nofollow">online</a>.</p>')
    assert statement[1:] == ("https://questions-statements.parliament.uk/written-statements/detail/2024-02-15/HCWS200",
                             "Minister Mo", "Conservative")
    assert rows(db, "SELECT text, text_html, url FROM contribution WHERE contribution_id = 'C-0001'") == [(
        "Kinship carers need support.", "<p>Kinship carers need <em>support</em>.</p>",
        "https://hansard.parliament.uk/Commons/2024-03-06/debates/aaaa-1111/link#contribution-C-0001")]


def test_every_list_request_asks_for_members_and_all_sessions(first_run):
    lists = [r for r in first_run.requests if r.path in (questions.QUESTIONS_PATH, questions.STATEMENTS_PATH)]
    terms = len(ingest.load_search_config().terms)
    assert len(lists) == terms * 3 + terms  # three date passes per term for questions, one for statements
    for req in lists:
        assert req.param("expandMember") == "true"
        assert req.param("sessionStatus") == "Any"
        assert int(req.param("take")) == questions.PAGE_SIZE
    passes = sorted({next(k for k in req.query if k.endswith("WhenFrom")) for req in lists})
    assert passes == ["answeredWhenFrom", "correctedWhenFrom", "madeWhenFrom", "tabledWhenFrom"]
    details = [r for r in first_run.requests if r.path.startswith(questions.QUESTIONS_PATH + "/")]
    assert details and {r.param("expandMember") for r in details} == {"true"}


def test_members_are_null_without_expand_member(fake):
    # The fake, like the API, leaves members null unless asked: the client must always ask.
    bare = Client(sleep=Sleeps()).get_json(fake.server.url + questions.QUESTIONS_PATH, {"searchTerm": "kinship"})
    assert {r["value"]["askingMember"] is None for r in bare["results"]} == {True}
    found = questions.list_questions(Client(sleep=Sleeps()), search_term="kinship", date_field="tabled",
                                     since=SINCE, until=UNTIL)
    assert {q.asking_member.name for q in found} == {"Jane Doe"}


def test_detail_fetched_for_answers_and_cut_questions_only(first_run):
    detail = sorted(int(r.path.rsplit("/", 1)[1]) for r in first_run.requests
                    if r.path.startswith(questions.QUESTIONS_PATH + "/"))
    # 1700002: cut before "special guardianship", found by the one-word term "guardianship", so fetched.
    # 1700003 (off topic, short) and 1700005 (cut, but only found by common words) are never fetched;
    # 1700007 is unanswered and short, so its list record is complete.
    assert detail == [1700001, 1700002, 1700004, 1700006]
    (q2,) = rows(first_run.db, "SELECT question_text, text_complete FROM written_question WHERE id = 1700002")
    assert q2 == (LONG_PREAMBLE + ", including those with special guardianship orders.", True)
    assert len(LONG_PREAMBLE) > questions.TRUNCATED_AT


def test_off_topic_search_hits_are_dropped(first_run):
    db = first_run.db
    assert rows(db, "SELECT count(*) FROM written_question WHERE id IN (1700003, 1700005)") == [(0,)]
    assert rows(db, "SELECT count(*) FROM statement WHERE id = 1800002") == [(0,)]
    assert rows(db, "SELECT count(*) FROM debate WHERE debate_id = 'CCCC-3333'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM contribution WHERE contribution_id = 'C-0002'") == [(0,)]
    assert not [r for r in first_run.requests if r.path == f"{questions.STATEMENTS_PATH}/1800002"]


def test_every_kept_item_is_tagged_as_the_classifier_reads_it(first_run):
    from kinmon.classify import ITEM_SOURCES, classify, item_text

    tagged: dict[tuple[str, str], list[int]] = {}
    for t, i, p in rows(first_run.db, "SELECT item_type, item_id, priority_id FROM priority_tag ORDER BY ALL"):
        tagged.setdefault((t, i), []).append(p)
    expected = {}
    for item_type, (table, key, columns) in ITEM_SOURCES.items():
        for item_id, *parts in rows(first_run.db, f"SELECT CAST({key} AS VARCHAR), {', '.join(columns)} FROM {table}"):
            priorities = [m.priority_id for m in classify(item_text(*parts))]
            if priorities:
                expected[(item_type, item_id)] = priorities
    assert tagged == expected
    assert ("question", "1700001") in tagged  # a kinship allowance question speaks to at least one priority


# ---------------------------------------------------------------- replays of real records

REAL_SINCE, REAL_UNTIL = date(2024, 7, 17), date(2024, 9, 12)


@pytest.fixture(scope="module")
def real_run(server, empty_template, tmp_path_factory) -> FirstRun:
    """35 real API records (6 about kinship care) served as the API served them, ingested over their window."""
    db = tmp_path_factory.mktemp("real") / "kinmon.duckdb"
    shutil.copyfile(empty_template, db)
    with pytest.MonkeyPatch.context() as mp:
        for name in SERVICES:
            mp.setenv(name, server.url)
        mp.setenv("KINMON_HTTP_MIN_INTERVAL", "0")
        fake = reset(server)
        fake.add_real(sample_records())
        result = run(db, REAL_SINCE, REAL_UNTIL)
    return FirstRun(db, result, list(server.requests))


def test_real_records_keep_exactly_the_kinship_questions(real_run):
    assert real_run.result.status == "succeeded"
    kept = [r[0] for r in rows(real_run.db, "SELECT id FROM written_question ORDER BY id")]
    assert kept == sorted(KINSHIP_IN_SAMPLE)
    # detail calls only for questions worth keeping: never for the 29 off-topic records
    detail = {int(r.path.rsplit("/", 1)[1]) for r in real_run.requests if r.path.startswith(questions.QUESTIONS_PATH + "/")}
    assert detail <= set(KINSHIP_IN_SAMPLE) | {1722461, 1727643, 1727397, 1727864, 1721946, 1724096}


def test_real_records_are_stored_as_the_api_filled_them(real_run):
    db = real_run.db
    # grouped questions arrive as lists of UIN strings; 48 and 49 were answered together
    assert rows(db, "SELECT id, uin, grouped_questions FROM written_question WHERE id IN (1721297, 1721298) "
                    "ORDER BY id") == [(1721297, "48", ["49"]), (1721298, "49", ["48"])]
    # the raw payload is upstream's, untouched: no private keys added by kinmon
    for (raw,) in rows(db, "SELECT raw FROM written_question"):
        value = __import__("json").loads(raw)
        assert not [k for k in value if k.startswith("_")]
        assert value["originalAnswerText"] == "" and value["comparableAnswerText"] == ""
    (q,) = rows(db, "SELECT heading, answering_body_name, date_tabled, date_answered, asking_member_id, "
                    "asking_member_name, text_complete FROM written_question WHERE id = 1726715")
    assert q == ("Children in Care: Education and Mental Health", "Department for Education", date(2024, 9, 2),
                 date(2024, 9, 12), 4651, None, True)
    stored = " ".join(str(v) for r in rows(db, "SELECT heading, question_text, answer_text, answer_html "
                                               "FROM written_question") for v in r)
    assert "\u200b" not in stored and "\u200e" not in stored


@pytest.mark.parametrize("qid, check", [
    (1721342, lambda q: "<table" in q.answer_text and q.from_detail),  # an HTML table, as the detail endpoint sends it
    (1721866, lambda q: "\u200b" not in q.answer_text and "\u200b" in q.raw["answerText"]),  # zero-width removed
    (1722647, lambda q: "\u200e" not in q.question_text),
    (1721311, lambda q: q.grouped_questions == ("261", "262", "588")),
    (1721712, lambda q: q.answer_is_correction is True and q.date_answer_corrected is not None),
])
def test_real_detail_records_parse_into_typed_questions(fake, qid, check):
    fake.add_real(sample_records())
    q = questions.fetch_question(Client(sleep=Sleeps()), qid)
    assert isinstance(q, questions.Question) and q.id == qid and check(q)


def test_real_list_records_parse_with_their_cut_text(fake):
    fake.add_real(sample_records())
    found = questions.list_questions(Client(sleep=Sleeps()), search_term="kinship", date_field="tabled",
                                     since=REAL_SINCE, until=REAL_UNTIL)
    by_id = {q.id: q for q in found}
    assert set(KINSHIP_IN_SAMPLE) - {1725954} <= set(by_id)  # 1725954 never says kinship
    q = by_id[1721297]
    assert q.answer_text.endswith("...") and q.text_truncated and not q.from_detail
    assert q.asking_member is None  # the sample was captured without expandMember


# ---------------------------------------------------------------- paging


def test_question_pages_are_walked_until_total_results(fake, monkeypatch):
    monkeypatch.setattr(questions, "PAGE_SIZE", 2)
    for i in range(3):  # six kinship questions tabled in the window: three pages of two
        q = question(1700100 + i, f"101{i}", "Commons", date(2024, 1, 2 + i),
                     f"To ask the Secretary of State for Education, question {i} on kinship care.",
                     heading="Kinship Care")
        fake.questions[q["id"]] = q
    found = questions.list_questions(Client(sleep=Sleeps()), search_term="kinship", date_field="tabled",
                                     since=SINCE, until=UNTIL)
    assert sorted(q.id for q in found) == [1700001, 1700006, 1700007, 1700100, 1700101, 1700102]
    skips = [r.param("skip") for r in fake.server.hits(questions.QUESTIONS_PATH)]
    assert skips == ["0", "2", "4"]  # the third page is full, but 6 >= totalResults stops it


def test_paging_stops_on_a_short_page(fake, monkeypatch):
    monkeypatch.setattr(questions, "PAGE_SIZE", 4)
    found = questions.list_questions(Client(sleep=Sleeps()), search_term="kinship", date_field="tabled",
                                     since=SINCE, until=UNTIL)
    assert len(found) == 3
    assert [r.param("skip") for r in fake.server.hits(questions.QUESTIONS_PATH)] == ["0"]


def test_hansard_pages_at_most_100_with_prefixed_parameters(fake, monkeypatch):
    for i in range(5):
        fake.contributions.append({**fake.contributions[0], "ContributionExtId": f"C-1{i:03}",
                                   "SittingDate": iso(date(2024, 3, 7 + i))})
    found = hansard.search_contributions(Client(sleep=Sleeps()), search_term="kinship", since=SINCE, until=UNTIL,
                                         take=500)
    assert len(found) == 7
    (req,) = fake.server.hits("/search/contributions/Spoken.json")
    assert {k: v[0] for k, v in req.query.items()} == {
        "queryParameters.searchTerm": "kinship", "queryParameters.startDate": "2024-01-01",
        "queryParameters.endDate": "2024-03-31", "queryParameters.take": "100", "queryParameters.skip": "0",
        "queryParameters.orderBy": "SittingDateAsc"}
    fake.server.requests.clear()
    monkeypatch.setattr(hansard, "MAX_TAKE", 3)
    found = hansard.search_contributions(Client(sleep=Sleeps()), search_term="kinship", since=SINCE, until=UNTIL)
    assert [c.contribution_id for c in found] == ["C-0003", "C-0001", "C-1000", "C-1001", "C-1002", "C-1003",
                                                       "C-1004"]
    assert [r.param("queryParameters.skip") for r in fake.server.hits("/search/contributions/Spoken.json")] == [
        "0", "3", "6"]


def test_debate_search_splits_the_window_when_capped(fake):
    fake.debate_cap = 1
    fake.debates.append({**fake.debates[0], "Title": "Kinship Carers", "DebateSectionExtId": "eeee-5555",
                         "SittingDate": iso(date(2024, 1, 15))})
    found = hansard.search_debates(Client(sleep=Sleeps()), search_term="kinship", since=SINCE, until=UNTIL)
    assert sorted(hansard.debate_id(d.debate_ext_id) for d in found) == ["AAAA-1111", "EEEE-5555"]
    windows = [(r.param("queryParameters.startDate"), r.param("queryParameters.endDate"))
               for r in fake.server.hits(hansard.DEBATES_PATH)]
    assert windows == [("2024-01-01", "2024-03-31"), ("2024-01-01", "2024-02-15"), ("2024-02-16", "2024-03-31")]


# ---------------------------------------------------------------- re-runs, corrections, curated rows


def test_second_identical_run_changes_nothing(fake, ingested_store):
    before = snapshot_tables(ingested_store)
    second = run(ingested_store)
    assert (second.status, second.rows_added, second.rows_updated) == ("succeeded", 0, 0)
    assert snapshot_tables(ingested_store) == before
    # Members fetched minutes ago are cached: no second round of Members API calls.
    assert not [r for r in fake.requests if r.path.startswith("/api/Members")]


def test_a_correction_on_a_later_run_keeps_the_earlier_answer(fake, ingested_store):
    db = ingested_store
    fake.questions[1700006].update(answerText="<p>The guidance will be updated in spring 2025.</p>",
                                   answerIsCorrection=True, dateAnswerCorrected=iso(date(2024, 4, 9)))
    later = run(db, since=date(2024, 4, 1), until=date(2024, 4, 30))
    assert (later.rows_added, later.rows_updated) == (0, 1)
    assert rows(db, "SELECT answer_html, answer_text, answer_is_correction, date_answer_corrected "
                    "FROM written_question WHERE id = 1700006") == [
        ("<p>The guidance will be updated in spring 2025.</p>", "The guidance will be updated in spring 2025.",
         True, date(2024, 4, 9))]
    assert rows(db, "SELECT question_id, date_answered, date_answer_corrected, answer_html, answer_text, "
                    "answer_is_holding FROM question_revision") == [
        (1700006, date(2024, 3, 11), None, "<p>Later this year.</p>", "Later this year.", None)]
    # Only the corrected pass could find it: it was tabled and answered before April.
    corrected = [r for r in fake.server.hits(questions.QUESTIONS_PATH) if r.param("correctedWhenFrom")]
    assert len(corrected) == len(ingest.load_search_config().terms)  # one corrected pass per search term
    assert {r.param("correctedWhenFrom") for r in corrected} == {"2024-04-01"}


def rows_of(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_live_question_supersedes_the_curated_row(fake, empty_store):
    with store.writer(empty_store) as con:
        curated = {"house": "Commons", "question_text": "curated text", "is_curated": True,
                   "source_id": "snapshot-questions", "retrieved_at": datetime(2025, 11, 25)}
        for cid, uin, tabled, heading in ((-1, "10006", date(2024, 3, 4), "Kinship care"),
                                          (-2, "10007", None, "kinship care: ambassador"),
                                          (-3, "10007", date(2023, 3, 5), "Kinship Care: Ambassador")):
            row = {**curated, "id": cid, "uin": uin, "date_tabled": tabled, "heading": heading}
            con.execute(f"INSERT INTO written_question ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
        con.execute("INSERT INTO debate (debate_id, date, house, location, title, is_curated, notes, url, source_id, "
                    "retrieved_at) VALUES ('curated-kc', '2024-03-06', 'Commons', 'Westminster Hall', 'Kinship care', "
                    "true, 'transcribed', 'https://www.theyworkforyou.com/whall/', 'snapshot-debates', '2025-11-25')")
        con.execute("INSERT INTO evidence VALUES ('c1', 'question', '-1', 'curated', 'asks when'), "
                    "('c1', 'debate', 'curated-kc', 'curated', NULL)")
        con.execute("INSERT INTO priority_tag VALUES ('question', '-2', 6, 'hand-tagged', 'v1', 'curated'), "
                    "('question', '-2', 1, 'kinship-law', 'v1', 'rule')")
        classify.retag_all(con)  # the curated rows are tagged, and their tagging state kept
        assert rows_of(con, "SELECT count(*) FROM tag_state WHERE item_id IN ('-1', '-2')") == [(2,)]
    run(empty_store)
    # -3 has the same UIN but another session's date: a different question, so it stays.
    assert rows(empty_store, "SELECT id FROM written_question WHERE is_curated") == [(-3,)]
    assert rows(empty_store, "SELECT commitment_id, item_type, item_id, method, note FROM evidence "
                                  "WHERE method = 'curated' ORDER BY ALL") == [
        ("c1", "debate", "AAAA-1111", "curated", None), ("c1", "question", "1700006", "curated", "asks when")]
    assert ("question", "1700007", 6, "hand-tagged", "v1", "curated") in rows(
        empty_store, "SELECT item_type, item_id, priority_id, rule_id, rules_version, method FROM priority_tag")
    assert rows(empty_store, "SELECT count(*) FROM priority_tag WHERE item_id IN ('-1', '-2')") == [(0,)]
    # and no tagging state is left for them, which would keep them untagged were they stored again
    assert rows(empty_store, "SELECT count(*) FROM tag_state WHERE item_id IN ('-1', '-2')") == [(0,)]
    assert rows(empty_store, "SELECT debate_id FROM debate") == [("AAAA-1111",)]


def test_live_debate_keeps_curated_notes_on_the_same_id(fake, empty_store):
    with store.writer(empty_store) as con:
        con.execute("INSERT INTO debate VALUES ('AAAA-1111', '2024-03-06', 'Commons', 'Westminster Hall', "
                    "'Kinship Care', ['Jane Doe (Sheffield North) (Lab) - mover'], false, 'Pre-strategy note', "
                    "'https://hansard.parliament.uk/x', 'snapshot-debates', '2025-11-25')")
    result = run(empty_store)
    assert (result.rows_added, result.rows_updated) == (11, 1)
    assert rows(empty_store, "SELECT location, participants, notes, source_id, url FROM debate") == [
        ("Westminster Hall", ["Jane Doe"], "Pre-strategy note", "parliament-hansard",
         "https://hansard.parliament.uk/Commons/2024-03-06/debates/aaaa-1111/KinshipCare")]


def test_stale_members_are_refetched_and_party_history_kept(fake, ingested_store):
    with store.writer(ingested_store) as con:
        con.execute("UPDATE member SET retrieved_at = retrieved_at - INTERVAL 31 DAY WHERE member_id = 4200")
    result = run(ingested_store)
    assert (result.rows_added, result.rows_updated) == (0, 0)
    assert sorted(r.path for r in fake.requests if r.path.startswith("/api/Members")) == [
        "/api/Members/4200", "/api/Members/History"]
    assert fake.server.hits(members.HISTORY_PATH)[0].query == {"ids": ["4200"]}
    assert rows(ingested_store, "SELECT * FROM member_party WHERE member_id = 4000 ORDER BY start_date") == [
        (4000, "Labour", date(2015, 5, 7), date(2024, 2, 1)), (4000, "Independent", date(2024, 2, 2), None)]
    (age,) = rows(ingested_store, "SELECT max(retrieved_at) - min(retrieved_at) FROM member")[0]
    assert age < timedelta(days=1)  # the refetched member's cache clock restarted


# ---------------------------------------------------------------- failures


def _first_then(first: Reply, then):
    served = []

    def handler(req):
        if not served:
            served.append(req)
            return first
        return then(req)
    return handler


def test_429_with_retry_after_is_honoured(fake, empty_store):
    fake.server.route("GET", questions.QUESTIONS_PATH, _first_then(
        Reply.json({"status": 429, "title": "Too Many Requests"}, status=429, headers={"Retry-After": "9"}),
        fake.list_questions))
    sleeps = Sleeps()
    result = run(empty_store, sleeps=sleeps)
    assert (result.status, result.rows_added) == ("succeeded", 12)
    assert sleeps == [9.0]
    first_two = fake.server.hits(questions.QUESTIONS_PATH)[:2]
    assert first_two[0].query == first_two[1].query  # the same page asked again after the wait


def test_500_then_success(fake, empty_store):
    fake.server.route("GET", f"{questions.QUESTIONS_PATH}/1700001", _first_then(
        Reply.json({"status": 500, "title": "An error occurred"}, status=500), fake.question_detail))
    result = run(empty_store)
    assert (result.status, result.rows_added) == ("succeeded", 12)
    assert len(fake.server.hits(f"{questions.QUESTIONS_PATH}/1700001")) == 2


def _assert_failed_cleanly(db: Path, before: str, *fragments: str) -> str:
    assert digest(db) == before
    last = read_journal(db)[-1]
    assert (last.source, last.status) == ("parliament", "failed")
    for fragment in fragments:
        assert fragment in last.error
    return last.error


def test_a_failing_server_leaves_the_store_byte_for_byte(fake, ingested_store):
    before = digest(ingested_store)
    fake.server.route("GET", "/search/contributions/Spoken.json",
                      Reply.json({"Message": "An error has occurred."}, status=500))
    sleeps = Sleeps()
    with pytest.raises(IngestError, match="store left unchanged"):
        run(ingested_store, since=date(2024, 3, 1), sleeps=sleeps)
    error = _assert_failed_cleanly(ingested_store, before, "/search/contributions/Spoken.json", "HTTP 500")
    assert error.startswith(fake.server.url)
    assert len(fake.server.hits("/search/contributions/Spoken.json")) == 6  # five retries, then give up
    assert [r.status for r in read_journal(ingested_store)] == ["succeeded", "failed"]


def test_invalid_json_fails_cleanly(fake, empty_store):
    before = digest(empty_store)
    fake.server.route("GET", questions.STATEMENTS_PATH, Reply.text('{"totalResults": 1, "results": [',
                                                                  content_type="application/json"))
    with pytest.raises(IngestError):
        run(empty_store)
    _assert_failed_cleanly(empty_store, before, questions.STATEMENTS_PATH, "invalid JSON")


def test_a_missing_field_fails_naming_the_field_and_url(fake, empty_store):
    before = digest(empty_store)
    del fake.questions[1700004]["dateTabled"]
    with pytest.raises(IngestError):
        run(empty_store)
    error = _assert_failed_cleanly(empty_store, before, "'dateTabled' is missing", questions.QUESTIONS_PATH)
    assert "searchTerm=" in error


def test_a_wrong_type_fails_naming_the_field(fake, empty_store):
    before = digest(empty_store)
    fake.contributions[0]["MemberId"] = "4000"
    with pytest.raises(IngestError):
        run(empty_store)
    _assert_failed_cleanly(empty_store, before, "field 'MemberId' is str", "/search/contributions/Spoken.json")


def test_unknown_member_is_skipped_not_fatal(fake, empty_store):
    del fake.server.routes[("GET", "/api/Members/4200")]
    result = run(empty_store)
    assert (result.status, result.rows_added) == ("succeeded", 11)
    assert rows(empty_store, "SELECT member_id FROM member ORDER BY 1") == [(4000,), (4100,)]
    assert rows(empty_store, "SELECT asking_member_name, asking_member_party FROM written_question "
                             "WHERE id = 1700004") == [("Baroness Kin", "Crossbench")]


# ---------------------------------------------------------------- windows and configuration


def test_window_defaults_to_strategy_start_then_cursor_minus_lookback():
    assert ingest.resolve_window(None, None, None, today=date(2024, 5, 1)) == Window(date(2023, 12, 1),
                                                                                   date(2024, 5, 1))
    assert ingest.resolve_window(None, date(2024, 5, 1), "2024-04-20") == Window(date(2024, 4, 6), date(2024, 5, 1))
    assert ingest.resolve_window(date(2024, 1, 2), date(2024, 1, 3), "2024-04-20") == Window(date(2024, 1, 2),
                                                                                          date(2024, 1, 3))
    with pytest.raises(ValueError, match="starts"):
        ingest.resolve_window(date(2024, 2, 1), date(2024, 1, 1), None)


def test_next_run_without_since_starts_from_the_cursor(fake, ingested_store):
    result = ingest.ingest_parliament(ingested_store, until=date(2024, 4, 30), client=Client(sleep=Sleeps()))
    assert (result.window_from, result.window_to, result.cursor) == ("2024-03-17", "2024-04-30", "2024-04-30")
    assert {r.param("tabledWhenFrom") for r in fake.server.hits(questions.QUESTIONS_PATH)} - {None} == {"2024-03-17"}


def test_load_parliament_reads_the_cursor_from_the_store_it_writes(fake, ingested_store):
    with store.writer(ingested_store) as con:
        counts = ingest.load_parliament(con, Window(until=date(2024, 4, 2)), client=Client(sleep=Sleeps()))
    assert counts.cursor == "2024-04-02"
    assert {r.param("madeWhenFrom") for r in fake.server.hits(questions.STATEMENTS_PATH)} == {"2024-03-17"}


def test_search_file_is_validated(tmp_path):
    path = tmp_path / "search.json"
    k = '{"term": "kinship", "reason": "r"}'
    x = '{"pattern": "x", "reason": "r"}'
    cases = [
        ("[]", "must be a JSON object"),
        (f'{{"search_terms": [], "keep_patterns": [{x}]}}', "search_terms must be a non-empty list"),
        (f'{{"search_terms": [{k}, {{"term": "", "reason": "r"}}], "keep_patterns": [{x}]}}',
         "search_terms[1] needs a non-empty 'term'"),
        (f'{{"search_terms": [{k}, "kinship"], "keep_patterns": [{x}]}}',
         "search_terms[1] must be an object with 'term' and 'reason'"),
        (f'{{"search_terms": [{{"term": "kinship"}}], "keep_patterns": [{x}]}}', "search_terms[0] needs a non-empty 'reason'"),
        (f'{{"search_terms": [{k}, {{"term": "Kinship", "reason": "r"}}], "keep_patterns": [{x}]}}',
         "search_terms has duplicates"),
        (f'{{"search_terms": [{k}], "keep_patterns": [{{"pattern": "(unclosed", "reason": "r"}}]}}',
         "keep_patterns[0] '(unclosed' is not a valid"),
        (f'{{"search_terms": [{k}], "keep_patterns": [{{"pattern": "x", "reason": "r", "why": 1}}]}}',
         "keep_patterns[0] has unknown key(s) ['why']"),
        ('{"search_terms": ["kinship"]', "invalid JSON at line 1"),
    ]
    for text, message in cases:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ingest.SearchConfigError, match=re.escape(message)) as err:
            ingest.load_search_config(path)
        assert str(err.value).startswith(str(path))
    with pytest.raises(ingest.SearchConfigError, match="file is missing"):
        ingest.load_search_config(tmp_path / "absent.json")


def test_a_bad_search_file_fails_the_run_cleanly(fake, empty_store, tmp_path, monkeypatch):
    bad = tmp_path / "search.json"
    bad.write_text('{"search_terms": [{"term": "kinship", "reason": "r"}], "keep_patterns": []}', encoding="utf-8")
    monkeypatch.setattr(ingest, "SEARCH_FILE", bad)
    before = digest(empty_store)
    with pytest.raises(IngestError):
        run(empty_store)
    _assert_failed_cleanly(empty_store, before, "keep_patterns must be a non-empty list")
    assert fake.requests == []  # validated before any request


def test_shipped_search_file_keeps_kinship_wording():
    config = ingest.load_search_config()
    assert config.terms[:2] == ("kinship", "guardianship")
    for text in ("Kinship carers", "special guardianship orders", "an SGO", "family and friends foster carers",
                 "connected persons", "relative and friend foster placements", "the Kinship Allowance pilot",
                 "children looked after in (a) relative and (b) friend foster placements",
                 "households where grandparents are the primary care givers to their grandchildren",
                 "grandparents raising their grandchildren", "children raised by their grandparents",
                 "family and friend carers", "the ASGSF", "kinship leave", "the Kinship Care Ambassador"):
        assert config.keeps(text), text
    for text in ("special educational needs", "friends and family of the deceased", "guardianship of adults",
                 "people living in (a) relative and (b) absolute poverty", "my right hon. Friend",
                 "parents or guardians", "children or grandchildren", "visits from next-of-kin",
                 "Glasgow", "an sgo of lower case", "foster carers' worker status"):
        assert not config.keeps(text), text


def test_statement_detail_accepts_item_and_envelope_shapes(fake):
    client = Client(sleep=Sleeps())
    assert questions.fetch_statement(client, 1800001).title == "Kinship Care Update"
    fake.server.route("GET", f"{questions.STATEMENTS_PATH}/1800001",
                      Reply.json({"value": fake.statements[1800001], "links": []}))
    assert questions.fetch_statement(client, 1800001).uin == "HCWS200"
    fake.server.route("GET", f"{questions.STATEMENTS_PATH}/1800001", Reply.json({"totalResults": 0, "results": []}))
    with pytest.raises(UpstreamError, match="statement 1800001 is not in the results"):
        questions.fetch_statement(client, 1800001)


def test_links_built_from_upstream_strings_cannot_be_reshaped():
    assert questions.question_url(date(2024, 1, 10), "HL2001") == (
        "https://questions-statements.parliament.uk/written-questions/detail/2024-01-10/HL2001")
    assert questions.question_url(date(2024, 1, 10), "1) [x](javascript:1") == (
        "https://questions-statements.parliament.uk/written-questions/detail/2024-01-10/1%29%20%5Bx%5D%28javascript%3A1")
    assert questions.question_url(None, "1") is None
    assert hansard.contribution_url("Commons", date(2024, 3, 6), "aaaa-1111", "C-1#x") == (
        "https://hansard.parliament.uk/Commons/2024-03-06/debates/aaaa-1111/link#contribution-C-1%23x")
    assert hansard.title_slug("Children's Wellbeing and Schools Bill") == "ChildrenSWellbeingAndSchoolsBill"


# ---------------------------------------------------------------- the command line, as a scheduled job runs it


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kinmon", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={**os.environ, "KINMON_HTTP_MIN_INTERVAL": "0",
                                                 "KINMON_HTTP_BACKOFF": "0.01"}, timeout=180)


def test_the_command_line_ingests_reruns_idempotently_and_fails_cleanly(fake, first_run, tmp_path):
    db = tmp_path / "kinmon.duckdb"
    assert _cli("init", "--db", str(db)).returncode == 0
    window = ["--since", SINCE.isoformat(), "--until", UNTIL.isoformat(), "--db", str(db)]
    first = _cli("ingest", "parliament", *window)
    assert first.returncode == 0, first.stderr
    added = int(first.stdout.split(", ")[1].split()[0])
    assert first.stdout.startswith("parliament: succeeded, ") and added > 0
    live = "SELECT count(*) FROM written_question WHERE NOT is_curated"
    assert rows(db, live) == rows(first_run.db, live)  # the CLI loads what the library loads

    second = _cli("ingest", "parliament", *window)
    assert second.returncode == 0 and "0 added, 0 updated" in second.stdout

    before = digest(db)
    fake.server.route("GET", questions.QUESTIONS_PATH, Reply.json({"status": 500, "title": "Server error"}, status=500))
    failed = _cli("ingest", "parliament", *window)
    assert failed.returncode == 1
    assert failed.stderr.startswith("kinmon: error: parliament ingest failed, store left unchanged: ")
    assert "HTTP 500" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    assert digest(db) == before

    status = _cli("status", "--db", str(db))
    line = next(ln for ln in status.stdout.splitlines() if ln.startswith("parliament"))
    assert "HTTP 500" in line and "never" not in line


def test_ingest_all_runs_statistics_even_when_parliament_fails(fake, tmp_path, replay, monkeypatch):
    db = tmp_path / "kinmon.duckdb"
    assert _cli("init", "--db", str(db)).returncode == 0
    fake.server.route("GET", questions.QUESTIONS_PATH, Reply.json({"status": 500, "title": "Server error"}, status=500))
    replay.route("GET", "/v1/publications/3260801d-601a-48c6-93b7-cf51680323d1/data-sets",
                 Reply.json({"paging": {"page": 1, "pageSize": 20, "totalResults": 0, "totalPages": 0}, "results": []}))
    replay.route("GET", "/v1/publications/89869bba-0c00-40f7-b7d6-e28cb904ad37/data-sets",
                 Reply.json({"paging": {"page": 1, "pageSize": 20, "totalResults": 0, "totalPages": 0}, "results": []}))
    monkeypatch.setenv("KINMON_EES_API", replay.url)
    both = _cli("ingest", "all", "--since", SINCE.isoformat(), "--until", UNTIL.isoformat(), "--db", str(db))
    assert both.returncode == 1
    assert both.stdout.startswith("statistics: succeeded, 0 added, 0 updated")
    assert both.stderr.startswith("kinmon: error: parliament ingest failed, store left unchanged: ")
    assert [(r.source, r.status) for r in read_journal(db)] == [("parliament", "failed"), ("statistics", "succeeded")]


def test_a_live_question_replaces_the_snapshot_row_with_the_same_api_id(server, snapshot_store, db_path, monkeypatch):
    # 1721298 (UIN 49) is in the shipped snapshot under its API id and in the real replay
    shutil.copyfile(snapshot_store, db_path)
    before = rows(db_path, "SELECT count(*), count(*) FILTER (WHERE id = 1721298 AND is_curated) FROM written_question")
    for name in SERVICES:
        monkeypatch.setenv(name, server.url)
    fake = reset(server)
    fake.add_real(sample_records())
    result = run(db_path, REAL_SINCE, REAL_UNTIL)
    assert result.status == "succeeded"
    after = rows(db_path, "SELECT count(*), count(*) FILTER (WHERE id = 1721298 AND NOT is_curated) FROM written_question")
    new_ids = set(KINSHIP_IN_SAMPLE) - {r[0] for r in rows(snapshot_store, "SELECT id FROM written_question")}
    assert before == [(122, 1)] and after == [(122 + len(new_ids), 1)]
    assert rows(db_path, "SELECT source_id, date_tabled FROM written_question WHERE id = 1721298") == [
        ("parliament-written-questions", date(2024, 7, 17))]
    assert rows(db_path, "SELECT count(*) FROM answer_passage WHERE question_id = 1721298") != [(0,)]
