"""The snapshot's parliamentary records: curated written questions, statements, members and debates, as rows."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from kinmon.licences import OPL
from kinmon.snapshot.parse import (Snapshot, add_source, checked, paragraphs_html, parse_date, parse_url, read_csv,
                                   read_jsonl, required, unique)
from kinmon.sources.questions import question_url
from kinmon.store import rows

MYSOCIETY = "mySociety"


def _question_source(snap: Snapshot, q: dict, retrieved: datetime) -> str:
    """Curated questions come from two kinds of source: public pages, or the API as mySociety republished it."""
    if MYSOCIETY in str(q.get("_provenance") or ""):
        return add_source(snap, "snapshot-questions-api", "UK Parliament",
                       "Written questions on kinship care from the Written Questions API, as republished by mySociety "
                       "(github.com/mysociety/uk-parl-written-questions)",
                       "https://questions-statements.parliament.uk/written-questions", OPL, retrieved)
    return add_source(snap, "snapshot-questions", "UK Parliament",
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
    required(q, "house", "questionText", "source_url")
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
        answer_html=answer_html or (paragraphs_html(answer) if answer else None),
        text_complete=q.get("_answerText_truncated") is False, answering_body_name=q.get("answeringBodyName"),
        asking_member_id=q.get("_askingMemberId"), asking_member_name=asker.get("name"),
        asking_member_party=asker.get("party"), asking_member_from=asker.get("memberFrom"),
        answering_member_id=q.get("_answeringMemberId"), answering_member_name=answerer.get("name"),
        answering_member_role=q.get("_answeringMemberRole"),
        grouped_questions=[str(g) for g in grouped] if grouped else None,
        is_named_day=False, is_withdrawn=False, is_curated=True, notes=notes or None, url=url,
        source_id=_question_source(snap, q, retrieved), retrieved_at=retrieved, raw=json.dumps(q, ensure_ascii=False),
    )


def read_questions(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "questions.jsonl"
    found, seen, natural = [], set(), set()
    for line, q in read_jsonl(path):
        row = checked(path, line, question_record, q, snap, retrieved)
        unique(path, line, seen, row["id"], "id")
        if row["uin"]:  # the same question twice under two ids would be counted twice
            unique(path, line, natural, (row["house"], row["uin"], row["date_tabled"] or row["tabled_month"]),
                    "house, UIN and date")
        found.append(row)
    snap.tables["written_question"] = found
    return {str(i) for i in seen}


def read_statements(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "statements.jsonl"
    found, seen = [], set()
    for line, s in read_jsonl(path):
        def build(s: dict) -> dict:
            sid = s["id"]
            if not isinstance(sid, int) or sid >= 0:
                raise ValueError("curated statements need a negative integer id (no API id is known)")
            required(s, "url", "_provenance")
            text = (s.get("text_excerpt") or "").strip() or None
            department = s.get("department")
            if department and "inferred" in department:  # a guess is not a fact: leave it out
                department = None
            notes = "; ".join(str(s[k]) for k in ("notes", "_provenance") if s.get(k))
            source = add_source(snap, "snapshot-statements", "UK Parliament",
                             "Written ministerial statements on kinship care, transcribed from public pages "
                             "(kinmon snapshot)", "https://questions-statements.parliament.uk/written-statements",
                             OPL, retrieved)
            return rows.statement(id=sid, uin=s.get("uin"), house=s.get("house"),
                        date_made=parse_date(s["date"])[0] if s.get("date") else None, title=s.get("title"),
                        text_html=paragraphs_html(text) if text else None, text=text, member_name=s.get("minister"),
                        member_role=s.get("_ministerRole"), answering_body_name=department,
                        url=parse_url(s["url"]), source_id=source, retrieved_at=retrieved,
                        raw=json.dumps({**s, "notes": notes or None}, ensure_ascii=False))
        row = checked(path, line, build, s)
        unique(path, line, seen, row["id"], "id")
        found.append(row)
    snap.tables["statement"] = found
    return {str(i) for i in seen}


def read_members(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    """Members with a Parliament id who asked or answered a curated question, only as the source shows them."""
    from kinmon.sources.members import member_url

    path = data_dir / "members.csv"
    cols = ["member_id", "name", "party", "member_from", "house", "source_url"]
    found, seen = [], set()
    source = add_source(snap, "snapshot-members", "UK Parliament",
                     "Members who asked or answered the curated questions, as those questions' sources show them",
                     "https://members.parliament.uk/", OPL, retrieved)
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            required(r, "member_id", "name", "source_url")
            if not r["member_id"].isdigit():
                raise ValueError(f"member_id {r['member_id']!r} is not a Parliament member id")
            if r["house"] not in ("", "Commons", "Lords"):
                raise ValueError(f"house {r['house']!r} must be Commons, Lords or empty")
            parse_url(r["source_url"])
            mid = int(r["member_id"])
            return rows.member(member_id=mid, name=r["name"].strip(), party=r["party"].strip() or None,
                        house=r["house"] or None, member_from=r["member_from"].strip() or None, url=member_url(mid),
                        source_id=source, retrieved_at=retrieved)
        row = checked(path, line, build, r)
        unique(path, line, seen, row["member_id"], "member_id")
        found.append(row)
    snap.tables["member"] = found


def read_debates(data_dir: Path, snap: Snapshot, retrieved: datetime) -> set[str]:
    path = data_dir / "debates.jsonl"
    sid = add_source(snap, "snapshot-debates", "UK Parliament", "Debates on kinship care (kinmon snapshot)",
                  "https://hansard.parliament.uk/", OPL, retrieved)
    found, seen = [], set()
    for line, d in read_jsonl(path):
        def build(d: dict) -> dict:
            required(d, "debate_id", "date", "title", "source_url")
            members = d.get("members") or []
            if not isinstance(members, list):
                raise ValueError("members must be a list")
            notes = " ".join(x for x in (f"Motion: {d['motion']}" if d.get("motion") else "", d.get("notes") or "")
                             if x) or None
            return rows.debate(debate_id=d["debate_id"], date=parse_date(d["date"])[0], house=d.get("house"),
                        location=d.get("location"), title=d["title"], participants=[str(m) for m in members],
                        is_curated=str(d["debate_id"]).startswith("curated-"), notes=notes,
                        url=parse_url(d["source_url"]), source_id=sid, retrieved_at=retrieved)
        row = checked(path, line, build, d)
        unique(path, line, seen, row["debate_id"], "debate_id")
        found.append(row)
    snap.tables["debate"] = found
    return seen
