"""Synthetic Parliament records at any scale, shaped like the Written Questions API's, from real ones.

Each synthetic question borrows a real record's metadata (department, named day, holding answer,
correction, grouped UINs, how long the answer took) from the 5,896 real Written Questions API records in
../shared/reference/parliament/real_sample/ when that folder is there, and its words from the kinship
questions and answers of the shipped snapshot (data/questions.jsonl) mixed with the real records' own
question clauses and full answers, so text lengths and the share of answered, holding and named-day
questions follow real ones, and every record is about kinship care (the ingest keeps nothing else).
Without the reference folder the snapshot's 122 questions alone are the model. Nothing here writes a
store: kinmon.bench.build feeds these records through kinmon's own parsers, row builders and writers.
"""

from __future__ import annotations

import functools
import gzip
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kinmon.config import DATA_DIR, PROJECT_ROOT

REAL_SAMPLE = PROJECT_ROOT.parent / "shared" / "reference" / "parliament" / "real_sample" / \
    "questions_2024-07_to_09.jsonl.gz"
FIRST_DAY, LAST_DAY = date(2022, 1, 3), date(2026, 10, 30)
SYNTHETIC_ID_BASE = 50_000_000  # far from the real API ids the snapshot holds
# Phrases from kinship questions, joined to a real question's clause (each matches a keep pattern).
KINSHIP_PHRASES = ("kinship carers", "kinship care arrangements", "special guardians", "special guardianship orders",
                   "children raised by grandparents", "connected carers", "family and friends carers",
                   "kinship families", "children in kinship care", "relative and friend foster placements")
PARTIES = (("Labour", 55), ("Conservative", 20), ("Liberal Democrat", 10), ("Scottish National Party", 4),
           ("Green Party", 3), ("Reform UK", 3), ("Independent", 3), ("Crossbench", 2))


@dataclass(frozen=True)
class Model:
    """What synthetic records are drawn from."""

    real: list[dict]  # real-sample lines: list_value, detail_questionText, detail_answerText
    kinship: list[dict]  # the snapshot's questions, as data/questions.jsonl has them
    members: dict[int, tuple[str, str]]  # asking member id -> (name, party)


def load_model(sample: Path | None = None) -> Model:
    kinship = [json.loads(line) for line in (DATA_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    path = Path(sample) if sample else REAL_SAMPLE
    real = []
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            real = [json.loads(line) for line in fh if line.strip()]
    if not real:  # the snapshot's own questions as the metadata model
        real = [{"list_value": _as_list_value(q, i), "detail_questionText": None, "detail_answerText": None}
                for i, q in enumerate(kinship)]
    rng = random.Random(7)
    names, weights = zip(*PARTIES)
    members = {}
    for r in real:
        mid = r["list_value"].get("askingMemberId") or 0
        if mid not in members:
            members[mid] = (f"Member {mid}", rng.choices(names, weights)[0])
    return Model(real, kinship, members)


def _as_list_value(q: dict, i: int) -> dict:
    return {"id": 1 + i, "askingMemberId": 1 + i % 40, "house": q.get("house") or "Commons",
            "dateTabled": q.get("dateTabled") or "2025-01-06", "dateAnswered": q.get("dateAnswered"),
            "uin": q.get("uin"), "questionText": q.get("questionText") or "", "answerText": q.get("answerText"),
            "answeringBodyName": q.get("answeringBodyName"), "heading": q.get("heading"),
            "isNamedDay": False, "isWithdrawn": False, "answerIsHolding": False, "answerIsCorrection": False,
            "groupedQuestions": [], "attachments": [], "attachmentCount": 0}


@functools.lru_cache(maxsize=1)
def _keep_config():
    from kinmon.ingest.parliament import load_search_config

    return load_search_config()


def _kept(text: str) -> bool:
    return _keep_config().keeps(text)


def _day(value) -> date | None:
    return datetime.fromisoformat(value[:10]).date() if isinstance(value, str) and value else None


def _api_day(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00" if day else None


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{p.strip()}</p>" for p in text.split("\n") if p.strip())


def question_value(model: Model, i: int, *, first: date = FIRST_DAY, last: date = LAST_DAY, count: int = 1,
                   id_base: int = SYNTHETIC_ID_BASE) -> dict:
    """The i-th of `count` synthetic questions tabled from `first` to `last`, as the API's full record."""
    real = model.real[i % len(model.real)]
    kin = model.kinship[(i * 7 + i // len(model.real)) % len(model.kinship)]
    v = dict(real["list_value"])
    base_tabled = _day(v.get("dateTabled")) or first
    tabled = first + timedelta(days=(i * (last - first).days) // max(count, 1))
    shift = tabled - base_tabled
    for name in ("dateForAnswer", "dateAnswered", "dateHoldingAnswer", "dateAnswerCorrected"):
        day = _day(v.get(name))
        v[name] = _api_day(day + shift if day else None)
    v["dateTabled"] = _api_day(tabled)
    v["id"] = id_base + i
    v["uin"] = str(100_000 + i)
    phrase = KINSHIP_PHRASES[i % len(KINSHIP_PHRASES)]
    clause = (real.get("detail_questionText") or v.get("questionText") or "").strip().rstrip(".")
    if i % 3 == 0 or not clause:
        v["questionText"] = kin["questionText"]
    else:
        v["questionText"] = f"{clause}, including for {phrase}."
    v["heading"] = kin.get("heading") if i % 2 else (v.get("heading") or kin.get("heading"))
    answered = bool(v.get("dateAnswered"))
    if answered:
        real_answer = real.get("detail_answerText")
        kin_answer = _paragraphs(kin.get("answerText") or "")
        if i % 2 and real_answer:
            v["answerText"] = f"<p>On {phrase}: the Government keeps this under review.</p>{real_answer}"
        else:
            v["answerText"] = kin_answer or f"<p>Support for {phrase} is set out in the kinship care strategy.</p>"
    else:
        v["answerText"] = None
    if not _kept(f"{v['heading']}\n\n{v['questionText']}\n\n{v['answerText'] or ''}"):
        v["questionText"] = f"{v['questionText'].rstrip('.')}, including for {phrase}."  # the ingest keeps only these
    name, party = model.members.get(v.get("askingMemberId") or 0, ("Member", "Independent"))
    v["askingMember"] = {"id": v.get("askingMemberId") or 0, "name": name, "party": party,
                         "memberFrom": f"Constituency {v.get('askingMemberId')}", "listAs": name}
    v["answeringMember"] = None
    v["correctingMember"] = None
    return v
