"""The curated register in the snapshot: priorities, the status scale, commitments and their status history,
the timeline, evidence links, the glossary, APPG membership and each priority's indicators."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from kinmon.licences import QUOTED
from kinmon.snapshot.parse import (Snapshot, SnapshotError, add_source, checked, parse_amount, parse_date,
                                   parse_priorities, parse_url, read_csv, required, unique)
from kinmon.store import rows

STATUSES_REQUIRED = ("not_yet_rateable",)
COMMITMENT_KINDS = frozenset({"process", "outcome"})


def read_priorities(data_dir: Path, snap: Snapshot, retrieved: datetime) -> None:
    path = data_dir / "priorities.csv"
    found, seen = [], set()
    cols = ["priority_id", "short_title", "summary", "alliance_ask", "source_title", "source_url"]
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            required(r, *cols)
            pid = parse_priorities(r["priority_id"])
            if len(pid) != 1:
                raise ValueError("priority_id must be one number from 1 to 7")
            url = parse_url(r["source_url"])
            sid = add_source(snap, "kinship-care-alliance", "Kinship Care Alliance", r["source_title"], url,
                          QUOTED, retrieved)
            return rows.priority(pid[0], r["short_title"].strip(), r["summary"].strip(), r["alliance_ask"].strip(),
                                 sid, url)
        row = checked(path, line, build, r)
        unique(path, line, seen, row["priority_id"], "priority_id")
        found.append(row)
    if seen != set(range(1, 8)):
        raise SnapshotError(path, None, f"must define priorities 1 to 7 exactly once, found {sorted(seen)}")
    snap.tables["priority"] = found


def read_status_scale(data_dir: Path, snap: Snapshot) -> set[str]:
    path = data_dir / "status_scale.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["status", "rank", "label", "definition"]):
        def build(r: dict) -> dict:
            required(r, "status", "rank", "label", "definition")
            if not re.fullmatch(r"[a-z_]+", r["status"]):
                raise ValueError(f"status {r['status']!r} must be lower_snake_case")
            return rows.status_scale(r["status"], int(r["rank"]), r["label"].strip(), r["definition"].strip())
        row = checked(path, line, build, r)
        unique(path, line, seen, row["status"], "status")
        found.append(row)
    for needed in STATUSES_REQUIRED:
        if needed not in seen:
            raise SnapshotError(path, None, f"the scale must include {needed!r}")
    snap.tables["status_scale"] = found
    return seen


def read_commitments(data_dir: Path, snap: Snapshot, statuses: set[str]) -> set[str]:
    path = data_dir / "commitments.csv"
    cols = ["commitment_id", "title", "kind", "type", "announced_on", "priorities", "amount_gbp", "amount_scope",
            "description", "source_title", "source_url"]
    found, links, seen = [], [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> tuple[dict, list[int]]:
            required(r, "commitment_id", "title", "kind", "type", "priorities", "source_title", "source_url")
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
        row, prios = checked(path, line, build, r)
        unique(path, line, seen, row["commitment_id"], "commitment_id")
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
            required(r, *cols)
            if r["commitment_id"] not in commitments:
                raise ValueError(f"commitment_id {r['commitment_id']!r} is not in commitments.csv")
            if r["status"] not in statuses:
                raise ValueError(f"status {r['status']!r} is not on the status scale")
            changed = parse_date(r["changed_on"])[0]
            if r["commitment_id"] in last and changed < last[r["commitment_id"]]:
                raise ValueError("history must be in date order for each commitment (it is append-only)")
            return (r["commitment_id"], changed, r["status"], r["reason"].strip(), r["source_title"].strip(),
                    parse_url(r["source_url"]))
        cid, changed, status, reason, stitle, surl = checked(path, line, build, r)
        last[cid] = changed
        seq[cid] = seq.get(cid, 0) + 1
        found.append(rows.status_change(cid, seq[cid], changed_on=changed, status=status, reason=reason,
                                        source_title=stitle, source_url=surl))
    missing = sorted(commitments - set(seq))
    if missing:
        raise SnapshotError(path, None, f"no status for commitments {missing}")
    snap.tables["status_change"] = found


def read_timeline(data_dir: Path, snap: Snapshot, commitments: set[str]) -> set[str]:
    path = data_dir / "timeline.csv"
    cols = ["event_id", "date", "title", "type", "priorities", "amount_gbp", "commitment_id", "source_title",
            "source_url", "notes"]
    found, seen = [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            required(r, "event_id", "date", "title", "type", "source_title", "source_url")
            when, precision = parse_date(r["date"])
            cid = r["commitment_id"].strip() or None
            if cid and cid not in commitments:
                raise ValueError(f"commitment_id {cid!r} is not in commitments.csv")
            return rows.timeline_event(
                r["event_id"].strip(), date=when, date_precision=precision, title=r["title"].strip(),
                type=r["type"].strip(), priorities=parse_priorities(r["priorities"], allow_empty=True),
                amount_gbp=parse_amount(r["amount_gbp"]), commitment_id=cid, source_title=r["source_title"].strip(),
                source_url=parse_url(r["source_url"]), notes=r["notes"].strip() or None)
        row = checked(path, line, build, r)
        unique(path, line, seen, row["event_id"], "event_id")
        found.append(row)
    snap.tables["timeline_event"] = found
    return seen


def read_evidence(data_dir: Path, snap: Snapshot, commitments: set[str], items: dict[str, set[str]]) -> None:
    path = data_dir / "evidence.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["commitment_id", "item_type", "item_id", "note"]):
        def build(r: dict) -> dict:
            required(r, "commitment_id", "item_type", "item_id")
            if r["commitment_id"] not in commitments:
                raise ValueError(f"commitment_id {r['commitment_id']!r} is not in commitments.csv")
            known = items.get(r["item_type"])
            if known is None:
                raise ValueError(f"item_type {r['item_type']!r} must be one of {sorted(items)}")
            if r["item_id"].strip() not in known:
                raise ValueError(f"{r['item_type']} {r['item_id']!r} is not in the snapshot")
            return rows.evidence(r["commitment_id"], r["item_type"], r["item_id"].strip(), "curated",
                                 r["note"].strip() or None)
        row = checked(path, line, build, r)
        unique(path, line, seen, (row["commitment_id"], row["item_type"], row["item_id"]), "evidence link")
        found.append(row)
    snap.tables["evidence"] = found


def read_glossary(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "glossary.csv"
    found, seen = [], set()
    for line, r in read_csv(path, ["term", "definition", "source_title", "source_url"]):
        def build(r: dict) -> dict:
            required(r, "term", "definition", "source_title", "source_url")
            return rows.glossary(r["term"].strip(), r["definition"].strip(), r["source_title"].strip(),
                                 parse_url(r["source_url"]))
        row = checked(path, line, build, r)
        unique(path, line, seen, row["term"], "term")
        found.append(row)
    snap.tables["glossary"] = found


def read_indicators(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "indicators.csv"
    known = {s["series_id"] for s in snap.tables["series"]}
    found: list[dict] = []
    seq: dict[int, int] = {}
    for line, r in read_csv(path, ["priority_id", "series_id", "headline", "note"]):
        def build(r: dict) -> tuple:
            required(r, "priority_id", "headline")
            pid = parse_priorities(r["priority_id"])[0]
            sid = r["series_id"].strip() or None
            if sid and sid not in known:
                raise ValueError(f"series_id {sid!r} is not a measure in figures.csv")
            return pid, sid, r["headline"].strip(), r["note"].strip() or None
        pid, sid, headline, note = checked(path, line, build, r)
        seq[pid] = seq.get(pid, 0) + 1
        found.append(rows.indicator(pid, seq[pid], sid, headline, note))
    missing = sorted(set(range(1, 8)) - set(seq))
    if missing:
        raise SnapshotError(path, None, f"every priority needs an indicator row (or a row saying none exists): {missing}")
    snap.tables["indicator"] = found


def read_appg(data_dir: Path, snap: Snapshot) -> None:
    path = data_dir / "appg.csv"
    cols = ["member_name", "role", "as_of", "source_title", "source_url", "notes"]
    found, seen = [], set()
    for line, r in read_csv(path, cols):
        def build(r: dict) -> dict:
            required(r, "member_name", "role", "as_of", "source_title", "source_url")
            return rows.appg_membership(r["member_name"].strip(), r["role"].strip(), parse_date(r["as_of"])[0],
                                        r["source_title"].strip(), parse_url(r["source_url"]), r["notes"].strip() or None)
        row = checked(path, line, build, r)
        unique(path, line, seen, (row["member_name"], row["role"], row["as_of"]), "membership")
        found.append(row)
    snap.tables["appg_membership"] = found
