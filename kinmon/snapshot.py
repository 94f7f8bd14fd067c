"""Build the store from the curated snapshot shipped in data/: validated, all or nothing.

Every file is checked row by row before anything is written; a malformed row raises SnapshotError
naming the file, the line and the reason. The store is then built in a new file and published by
atomic rename (kinmon.store.writer), so a failed build leaves any previous store untouched.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import duckdb

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.errors import BadInput
from kinmon.sources.questions import question_url
from kinmon.store import rows

OPL = ("Open Parliament Licence v3.0",
       "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/")
OGL = ("Open Government Licence v3.0",
       "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
QUOTED = ("Quoted for reporting from the publisher's page; see its terms", None)

SUPPRESSION_CODES = frozenset({"c", "k", "u", "x", "z", "low"})
STATUSES_REQUIRED = ("not_yet_rateable",)
COMMITMENT_KINDS = frozenset({"process", "outcome"})

# Who published the page a curated figure was read from (the original publisher is in its title).
HOST_PUBLISHERS = {
    "explore-education-statistics.service.gov.uk": "Department for Education",
    "www.gov.uk": "GOV.UK",
    "www.ons.gov.uk": "Office for National Statistics",
    "cafcass.gov.uk": "Cafcass",
    "www.cafcass.gov.uk": "Cafcass",
    "frg.org.uk": "Family Rights Group",
    "www.frg.org.uk": "Family Rights Group",
    "kinship.org.uk": "Kinship (charity)",
    "foundations.org.uk": "Foundations",
    "www.parallelparliament.co.uk": "Parallel Parliament",
    "parallelparliament.co.uk": "Parallel Parliament",
    "www.communitycare.co.uk": "Community Care",
    "www.cypnow.co.uk": "Children & Young People Now",
    "www.ncb.org.uk": "National Children's Bureau",
    "www.adoptionuk.org": "Adoption UK",
    "adoptionengland.co.uk": "Adoption England",
}
OGL_HOSTS = frozenset({"explore-education-statistics.service.gov.uk", "www.gov.uk", "www.ons.gov.uk",
                       "cafcass.gov.uk", "www.cafcass.gov.uk"})
PARLIAMENT_HOSTS = frozenset({"hansard.parliament.uk", "questions-statements.parliament.uk",
                              "www.parallelparliament.co.uk", "parallelparliament.co.uk", "www.theyworkforyou.com"})

GEOGRAPHIES = {
    "England": ("National", "E92000001"),
    "England and Wales": ("National", "K04000001"),
    "Wales": ("National", "W92000004"),
    "UK": ("National", "K02000001"),
    "North East": ("Regional", "E12000001"),
    "North West": ("Regional", "E12000002"),
    "Yorkshire and The Humber": ("Regional", "E12000003"),
    "East Midlands": ("Regional", "E12000004"),
    "West Midlands": ("Regional", "E12000005"),
    "East of England": ("Regional", "E12000006"),
    "London": ("Regional", "E12000007"),
    "South East": ("Regional", "E12000008"),
    "South West": ("Regional", "E12000009"),
}
LA_PATTERN = re.compile(r"^(?P<name>.+?) \((?P<code>E0[6-9]\d{6}|E10\d{6})\)$")
QUALIFIED = re.compile(r"^(?P<name>.+?) \((?P<qualifier>[^)]*)\)$")

class SnapshotError(BadInput):
    """A snapshot file is malformed: says which file, which line and why."""

    def __init__(self, path: Path | str, line: int | None, reason: str):
        where = f"{Path(path).name}:{line}" if line else f"{Path(path).name}"
        super().__init__(f"{where}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


@dataclass
class Snapshot:
    """Everything read from data/, validated, ready to write."""

    compiled_on: date
    tables: dict[str, list[dict]] = field(default_factory=dict)  # rows by column name (kinmon.store.rows)
    sources: dict[str, dict] = field(default_factory=dict)


# ---------------------------------------------------------------- field parsers


def parse_date(value: str) -> tuple[date, str]:
    """An ISO date, or a year-month or a year; returns the date and its precision."""
    value = value.strip()
    for fmt, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.strptime(value, fmt).date(), precision
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def parse_priorities(value: str, *, allow_empty: bool = False) -> list[int]:
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if not parts and not allow_empty:
        raise ValueError("priorities is empty")
    out = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 7:
            raise ValueError(f"priority {p!r} is not a number from 1 to 7")
        if int(p) not in out:
            out.append(int(p))
    return out


def parse_amount(value: str) -> float | None:
    value = value.strip().replace(",", "").replace("£", "")
    if not value:
        return None
    try:
        amount = float(value)
    except ValueError as exc:
        raise ValueError(f"amount {value!r} is not a number") from exc
    if amount < 0:
        raise ValueError(f"amount {value!r} is negative")
    return amount


def parse_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def parse_figure_value(value: str) -> tuple[float | None, str | None, str | None]:
    """(number, words, suppression code): a suppressed or worded figure is never turned into 0."""
    raw = value.strip()
    if raw.lower() in SUPPRESSION_CODES:
        return None, None, raw.lower()
    try:
        return float(raw.replace(",", "")), None, None
    except ValueError:
        if not raw:
            raise ValueError("value is empty (write a suppression code or the published words)") from None
        return None, raw, None


def parse_period_end(period: str) -> date | None:
    """The last day a period covers, where the period says so plainly."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})(?:\s*\(assumed\))?$", period.strip())
    if m:
        return datetime.strptime(m.group(1), "%Y-%m-%d").date()
    if re.fullmatch(r"\d{4}", period.strip()):
        return date(int(period), 12, 31)
    m = re.fullmatch(r"(\d{4})-(\d{2})", period.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        year, month = int(m.group(1)), int(m.group(2))
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return None


# ---------------------------------------------------------------- file readers


def read_csv(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; the header must be exactly `columns`."""
    if not path.exists():
        raise SnapshotError(path, None, "file is missing")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise SnapshotError(path, 1, "file is empty") from None
        if header != columns:
            raise SnapshotError(path, 1, f"columns are {header}, expected {columns}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise SnapshotError(path, line, f"{len(row)} fields, expected {len(columns)}")
            yield line, dict(zip(columns, row))


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.exists():
        raise SnapshotError(path, None, "file is missing")
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SnapshotError(path, line_no, f"invalid JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise SnapshotError(path, line_no, "each line must be a JSON object")
            yield line_no, record


def _checked(path: Path, line: int, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a row parser, turning its ValueError into a SnapshotError with the file and line."""
    try:
        return fn(*args)
    except SnapshotError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(path, line, str(exc).strip("'\"")) from None


def _required(row: dict, *names: str) -> None:
    for name in names:
        if not str(row.get(name) or "").strip():
            raise ValueError(f"{name} is empty")


def _unique(path: Path, line: int, seen: set, key: Any, what: str) -> None:
    if key in seen:
        raise SnapshotError(path, line, f"duplicate {what} {key!r}")
    seen.add(key)


# ---------------------------------------------------------------- the snapshot


def read_snapshot(data_dir: Path = DATA_DIR) -> Snapshot:
    """Read and validate every snapshot file; raises SnapshotError on the first bad row."""
    data_dir = Path(data_dir)
    manifest = data_dir / "snapshot.json"
    try:
        compiled_on = parse_date(json.loads(manifest.read_text(encoding="utf-8"))["compiled_on"])[0]
    except FileNotFoundError:
        raise SnapshotError(manifest, None, "file is missing") from None
    except (json.JSONDecodeError, KeyError, ValueError) as exc:
        raise SnapshotError(manifest, None, f"needs a compiled_on date ({exc})") from None
    snap = Snapshot(compiled_on=compiled_on)
    retrieved = datetime.combine(compiled_on, datetime.min.time())
    _read_priorities(data_dir, snap, retrieved)
    statuses = _read_status_scale(data_dir, snap)
    commitments = _read_commitments(data_dir, snap, statuses)
    _source(snap, "snapshot-commitments", "kinmon",
            "Register of government commitments on kinship care, compiled from the sources cited on each row",
            None, QUOTED, retrieved)
    events = _read_timeline(data_dir, snap, commitments)
    questions = _read_questions(data_dir, snap, retrieved)
    statements = _read_statements(data_dir, snap, retrieved)
    _read_members(data_dir, snap, retrieved)
    debates = _read_debates(data_dir, snap, retrieved)
    _read_evidence(data_dir, snap, commitments, {"question": questions, "statement": statements, "debate": debates,
                                                 "event": events})
    _read_glossary(data_dir, snap)
    _read_appg(data_dir, snap)
    _read_figures(data_dir, snap, retrieved)
    _read_indicators(data_dir, snap)
    return snap


def _source(snap: Snapshot, source_id: str, publisher: str, title: str, url: str | None,
            licence: tuple[str, str | None], retrieved: datetime) -> str:
    snap.sources.setdefault(source_id, rows.source(source_id, publisher=publisher, title=title, url=url,
                                                   licence=licence[0], licence_url=licence[1], retrieved_at=retrieved))
    return source_id


def _read_priorities(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    path = data_dir / "priorities.csv"
    found, seen = [], set()
    cols = ["priority_id", "short_title", "summary", "alliance_ask", "source_title", "source_url"]
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            _required(r, *cols)
            pid = parse_priorities(r["priority_id"])
            if len(pid) != 1:
                raise ValueError("priority_id must be one number from 1 to 7")
            url = parse_url(r["source_url"])
            sid = _source(snap, "kinship-care-alliance", "Kinship Care Alliance", r["source_title"], url,
                          QUOTED, retrieved)
            return rows.priority(pid[0], r["short_title"].strip(), r["summary"].strip(), r["alliance_ask"].strip(),
                                 sid, url)
        row = _checked(path, line, build, r)
        _unique(path, line, seen, row["priority_id"], "priority_id")
        found.append(row)
    if seen != set(range(1, 8)):
        raise SnapshotError(path, None, f"must define priorities 1 to 7 exactly once, found {sorted(seen)}")
    snap.tables["priority"] = found


def _read_status_scale(data_dir: Path, snap: Snapshot) -> set[str]:
    path = data_dir / "status_scale.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["status", "rank", "label", "definition"]):
        def build(r: dict) -> dict:
            _required(r, "status", "rank", "label", "definition")
            if not re.fullmatch(r"[a-z_]+", r["status"]):
                raise ValueError(f"status {r['status']!r} must be lower_snake_case")
            return rows.status_scale(r["status"], int(r["rank"]), r["label"].strip(), r["definition"].strip())
        row = _checked(path, line, build, r)
        _unique(path, line, seen, row["status"], "status")
        found.append(row)
    for needed in STATUSES_REQUIRED:
        if needed not in seen:
            raise SnapshotError(path, None, f"the scale must include {needed!r}")
    snap.tables["status_scale"] = found
    return seen


def _read_commitments(data_dir: Path, snap: Snapshot, statuses: set[str]) -> set[str]:
    path = data_dir / "commitments.csv"
    cols = ["commitment_id", "title", "kind", "type", "announced_on", "priorities", "amount_gbp", "amount_scope",
            "description", "source_title", "source_url"]
    found, links, seen = [], [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> tuple[dict, list[int]]:
            _required(r, "commitment_id", "title", "kind", "type", "priorities", "source_title", "source_url")
            if r["kind"] not in COMMITMENT_KINDS:
                raise ValueError(f"kind {r['kind']!r} must be one of {sorted(COMMITMENT_KINDS)}")
            announced, precision = parse_date(r["announced_on"]) if r["announced_on"].strip() else (None, "unknown")
            amount = parse_amount(r["amount_gbp"])
            if amount is not None and not r["amount_scope"].strip():
                raise ValueError("amount_gbp needs an amount_scope saying what it covers")
            return rows.commitment(
                r["commitment_id"].strip(), title=r["title"].strip(), kind=r["kind"], type=r["type"].strip(),
                announced_on=announced, date_precision=precision, amount_gbp=amount,
                amount_scope=r["amount_scope"].strip() or None, description=r["description"].strip() or None,
                source_title=r["source_title"].strip(), source_url=parse_url(r["source_url"])
            ), parse_priorities(r["priorities"])
        row, prios = _checked(path, line, build, r)
        _unique(path, line, seen, row["commitment_id"], "commitment_id")
        found.append(row)
        links.extend(rows.commitment_priority(row["commitment_id"], p) for p in prios)
    snap.tables["commitment"] = found
    snap.tables["commitment_priority"] = links
    _read_status_history(data_dir, snap, seen, statuses)
    return seen


def _read_status_history(data_dir: Path, snap: Snapshot, commitments: set[str], statuses: set[str]) -> None:
    path = data_dir / "status_history.csv"
    cols = ["commitment_id", "changed_on", "status", "reason", "source_title", "source_url"]
    found: list[dict] = []
    last: dict[str, date] = {}
    seq: dict[str, int] = {}
    for line, r in read_csv(path, cols):
        def build(r: dict) -> tuple:
            _required(r, *cols)
            if r["commitment_id"] not in commitments:
                raise ValueError(f"commitment_id {r['commitment_id']!r} is not in commitments.csv")
            if r["status"] not in statuses:
                raise ValueError(f"status {r['status']!r} is not on the status scale")
            changed = parse_date(r["changed_on"])[0]
            if r["commitment_id"] in last and changed < last[r["commitment_id"]]:
                raise ValueError("history must be in date order for each commitment (it is append-only)")
            return (r["commitment_id"], changed, r["status"], r["reason"].strip(), r["source_title"].strip(),
                    parse_url(r["source_url"]))
        cid, changed, status, reason, stitle, surl = _checked(path, line, build, r)
        last[cid] = changed
        seq[cid] = seq.get(cid, 0) + 1
        found.append(rows.status_change(cid, seq[cid], changed_on=changed, status=status, reason=reason,
                                        source_title=stitle, source_url=surl))
    missing = sorted(commitments - set(seq))
    if missing:
        raise SnapshotError(path, None, f"no status for commitments {missing}")
    snap.tables["status_change"] = found


def _read_timeline(data_dir: Path, snap: Snapshot, commitments: set[str]) -> set[str]:
    path = data_dir / "timeline.csv"
    cols = ["event_id", "date", "title", "type", "priorities", "amount_gbp", "commitment_id", "source_title",
            "source_url", "notes"]
    found, seen = [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            _required(r, "event_id", "date", "title", "type", "source_title", "source_url")
            when, precision = parse_date(r["date"])
            cid = r["commitment_id"].strip() or None
            if cid and cid not in commitments:
                raise ValueError(f"commitment_id {cid!r} is not in commitments.csv")
            return rows.timeline_event(
                r["event_id"].strip(), date=when, date_precision=precision, title=r["title"].strip(),
                type=r["type"].strip(), priorities=parse_priorities(r["priorities"], allow_empty=True),
                amount_gbp=parse_amount(r["amount_gbp"]), commitment_id=cid, source_title=r["source_title"].strip(),
                source_url=parse_url(r["source_url"]), notes=r["notes"].strip() or None)
        row = _checked(path, line, build, r)
        _unique(path, line, seen, row["event_id"], "event_id")
        found.append(row)
    snap.tables["timeline_event"] = found
    return seen


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n") if p.strip())


MYSOCIETY = "mySociety"
# The API's own JSON for one question: a record from the mirror with no UIN or date links here.
API_QUESTION = "https://questions-statements-api.parliament.uk/api/writtenquestions/questions/{id}"


def _question_source(snap: Snapshot, q: dict, retrieved: datetime) -> str:
    """Curated questions come from two kinds of source: public pages, or the API as mySociety republished it."""
    if MYSOCIETY in str(q.get("_provenance") or ""):
        return _source(snap, "snapshot-questions-api", "UK Parliament",
                       "Written questions on kinship care from the Written Questions API, as republished by mySociety "
                       "(github.com/mysociety/uk-parl-written-questions)",
                       "https://questions-statements.parliament.uk/written-questions", OPL, retrieved)
    return _source(snap, "snapshot-questions", "UK Parliament",
                   "Written questions on kinship care, transcribed from public pages (kinmon snapshot)",
                   "https://questions-statements.parliament.uk/written-questions", OPL, retrieved)


def question_record(q: dict, snap: Snapshot, retrieved: datetime) -> dict:
    """One curated question as a written_question row, by column name; unknown fields stay empty."""
    from kinmon.sanitize import clean_html

    qid = q["id"]
    if not isinstance(qid, int) or isinstance(qid, bool) or qid == 0:
        raise ValueError("id must be the API id, or a negative number when no API id is known")
    if qid > 0 and q.get("_api_id") != qid:
        raise ValueError(f"id {qid} is positive but _api_id is {q.get('_api_id')!r}: a positive id must be the API id")
    _required(q, "house", "questionText", "source_url")
    if q["house"] not in ("Commons", "Lords"):
        raise ValueError(f"house {q['house']!r} must be Commons or Lords")
    tabled = parse_date(q["dateTabled"])[0] if q.get("dateTabled") else None
    answered = parse_date(q["dateAnswered"])[0] if q.get("dateAnswered") else None
    if tabled and answered and answered < tabled:
        raise ValueError("dateAnswered is before dateTabled")
    month = None
    if q.get("_tabledMonth"):
        month, precision = parse_date(q["_tabledMonth"])
        if precision != "month":
            raise ValueError(f"_tabledMonth {q['_tabledMonth']!r} must be YYYY-MM")
        if tabled and (tabled.year, tabled.month) != (month.year, month.month):
            raise ValueError(f"_tabledMonth {q['_tabledMonth']} disagrees with dateTabled {tabled}")
    asker = q.get("askingMember") or {}
    answerer = q.get("answeringMember") or {}
    answer = (q.get("answerText") or "").strip() or None
    answer_html = clean_html(q["_answerText_html"]) if q.get("_answerText_html") else None
    uin = str(q["uin"]) if q.get("uin") else None
    grouped = q.get("_groupedQuestions")
    if grouped is not None and (not isinstance(grouped, list) or not all(isinstance(g, (str, int)) for g in grouped)):
        raise ValueError("_groupedQuestions must be a list of UINs")
    notes = "; ".join(str(q[k]) for k in ("_notes", "_provenance") if q.get(k))
    for key in ("_askingMemberId", "_answeringMemberId"):
        if q.get(key) is not None and (not isinstance(q[key], int) or q[key] <= 0):
            raise ValueError(f"{key} must be a Parliament member id")
    url = question_url(tabled, uin) or parse_url(q["source_url"])
    return rows.written_question(
        id=qid, uin=uin, house=q["house"], date_tabled=tabled, tabled_month=month, date_answered=answered,
        heading=q.get("heading") or None, question_text=q["questionText"].strip(), answer_text=answer,
        answer_html=answer_html or (_paragraphs_html(answer) if answer else None),
        text_complete=q.get("_answerText_truncated") is False, answering_body_name=q.get("answeringBodyName"),
        asking_member_id=q.get("_askingMemberId"), asking_member_name=asker.get("name"),
        asking_member_party=asker.get("party"), asking_member_from=asker.get("memberFrom"),
        answering_member_id=q.get("_answeringMemberId"), answering_member_name=answerer.get("name"),
        answering_member_role=q.get("_answeringMemberRole"),
        grouped_questions=[str(g) for g in grouped] if grouped else None,
        is_named_day=False, is_withdrawn=False, is_curated=True, notes=notes or None, url=url,
        source_id=_question_source(snap, q, retrieved), retrieved_at=retrieved, raw=json.dumps(q, ensure_ascii=False),
    )


def _read_questions(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "questions.jsonl"
    found, seen, natural = [], set(), set()
    for line, q in read_jsonl(path):
        row = _checked(path, line, question_record, q, snap, retrieved)
        _unique(path, line, seen, row["id"], "id")
        if row["uin"]:  # the same question twice under two ids would be counted twice
            _unique(path, line, natural, (row["house"], row["uin"], row["date_tabled"] or row["tabled_month"]),
                    "house, UIN and date")
        found.append(row)
    snap.tables["written_question"] = found
    return {str(i) for i in seen}


def _read_statements(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "statements.jsonl"
    found, seen = [], set()
    for line, s in read_jsonl(path):
        def build(s: dict) -> dict:
            sid = s["id"]
            if not isinstance(sid, int) or sid >= 0:
                raise ValueError("curated statements need a negative integer id (no API id is known)")
            _required(s, "url", "_provenance")
            text = (s.get("text_excerpt") or "").strip() or None
            department = s.get("department")
            if department and "inferred" in department:  # a guess is not a fact: leave it out
                department = None
            notes = "; ".join(str(s[k]) for k in ("notes", "_provenance") if s.get(k))
            source = _source(snap, "snapshot-statements", "UK Parliament",
                             "Written ministerial statements on kinship care, transcribed from public pages "
                             "(kinmon snapshot)", "https://questions-statements.parliament.uk/written-statements",
                             OPL, retrieved)
            return rows.statement(id=sid, uin=s.get("uin"), house=s.get("house"),
                        date_made=parse_date(s["date"])[0] if s.get("date") else None, title=s.get("title"),
                        text_html=_paragraphs_html(text) if text else None, text=text, member_name=s.get("minister"),
                        member_role=s.get("_ministerRole"), answering_body_name=department,
                        url=parse_url(s["url"]), source_id=source, retrieved_at=retrieved,
                        raw=json.dumps({**s, "notes": notes or None}, ensure_ascii=False))
        row = _checked(path, line, build, s)
        _unique(path, line, seen, row["id"], "id")
        found.append(row)
    snap.tables["statement"] = found
    return {str(i) for i in seen}


def _read_members(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    """Members with a Parliament id who asked or answered a curated question, only as the source shows them."""
    from kinmon.sources.members import member_url

    path = data_dir / "members.csv"
    cols = ["member_id", "name", "party", "member_from", "house", "source_url"]
    found, seen = [], set()
    source = _source(snap, "snapshot-members", "UK Parliament",
                     "Members who asked or answered the curated questions, as those questions' sources show them",
                     "https://members.parliament.uk/", OPL, retrieved)
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            _required(r, "member_id", "name", "source_url")
            if not r["member_id"].isdigit():
                raise ValueError(f"member_id {r['member_id']!r} is not a Parliament member id")
            if r["house"] not in ("", "Commons", "Lords"):
                raise ValueError(f"house {r['house']!r} must be Commons, Lords or empty")
            parse_url(r["source_url"])
            mid = int(r["member_id"])
            return rows.member(member_id=mid, name=r["name"].strip(), party=r["party"].strip() or None,
                        house=r["house"] or None, member_from=r["member_from"].strip() or None, url=member_url(mid),
                        source_id=source, retrieved_at=retrieved)
        row = _checked(path, line, build, r)
        _unique(path, line, seen, row["member_id"], "member_id")
        found.append(row)
    snap.tables["member"] = found


def _read_debates(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "debates.jsonl"
    sid = _source(snap, "snapshot-debates", "UK Parliament", "Debates on kinship care (kinmon snapshot)",
                  "https://hansard.parliament.uk/", OPL, retrieved)
    found, seen = [], set()
    for line, d in read_jsonl(path):
        def build(d: dict) -> dict:
            _required(d, "debate_id", "date", "title", "source_url")
            members = d.get("members") or []
            if not isinstance(members, list):
                raise ValueError("members must be a list")
            notes = " ".join(x for x in (f"Motion: {d['motion']}" if d.get("motion") else "", d.get("notes") or "")
                             if x) or None
            return rows.debate(debate_id=d["debate_id"], date=parse_date(d["date"])[0], house=d.get("house"),
                        location=d.get("location"), title=d["title"], participants=[str(m) for m in members],
                        is_curated=str(d["debate_id"]).startswith("curated-"), notes=notes,
                        url=parse_url(d["source_url"]), source_id=sid, retrieved_at=retrieved)
        row = _checked(path, line, build, d)
        _unique(path, line, seen, row["debate_id"], "debate_id")
        found.append(row)
    snap.tables["debate"] = found
    return seen


def _read_evidence(data_dir: Path, snap: Snapshot, commitments: set[str], items: dict[str, set[str]]) -> None:
    path = data_dir / "evidence.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["commitment_id", "item_type", "item_id", "note"]):
        def build(r: dict) -> dict:
            _required(r, "commitment_id", "item_type", "item_id")
            if r["commitment_id"] not in commitments:
                raise ValueError(f"commitment_id {r['commitment_id']!r} is not in commitments.csv")
            known = items.get(r["item_type"])
            if known is None:
                raise ValueError(f"item_type {r['item_type']!r} must be one of {sorted(items)}")
            if r["item_id"].strip() not in known:
                raise ValueError(f"{r['item_type']} {r['item_id']!r} is not in the snapshot")
            return rows.evidence(r["commitment_id"], r["item_type"], r["item_id"].strip(), "curated",
                                 r["note"].strip() or None)
        row = _checked(path, line, build, r)
        _unique(path, line, seen, (row["commitment_id"], row["item_type"], row["item_id"]), "evidence link")
        found.append(row)
    snap.tables["evidence"] = found


def _read_glossary(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "glossary.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["term", "definition", "source_title", "source_url"]):
        def build(r: dict) -> dict:
            _required(r, "term", "definition", "source_title", "source_url")
            return rows.glossary(r["term"].strip(), r["definition"].strip(), r["source_title"].strip(),
                                 parse_url(r["source_url"]))
        row = _checked(path, line, build, r)
        _unique(path, line, seen, row["term"], "term")
        found.append(row)
    snap.tables["glossary"] = found


def _read_indicators(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "indicators.csv"
    known = {s["series_id"] for s in snap.tables["series"]}
    found: list[dict] = []
    seq: dict[int, int] = {}
    for line, r in read_csv(path, ["priority_id", "series_id", "headline", "note"]):
        def build(r: dict) -> tuple:
            _required(r, "priority_id", "headline")
            pid = parse_priorities(r["priority_id"])[0]
            sid = r["series_id"].strip() or None
            if sid and sid not in known:
                raise ValueError(f"series_id {sid!r} is not a measure in figures.csv")
            return pid, sid, r["headline"].strip(), r["note"].strip() or None
        pid, sid, headline, note = _checked(path, line, build, r)
        seq[pid] = seq.get(pid, 0) + 1
        found.append(rows.indicator(pid, seq[pid], sid, headline, note))
    missing = sorted(set(range(1, 8)) - set(seq))
    if missing:
        raise SnapshotError(path, None, f"every priority needs an indicator row (or a row saying none exists): {missing}")
    snap.tables["indicator"] = found


def _read_appg(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "appg.csv"
    cols = ["member_name", "role", "as_of", "source_title", "source_url", "notes"]
    found, seen = [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            _required(r, "member_name", "role", "as_of", "source_title", "source_url")
            return rows.appg_membership(r["member_name"].strip(), r["role"].strip(), parse_date(r["as_of"])[0],
                                        r["source_title"].strip(), parse_url(r["source_url"]), r["notes"].strip() or None)
        row = _checked(path, line, build, r)
        _unique(path, line, seen, (row["member_name"], row["role"], row["as_of"]), "membership")
        found.append(row)
    snap.tables["appg_membership"] = found


def _read_measures(data_dir: Path) -> dict[str, tuple]:
    """Plain titles, descriptions and priorities of the curated figures' measures (data/measures.csv)."""
    path = data_dir / "measures.csv"
    out: dict[str, tuple] = {}
    for line, r in read_csv(path, ["series_id", "title", "description", "priorities", "is_context"]):
        def build(r: dict) -> tuple:
            _required(r, "series_id", "title", "priorities", "is_context")
            if r["is_context"] not in ("true", "false"):
                raise ValueError(f"is_context must be true or false, got {r['is_context']!r}")
            return (r["title"].strip(), r["description"].strip() or None, parse_priorities(r["priorities"]),
                    r["is_context"] == "true")
        row = _checked(path, line, build, r)
        _unique(path, line, set(out), r["series_id"], "series_id")
        out[r["series_id"]] = row
    return out


def release_id_for(url: str, publication: str) -> str:
    return "curated-" + hashlib.sha1(f"{url}|{publication}".encode()).hexdigest()[:12]


def _release_year(publication: str) -> int:
    """Later reporting years restate earlier ones: the year named in the title orders vintages."""
    years = [int(y) for y in re.findall(r"(?:reporting year|year ending 31 March|year)\s+(\d{4})", publication)]
    return max(years) if years else 0


def _read_figures(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    """DfE's statistics from the shipped extract of its real files, then the curated figures.

    A curated figure whose URL is a registered DfE release's page is recorded under that release
    (its title, publication date and licence); others get a release of their own. The latest
    vintage of each period and place is the one from the newest dated release, then the newest
    reporting year named in the publication, then the first listed.
    """
    from kinmon.ingest.registry import load_registry, load_releases

    specs = {s.series_id: s for s in load_registry(data_dir / "series.json")}
    registered = {r.release_id: r for r in load_releases(data_dir / "series.json", list(specs.values()))}
    by_url = {r.url: r for r in registered.values()}
    releases: dict[str, dict] = {}
    series: dict[str, dict] = {}
    obs = _read_extract(data_dir, snap, specs, registered, releases, series)
    path = data_dir / "figures.csv"
    cols = ["measure", "geography", "period", "value", "unit", "source_publication", "source_url", "notes"]
    measures = _read_measures(data_dir)
    curated: list[dict] = []
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            _required(r, "measure", "geography", "period", "value", "unit", "source_publication", "source_url")
            if not re.fullmatch(r"[a-z0-9_]+", r["measure"]):
                raise ValueError(f"measure {r['measure']!r} must be lower_snake_case")
            geo, qualifier = r["geography"].strip(), None
            if (q := QUALIFIED.match(geo)) and q.group("name") in GEOGRAPHIES:
                geo, qualifier = q.group("name"), q.group("qualifier")  # e.g. "England (124 responding councils)"
            if geo in GEOGRAPHIES:
                level, code = GEOGRAPHIES[geo]
                name = geo
            elif m := LA_PATTERN.match(geo):
                level, code, name = "Local authority", m.group("code"), m.group("name")
            else:
                raise ValueError(f"geography {geo!r} is not a known country or region, or 'Name (GSS code)'")
            value, words, suppression = parse_figure_value(r["value"])
            url = parse_url(r["source_url"])
            host = urlsplit(url).netloc.lower()
            publisher = HOST_PUBLISHERS.get(host, host)
            licence = OPL if host in PARLIAMENT_HOSTS else OGL if host in OGL_HOSTS else QUOTED
            known = by_url.get(url)
            rid = known.release_id if known else release_id_for(url, r["source_publication"])
            if known:  # a DfE figure of a registered release: cited as that release (its notes say where it was read)
                sid = _registered_release(known, snap, releases)
            else:
                sid = _source(snap, f"figure:{rid}", publisher, r["source_publication"].strip(), url, licence, retrieved)
                stated = _published_on(r["source_publication"])
                releases.setdefault(rid, dict(release_id=rid, publication=r["source_publication"].strip(),
                                              title=r["source_publication"].strip(), published_on=stated,
                                              published_note="as the source states it" if stated else None,
                                              url=url, is_latest=True, source_id=sid, retrieved_at=retrieved))
            return dict(series_id=r["measure"], time_period=r["period"].strip(), time_identifier=None,
                        period_end=parse_period_end(r["period"]), geographic_level=level, geography_code=code,
                        geography_name=name, filter_key="", filters=None, indicator=None, value=value, value_text=words,
                        suppression=suppression, unit=r["unit"].strip(), release_id=rid, is_latest=False,
                        notes="; ".join(x for x in (f"coverage: {qualifier}" if qualifier else "", r["notes"].strip())
                                        if x) or None,
                        source_id=sid, source_url=url, retrieved_at=retrieved,
                        _year=_release_year(r["source_publication"]))
        o = _checked(path, line, build, r)
        o["_line"] = line
        if o["series_id"] not in measures and o["series_id"] not in specs:
            raise SnapshotError(path, line, f"measure {o['series_id']!r} has no row in measures.csv (title, priorities)")
        if o["series_id"] not in specs:
            title, description, prios, is_context = measures[o["series_id"]]
            series.setdefault(o["series_id"], dict(
                series_id=o["series_id"], title=title, unit=o["unit"], description=description, priorities=prios,
                publisher="Curated published figures", is_context=is_context, source_id="snapshot-figures"))
        curated.append(o)
    _source(snap, "snapshot-figures", "kinmon", "Published figures on kinship care, curated with their sources",
            None, QUOTED, retrieved)
    seen: dict[tuple, int] = {}
    for o in obs + curated:
        key = tuple(o[k] for k in ("series_id", "time_period", "geographic_level", "geography_code", "filter_key",
                                   "release_id"))
        if key in seen:
            raise SnapshotError(path, o.get("_line"), f"duplicate figure {key[:4]} from release {key[5]} "
                                f"(also {'line ' + str(seen[key]) if seen[key] else 'in the statistics extract'})")
        seen[key] = o.get("_line") or 0
    _mark_latest(obs + curated, releases)
    snap.tables["observation"] = [{k: v for k, v in o.items() if not k.startswith("_")} for o in obs + curated]
    snap.tables["release"] = list(releases.values())
    snap.tables["series"] = list(series.values())


_PUBLISHED = re.compile(r"\(published (\d{1,2} [A-Z][a-z]{2} \d{4})\)")


def _published_on(publication: str) -> date | None:
    """A curated figure's release date where its publication says "(published 14 Nov 2024)"."""
    m = _PUBLISHED.search(publication)
    return datetime.strptime(m.group(1), "%d %b %Y").date() if m else None


def _registered_release(release, snap: Snapshot, releases: dict[str, dict]) -> str:
    """The store rows of a registered DfE release (kinmon.ingest.registry.ReleaseSpec): its source and release."""
    sid = f"file:{release.release_id}"
    retrieved = datetime.combine(min(f.retrieved_on for f in release.files), datetime.min.time())
    _source(snap, sid, release.publisher, release.title, release.url, (release.licence, release.licence_url), retrieved)
    releases.setdefault(release.release_id, dict(
        release_id=release.release_id, publication=release.publication_title, title=release.title,
        published_on=release.published_on, published_note=release.published_note, url=release.url, is_latest=True,
        source_id=sid, retrieved_at=retrieved))
    return sid


def _read_extract(data_dir: Path, snap: Snapshot, specs: dict, registered: dict, releases: dict[str, dict],
                  series: dict[str, dict]) -> list[dict]:
    """Observations from data/statistics_extract.csv, as `ingest file` stores the same rows of the real files."""
    from kinmon.ingest.extract import EXTRACT_COLUMNS, EXTRACT_RELEASES_PATH, RELEASE_COLUMNS
    from kinmon.ingest.geography import read_geography
    from kinmon.ingest.observations import series_record

    rel_path = data_dir / EXTRACT_RELEASES_PATH.name
    taken: dict[tuple[str, str], dict] = {}
    for line, r in read_csv(rel_path, RELEASE_COLUMNS):
        if r["release_id"] not in registered or r["series_id"] not in specs:
            raise SnapshotError(rel_path, line, f"release {r['release_id']!r} or series {r['series_id']!r} is not "
                                "in series.json: run `python -m kinmon extract-statistics`")
        taken[(r["release_id"], r["series_id"])] = r
    names = {g["code"]: g["name"] for g in read_geography(data_dir / "geography.csv")}
    path = data_dir / "statistics_extract.csv"
    out = []
    for line, r in read_csv(path, EXTRACT_COLUMNS):
        def build(r: dict) -> dict:
            how = taken.get((r["release_id"], r["series_id"]))
            if how is None:
                raise ValueError(f"{r['series_id']} from {r['release_id']} is not in {rel_path.name}")
            spec, release = specs[r["series_id"]], registered[r["release_id"]]
            end = date.fromisoformat(r["time_period"][-10:])
            if how["time_identifier"] != "Reporting year":
                raise ValueError(f"time identifier {how['time_identifier']!r}: only reporting years are extracted")
            sid = _registered_release(release, snap, releases)
            series.setdefault(spec.series_id, series_record(spec, sid))
            value = float(r["value"]) if r["value"] else None
            return dict(series_id=spec.series_id, time_period=r["time_period"], time_identifier=how["time_identifier"],
                        period_end=end, geographic_level=r["geographic_level"], geography_code=r["geography_code"],
                        geography_name=r["geography_name"] or names.get(r["geography_code"])
                        or r["geography_code"].partition(":")[2] or None,
                        filter_key="", filters=how["filters"] or None, indicator=how["indicator"], value=value,
                        value_text=None, suppression=r["suppression"] or None, unit=spec.unit,
                        release_id=release.release_id, is_latest=False,
                        notes=f"published as Reporting year {end.year}", source_id=sid, source_url=release.url,
                        retrieved_at=releases[release.release_id]["retrieved_at"], _year=0)
        out.append(_checked(path, line, build, r))
    return out


def _mark_latest(obs: list[dict], releases: dict[str, dict]) -> None:
    """is_latest: per period and place, the newest dated release, then the newest reporting year, then the first."""
    best: dict[tuple, dict] = {}
    def rank(o: dict) -> tuple:
        published = releases[o["release_id"]]["published_on"]
        return (published is not None, published or date.min, o["_year"])
    for o in obs:
        slot = (o["series_id"], o["time_period"], o["geographic_level"], o["geography_code"], o["filter_key"])
        if slot not in best or rank(o) > rank(best[slot]):
            best[slot] = o
    for o in best.values():
        o["is_latest"] = True


# ---------------------------------------------------------------- writing


def write(con: duckdb.DuckDBPyConnection, snap: Snapshot, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Insert a validated snapshot into an empty store, one batch per table by column name; rows per table."""
    counts = {"source": store.insert_rows(con, "source", list(snap.sources.values()))}
    for table, found in snap.tables.items():
        counts[table] = len(found)
        store.insert_rows(con, table, found)
    counts.update(derive(con, data_dir))
    return counts


def derive(con: duckdb.DuckDBPyConnection, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Everything computed from the loaded rows: priority tags, suggested evidence, the search index."""
    from kinmon import classify, evidence, search

    rules = classify.load_rules(Path(data_dir) / "classification_rules.json")
    overrides = classify.load_overrides(Path(data_dir) / "classification_overrides.csv")
    from kinmon.ingest.geography import load_geography

    return {"geography": load_geography(con, Path(data_dir) / "geography.csv"),
            "priority_tag": classify.retag_all(con, rules, overrides),
            "suggested_evidence": evidence.suggest(con),
            "search_doc": search.rebuild_index(con)}


def build(db: Path, *, force: bool = False, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Build the store at `db` from the snapshot; refuses to replace an existing store without force."""
    db = Path(db)
    if db.exists() and not force:
        raise FileExistsError(f"a store already exists at {db}; use --force to rebuild it from the snapshot")
    snap = read_snapshot(data_dir)  # validate everything before touching anything
    with store.writer(db, fresh=True) as con:
        counts = write(con, snap, data_dir)
        now = store.utcnow()
        store.record_run(con, run_id=store.new_run_id(), source="snapshot", started_at=now, finished_at=now,
                         rows_added=sum(counts.values()), cursor=snap.compiled_on.isoformat())
    return counts
