"""Rebuild the shipped Parliament snapshot files from the shared December 2026 additions (run once by hand).

Reads ../shared/data/2026-12/{labelled_questions,statements,debates_additions}.jsonl and today's
data/questions.jsonl and data/debates.jsonl; writes data/questions.jsonl (today's records merged with the
labelled ones by house, UIN and text; a record with a known API id is keyed on it, replacing the negative
curated id), data/statements.jsonl, data/members.csv (members with a Parliament id who asked or answered,
as the source shows them), data/debates.jsonl, and tests/data/labelled_questions.csv (every hand label with
its reason and its split: about 30% held out, chosen by a hash of the record's key before any rule was
written). Nothing is guessed: a field the source does not show stays empty.

    python tools/merge_parliament.py [SHARED_DIR]
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
HELD_OUT_PERCENT = 30


def norm(text: str | None) -> str:
    return re.sub(r"\W+", " ", (text or "").lower()).strip()


def record_key(q: dict) -> str:
    """The stable key the split hashes: the API id where known, else house + UIN, else the question text."""
    if q.get("_api_id") or (isinstance(q.get("id"), int) and q["id"] > 0):
        return f"id:{q.get('_api_id') or q['id']}"
    if q.get("uin"):
        return f"uin:{q.get('house')}:{q['uin']}"
    return "text:" + hashlib.sha1(norm(q["questionText"]).encode()).hexdigest()


def split_of(key: str) -> str:
    return "held-out" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 100 < HELD_OUT_PERCENT else "dev"


def same_question(a: dict, b: dict) -> bool:
    if a.get("house") != b.get("house"):
        return False
    if a.get("uin") and b.get("uin") and str(a["uin"]) == str(b["uin"]):
        return norm(a["questionText"])[:120] == norm(b["questionText"])[:120]
    return norm(a["questionText"]) == norm(b["questionText"])


def merged_questions(current: list[dict], labelled: list[dict]) -> list[dict]:
    out = [dict(q) for q in current]
    for lab in labelled:
        rec = {k: v for k, v in lab.items() if k not in ("_expected_priorities", "_label_reason")}
        match = next((q for q in out if same_question(q, rec)), None)
        if match is not None:  # keep today's fields, fill what the labelled record adds
            for k, v in rec.items():
                if match.get(k) in (None, "") and v not in (None, ""):
                    match[k] = v
            target = match
        else:
            out.append(rec)
            target = rec
        if lab.get("_api_id"):
            target["id"] = lab["_api_id"]
    next_id = min([q["id"] for q in out if isinstance(q.get("id"), int)] + [0]) - 1
    for q in out:
        if not isinstance(q.get("id"), int):
            q["id"], next_id = next_id, next_id - 1
    return out


def members(questions: list[dict]) -> list[dict]:
    found: dict[int, dict] = {}
    for q in questions:
        for id_key, member_key in (("_askingMemberId", "askingMember"), ("_answeringMemberId", "answeringMember")):
            mid, m = q.get(id_key), q.get(member_key) or {}
            if not isinstance(mid, int) or not m.get("name"):
                continue
            row = found.setdefault(mid, {"member_id": mid, "name": m["name"], "party": "", "member_from": "",
                                         "house": q.get("house") or "", "source_url": q.get("source_url") or ""})
            row["party"] = row["party"] or (m.get("party") or "")
            row["member_from"] = row["member_from"] or (m.get("memberFrom") or "")
    return [found[k] for k in sorted(found)]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main(shared: Path) -> None:
    extra = shared / "2026-12"
    current = [json.loads(line) for line in (DATA / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if any(q["id"] > 0 for q in current):
        raise SystemExit("data/questions.jsonl is already merged; restore today's 23 records first")
    labelled = [json.loads(line) for line in (extra / "labelled_questions.jsonl").read_text(encoding="utf-8").splitlines()
                if line]
    old_labels = {r["id"]: r for r in csv.DictReader((ROOT / "tests/data/labelled_questions.csv").open(encoding="utf-8"))}
    questions = merged_questions(current, labelled)
    with (DATA / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for q in questions:
            fh.write(json.dumps(q, ensure_ascii=False) + "\n")

    rows = []
    for q in current:
        label = old_labels[str(q["id"])]
        rows.append({"id": q["id"], "set": "snapshot-23", "split": split_of(record_key(q)),
                     "expected_priorities": label["expected_priorities"], "reason": "label shipped before 2026-12",
                     "heading": q.get("heading") or "", "question": q["questionText"].strip()})
    for lab, q in zip(labelled, questions[len(current):]):
        rows.append({"id": lab.get("_api_id") or q["id"], "set": "labelled-99", "split": split_of(record_key(lab)),
                     "expected_priorities": ";".join(str(p) for p in lab["_expected_priorities"]),
                     "reason": lab["_label_reason"], "heading": lab.get("heading") or "",
                     "question": lab["questionText"].strip()})
    with (ROOT / "tests/data/labelled_questions.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["id", "set", "split", "expected_priorities", "reason", "heading", "question"])
        writer.writeheader()
        writer.writerows(rows)

    with (DATA / "members.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["member_id", "name", "party", "member_from", "house", "source_url"])
        writer.writeheader()
        writer.writerows(members(questions))

    with (DATA / "statements.jsonl").open("w", encoding="utf-8") as fh:
        for n, s in enumerate((json.loads(line) for line in (extra / "statements.jsonl").read_text(encoding="utf-8")
                               .splitlines() if line), start=1):
            fh.write(json.dumps({"id": -n, **s}, ensure_ascii=False) + "\n")

    debates = [json.loads(line) for line in (DATA / "debates.jsonl").read_text(encoding="utf-8").splitlines() if line]
    known = {d["debate_id"] for d in debates}
    for d in (json.loads(line) for line in (extra / "debates_additions.jsonl").read_text(encoding="utf-8").splitlines()
              if line):
        key = d.get("DebateSectionExtId") or f"curated-{d['date']}-{slug(d['title'])}"
        if key not in known:
            debates.append({"debate_id": key, **d})
            known.add(key)
    with (DATA / "debates.jsonl").open("w", encoding="utf-8") as fh:
        for d in debates:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"{len(questions)} questions, {len(rows)} labels, {len(debates)} debates")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
