"""The Parliament ingest: fetch kinship records for a date window and merge them into the store.

Written questions, written statements, Hansard contributions and debate titles are searched with the
terms in data/parliament_search.json, kept only if their full text matches its keep patterns, and
upserted on the upstream id. A row changes only when upstream content changed, so re-running a
window changes nothing; an answer that changes keeps its earlier text in question_revision; a live
question replaces the curated snapshot row for the same question. Members are cached for
MEMBER_MAX_AGE and carry their party history, so a question shows the asker's party on the day.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

import duckdb

from kinmon import store
from kinmon.config import DATA_DIR
from kinmon.http import Client, UpstreamError, retrieved_now
from kinmon.ingest import Counts, RunResult, Window, last_cursor, run
from kinmon.sanitize import clean_html, to_text
from kinmon.sources import hansard, members, questions

SOURCE = "parliament"
# Answers arrive, are corrected and are re-dated after the fact: every run looks back this far.
LOOKBACK = timedelta(days=14)
# The strategy was published in December 2023; a first run starts there.
DEFAULT_SINCE = date(2023, 12, 1)
MEMBER_MAX_AGE = timedelta(days=30)
SEARCH_FILE = DATA_DIR / "parliament_search.json"

PUBLISHER = "UK Parliament"
LICENCE = "Open Parliament Licence v3.0"
LICENCE_URL = "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/"
QUESTIONS_SOURCE = "parliament-written-questions"
STATEMENTS_SOURCE = "parliament-written-statements"
MEMBERS_SOURCE = "parliament-members"
HANSARD_SOURCE = "parliament-hansard"
SOURCES = {
    QUESTIONS_SOURCE: ("Written questions and answers (UK Parliament Written Questions and Statements API)",
                       "https://questions-statements.parliament.uk/written-questions"),
    STATEMENTS_SOURCE: ("Written ministerial statements (UK Parliament Written Questions and Statements API)",
                        "https://questions-statements.parliament.uk/written-statements"),
    MEMBERS_SOURCE: ("Members of both Houses (UK Parliament Members API)", "https://members.parliament.uk/"),
    HANSARD_SOURCE: ("Hansard: debates and spoken contributions (UK Parliament Hansard API)",
                     "https://hansard.parliament.uk/"),
}
HTTP_NOT_FOUND = "HTTP 404"


# ---------------------------------------------------------------- what to search for, what to keep


class SearchConfigError(ValueError):
    """data/parliament_search.json is malformed: says which file and what is wrong."""


@dataclass(frozen=True)
class SearchConfig:
    terms: tuple[str, ...]
    keep: tuple[re.Pattern, ...]

    def keeps(self, text: str) -> bool:
        """Whether an item's full text is about kinship care (searchTerm alone over-matches)."""
        return any(p.search(text) for p in self.keep)

    @staticmethod
    def trusted(terms: Iterable[str]) -> bool:
        """A one-word term means the server found that word somewhere in the item, even past the cut."""
        return any(len(t.split()) == 1 for t in terms)


def load_search_config(path: Path | None = None) -> SearchConfig:
    """The search terms and keep patterns (default data/parliament_search.json), validated.

    Raises SearchConfigError naming the file and the problem.
    """
    path = Path(path or SEARCH_FILE)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SearchConfigError(f"{path}: file is missing") from None
    except json.JSONDecodeError as exc:
        raise SearchConfigError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise SearchConfigError(f"{path}: must be a JSON object with search_terms and keep_patterns")
    terms = _strings(doc, "search_terms", path)
    if len({t.lower() for t in terms}) != len(terms):
        raise SearchConfigError(f"{path}: search_terms has duplicates")
    patterns = []
    for i, raw in enumerate(_strings(doc, "keep_patterns", path)):
        try:
            patterns.append(re.compile(raw, re.IGNORECASE))
        except re.error as exc:
            raise SearchConfigError(f"{path}: keep_patterns[{i}] {raw!r} is not a valid regex: {exc}") from None
    return SearchConfig(tuple(terms), tuple(patterns))


def _strings(doc: dict, key: str, path: Path) -> list[str]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise SearchConfigError(f"{path}: {key} must be a non-empty list of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise SearchConfigError(f"{path}: {key}[{i}] must be a non-empty string, got {item!r}")
    return [item.strip() for item in value]


# ---------------------------------------------------------------- the window


def resolve_window(since: date | None, until: date | None, cursor: str | None, today: date | None = None) -> Window:
    """The dates to fetch: explicit ones, else the last cursor minus LOOKBACK, else DEFAULT_SINCE, to today."""
    until = until or today or date.today()
    if since is None:
        since = date.fromisoformat(cursor) - LOOKBACK if cursor else DEFAULT_SINCE
    if since > until:
        raise ValueError(f"the window starts ({since}) after it ends ({until})")
    return Window(since, until)


def _cursor_in(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT cursor FROM ingest_run WHERE source = ? AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1",
        [SOURCE],
    ).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- entry points


def ingest_parliament(db: Path, since: date | None = None, until: date | None = None, *,
                      client: Client | None = None) -> RunResult:
    """One Parliament run into the store at `db`, published only if it succeeds."""
    window = resolve_window(since, until, last_cursor(db, SOURCE))
    return run(db, SOURCE, window, functools.partial(load_parliament, client=client))


def load_parliament(con: duckdb.DuckDBPyConnection, window: Window, client: Client | None = None) -> Counts:
    """Fetch everything for the window first, then write it: an upstream failure writes nothing."""
    client = client or Client()
    config = load_search_config()
    window = resolve_window(window.since, window.until, _cursor_in(con))
    since, until = window.since, window.until
    now = retrieved_now()

    kept_qs = kept_questions(client, config, since, until)
    kept_ss = kept_statements(client, config, since, until)
    kept_cs = kept_contributions(client, config, since, until)
    kept_ds = kept_debates(client, config, since, until)

    tally = Counts(cursor=until.isoformat())
    ids = member_ids(kept_qs, kept_ss, kept_cs)
    refresh_members(con, client, ids, now, tally)
    spells = party_spells(con, ids)
    people = {m.member_id: m for m in known_members(con, ids)}

    for value in kept_qs:
        row = question_row(value, people, spells, now)
        _count(tally, upsert_question(con, row, now))
        supersede_curated_question(con, row)
    for value in kept_ss:
        _count(tally, upsert(con, "statement", "id", statement_row(value, people, spells, now)))
    for item in kept_cs:
        _count(tally, upsert(con, "contribution", "contribution_id", contribution_row(item, now)))
    for item in kept_ds:
        row = debate_row(con, item, now)
        supersede_curated_debate(con, row)
        _count(tally, upsert(con, "debate", "debate_id", row, keep_existing=("location", "notes", "participants")))

    tag_items(con, kept_qs, kept_ss, kept_cs, kept_ds)
    for source_id, (title, url) in SOURCES.items():
        store.upsert_source(con, source_id, publisher=PUBLISHER, title=title, url=url, licence=LICENCE,
                            licence_url=LICENCE_URL, retrieved_at=now)
    return tally


def _count(tally: Counts, outcome: str) -> None:
    if outcome == "added":
        tally.added += 1
    elif outcome == "updated":
        tally.updated += 1


# ---------------------------------------------------------------- fetching what is kept


def question_search_text(value: dict) -> str:
    return "\n\n".join(filter(None, [value.get("heading"), value.get("questionText"),
                                     to_text(value.get("answerText"))]))


def statement_search_text(value: dict) -> str:
    return "\n\n".join(filter(None, [value.get("title"), to_text(value.get("text"))]))


def contribution_search_text(item: dict) -> str:
    speech = item.get("ContributionTextFull") or item.get("ContributionText")
    return "\n\n".join(filter(None, [item.get("DebateSection"), to_text(hansard.without_column_markers(speech))]))


def kept_questions(client: Client, config: SearchConfig, since: date, until: date) -> list[dict]:
    """Full records of the questions in the window that are about kinship care, by id."""
    found = questions.search_questions(client, list(config.terms), since, until)
    kept = []
    for qid in sorted(found):
        hit = found[qid]
        if not config.keeps(question_search_text(hit.value)):
            # Hidden text past the cut may still match, but only a distinctive word earns a detail call.
            if not (questions.list_text_truncated(hit.value) and config.trusted(hit.terms)):
                continue
        full = questions.fetch_question(client, qid) if questions.needs_detail(hit.value) else hit.value
        full = {**full, "_fromDetail": full is not hit.value}
        if config.keeps(question_search_text(full)):
            kept.append(full)
    return kept


def kept_statements(client: Client, config: SearchConfig, since: date, until: date) -> list[dict]:
    """Full records of the written statements in the window that are about kinship care, by id."""
    found = questions.search_statements(client, list(config.terms), since, until)
    kept = []
    for sid in sorted(found):
        hit = found[sid]
        if not config.keeps(statement_search_text(hit.value)):
            if not (questions.statement_text_truncated(hit.value) and config.trusted(hit.terms)):
                continue
        # Always the single record: the list's text may be cut and kinmon keeps the HTML.
        full = questions.fetch_statement(client, sid)
        if config.keeps(statement_search_text(full)):
            kept.append(full)
    return kept


def kept_contributions(client: Client, config: SearchConfig, since: date, until: date) -> list[dict]:
    found: dict[str, dict] = {}
    for term in config.terms:
        for item in hansard.search_contributions(client, search_term=term, since=since, until=until):
            found.setdefault(item["ContributionExtId"], item)
    return [found[k] for k in sorted(found) if config.keeps(contribution_search_text(found[k]))]


def kept_debates(client: Client, config: SearchConfig, since: date, until: date) -> list[dict]:
    found: dict[str, dict] = {}
    for term in config.terms:
        for item in hansard.search_debates(client, search_term=term, since=since, until=until):
            found.setdefault(hansard.debate_id(item["DebateSectionExtId"]), item)
    return [found[k] for k in sorted(found) if config.keeps(found[k]["Title"])]


# ---------------------------------------------------------------- members


def member_ids(qs: list[dict], ss: list[dict], cs: list[dict]) -> set[int]:
    ids = set()
    for q in qs:
        ids.update(q.get(k) for k in ("askingMemberId", "answeringMemberId", "correctingMemberId"))
    ids.update(s.get("memberId") for s in ss)
    ids.update(c.get("MemberId") for c in cs)
    # Hansard gives 0 for speakers who are not members (the Chair, witnesses).
    return {i for i in ids if isinstance(i, int) and i > 0}


def stale_members(con: duckdb.DuckDBPyConnection, ids: set[int], now: datetime) -> list[int]:
    """Members not yet stored, or stored longer ago than MEMBER_MAX_AGE."""
    fresh = {r[0] for r in con.execute(
        "SELECT member_id FROM member WHERE retrieved_at >= ?", [now - MEMBER_MAX_AGE]).fetchall()}
    return sorted(ids - fresh)


def refresh_members(con: duckdb.DuckDBPyConnection, client: Client, ids: set[int], now: datetime,
                    tally: Counts) -> None:
    due = stale_members(con, ids, now)
    fetched = []
    for member_id in due:
        member = fetch_member_or_none(client, member_id)
        if member is None:
            continue
        fetched.append(member_id)
        outcome = upsert(con, "member", "member_id", member_row(member, now))
        if outcome == "same":  # checked and unchanged: restart its cache clock without counting a change
            con.execute("UPDATE member SET retrieved_at = ? WHERE member_id = ?", [now, member_id])
        _count(tally, outcome)
    if fetched:
        history = members.fetch_party_history(client, fetched)
        for member_id in fetched:
            replace_party_history(con, member_id, history.get(member_id, []))


def fetch_member_or_none(client: Client, member_id: int) -> members.Member | None:
    """A member, or None when the Members API has no such id (the item keeps its own names)."""
    try:
        return members.fetch_member(client, member_id)
    except UpstreamError as exc:
        if exc.reason.startswith(HTTP_NOT_FOUND):
            return None
        raise


def member_row(m: members.Member, now: datetime) -> dict:
    return dict(member_id=m.member_id, name=m.name, list_as=m.list_as, party=m.party,
                party_abbreviation=m.party_abbreviation, house=m.house, member_from=m.member_from,
                is_current=m.is_current, thumbnail_url=m.thumbnail_url, url=m.url, source_id=MEMBERS_SOURCE,
                retrieved_at=now)


def replace_party_history(con: duckdb.DuckDBPyConnection, member_id: int, spells: list[members.PartySpell]) -> None:
    new = sorted((s.party, s.start_date, s.end_date) for s in spells)
    old = sorted(con.execute("SELECT party, start_date, end_date FROM member_party WHERE member_id = ?",
                             [member_id]).fetchall())
    if new == old:
        return
    con.execute("DELETE FROM member_party WHERE member_id = ?", [member_id])
    unique = {(p, start): end for p, start, end in new}
    con.executemany("INSERT INTO member_party VALUES (?, ?, ?, ?)",
                    [[member_id, p, start, end] for (p, start), end in unique.items()])


def party_spells(con: duckdb.DuckDBPyConnection, ids: set[int]) -> dict[int, list[members.PartySpell]]:
    out: dict[int, list[members.PartySpell]] = {}
    if not ids:
        return out
    rows = con.execute("SELECT member_id, party, start_date, end_date FROM member_party "
                       "WHERE list_contains(?, member_id) ORDER BY member_id, start_date", [sorted(ids)]).fetchall()
    for member_id, party, start, end in rows:
        out.setdefault(member_id, []).append(members.PartySpell(member_id, party, start, end))
    return out


def known_members(con: duckdb.DuckDBPyConnection, ids: set[int]) -> list[members.Member]:
    if not ids:
        return []
    rows = con.execute("SELECT member_id, name, list_as, party, party_abbreviation, house, member_from, is_current, "
                       "thumbnail_url, url FROM member WHERE list_contains(?, member_id)", [sorted(ids)]).fetchall()
    return [members.Member(*r) for r in rows]


# ---------------------------------------------------------------- rows


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _plain(text: str | None) -> str | None:
    return to_text(text) or None


def question_row(v: dict, people: dict[int, members.Member], spells: dict, now: datetime) -> dict:
    url = "written question " + str(v["id"])
    day = functools.partial(questions.api_date, url=url)
    tabled = day(v.get("dateTabled"), name="dateTabled")
    asker_id, answerer_id = v.get("askingMemberId"), v.get("answeringMemberId")
    asker = v.get("askingMember") or {}
    answerer = v.get("answeringMember") or {}
    known_asker, known_answerer = people.get(asker_id), people.get(answerer_id)
    answer = v.get("answerText")
    raw = {k: val for k, val in v.items() if not k.startswith("_")}
    return dict(
        id=v["id"], uin=v.get("uin"), house=v["house"], date_tabled=tabled,
        date_for_answer=day(v.get("dateForAnswer"), name="dateForAnswer"),
        date_answered=day(v.get("dateAnswered"), name="dateAnswered"),
        date_holding_answer=day(v.get("dateHoldingAnswer"), name="dateHoldingAnswer"),
        date_answer_corrected=day(v.get("dateAnswerCorrected"), name="dateAnswerCorrected"),
        is_named_day=v.get("isNamedDay"), is_withdrawn=v.get("isWithdrawn"),
        answer_is_holding=v.get("answerIsHolding"), answer_is_correction=v.get("answerIsCorrection"),
        heading=_plain(v.get("heading")), question_text=_plain(v["questionText"]),
        answer_text=_plain(answer), answer_html=clean_html(answer) or None,
        text_complete=bool(v.get("_fromDetail")) or not questions.list_text_truncated(v),
        answering_body_id=v.get("answeringBodyId"), answering_body_name=v.get("answeringBodyName"),
        asking_member_id=asker_id,
        asking_member_name=asker.get("name") or (known_asker.name if known_asker else None),
        # The party on the day the question was tabled; the payload's own party may be today's.
        asking_member_party=(members.party_on(spells.get(asker_id, []), tabled) or asker.get("party")
                             or (known_asker.party if known_asker else None)),
        asking_member_from=asker.get("memberFrom") or (known_asker.member_from if known_asker else None),
        answering_member_id=answerer_id,
        answering_member_name=answerer.get("name") or (known_answerer.name if known_answerer else None),
        answering_member_role=None,
        correcting_member_id=v.get("correctingMemberId"),
        grouped_questions=[str(g) for g in v.get("groupedQuestions") or []] or None,
        attachment_count=v.get("attachmentCount"), attachments=_json(v.get("attachments") or None),
        is_curated=False, notes=None, url=questions.question_url(tabled, v.get("uin")),
        source_id=QUESTIONS_SOURCE, retrieved_at=now, raw=_json(raw),
    )


def statement_row(v: dict, people: dict[int, members.Member], spells: dict, now: datetime) -> dict:
    made = questions.api_date(v.get("dateMade"), "written statement " + str(v["id"]), "dateMade")
    member = v.get("member") or {}
    known = people.get(v.get("memberId"))
    return dict(
        id=v["id"], uin=v.get("uin"), house=v["house"], date_made=made, title=_plain(v["title"]),
        text_html=clean_html(v.get("text")) or None, text=_plain(v.get("text")),
        member_id=v.get("memberId"), member_name=member.get("name") or (known.name if known else None),
        member_party=(members.party_on(spells.get(v.get("memberId"), []), made) or member.get("party")
                      or (known.party if known else None)),
        member_role=v.get("memberRole"), answering_body_name=v.get("answeringBodyName"),
        url=questions.statement_url(made, v.get("uin")), source_id=STATEMENTS_SOURCE, retrieved_at=now,
        raw=_json(v),
    )


def contribution_row(c: dict, now: datetime) -> dict:
    sitting = questions.api_date(c["SittingDate"], "Hansard contribution", "SittingDate")
    speech = hansard.without_column_markers(c.get("ContributionTextFull") or c.get("ContributionText"))
    return dict(
        contribution_id=c["ContributionExtId"], debate_id=hansard.debate_id(c["DebateSectionExtId"]),
        debate_title=_plain(c["DebateSection"]), sitting_date=sitting, house=c["House"],
        section=c.get("Section") or c.get("HansardSection"),
        member_id=c.get("MemberId") if (c.get("MemberId") or 0) > 0 else None,
        member_name=c.get("MemberName") or None, attributed_to=_plain(c.get("AttributedTo")),
        text=_plain(speech), text_html=clean_html(speech) or None,
        url=hansard.contribution_url(c["House"], sitting, c["DebateSectionExtId"], c["ContributionExtId"]),
        source_id=HANSARD_SOURCE, retrieved_at=now,
    )


def debate_row(con: duckdb.DuckDBPyConnection, d: dict, now: datetime) -> dict:
    sitting = questions.api_date(d["SittingDate"], "Hansard debate", "SittingDate")
    key = hansard.debate_id(d["DebateSectionExtId"])
    speakers = [r[0] for r in con.execute(
        "SELECT DISTINCT member_name FROM contribution WHERE debate_id = ? AND member_name IS NOT NULL ORDER BY 1",
        [key]).fetchall()]
    return dict(
        debate_id=key, date=sitting, house=d["House"], location=None, title=_plain(d["Title"]),
        participants=speakers or None, is_curated=False, notes=None,
        url=hansard.debate_url(d["House"], sitting, d["DebateSectionExtId"], d["Title"]),
        source_id=HANSARD_SOURCE, retrieved_at=now,
    )


# ---------------------------------------------------------------- writing


def upsert(con: duckdb.DuckDBPyConnection, table: str, key: str, row: dict, *,
           keep_existing: tuple[str, ...] = ()) -> str:
    """Insert or update one row on its key; 'added', 'updated' or 'same' (nothing but retrieved_at differs).

    Columns in keep_existing keep their stored value when the new row has none (curated notes and
    locations outlive a live refresh).
    """
    existing = _fetch_row(con, table, key, row[key])
    if existing is None:
        cols = list(row)
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])
        return "added"
    for col in keep_existing:
        if row.get(col) is None:
            row[col] = existing.get(col)
    if all(existing.get(c) == v for c, v in row.items() if c != "retrieved_at"):
        return "same"
    cols = [c for c in row if c != key]
    con.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)} WHERE {key} = ?",
                [row[c] for c in cols] + [row[key]])
    return "updated"


def _fetch_row(con: duckdb.DuckDBPyConnection, table: str, key: str, value: Any) -> dict | None:
    cur = con.execute(f"SELECT * FROM {table} WHERE {key} = ?", [value])
    found = cur.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cur.description], found))


REVISED = ("answer_html", "answer_text", "answer_is_holding")


def upsert_question(con: duckdb.DuckDBPyConnection, row: dict, now: datetime) -> str:
    """Upsert a question; an answer that changed keeps its earlier version in question_revision."""
    before = _fetch_row(con, "written_question", "id", row["id"])
    had_answer = before is not None and (before["answer_html"] or before["answer_text"])
    if had_answer and any(before[c] != row[c] for c in REVISED):
        con.execute(
            "INSERT INTO question_revision VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [row["id"], now, before["date_answered"], before["date_answer_corrected"], before["answer_html"],
             before["answer_text"], before["answer_is_holding"]],
        )
    return upsert(con, "written_question", "id", row)


def supersede_curated_question(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    """Remove curated snapshot rows for the same question; their evidence links move to the live row."""
    if not row["uin"]:
        return
    curated = [r[0] for r in con.execute(
        "SELECT id FROM written_question WHERE is_curated AND house = ? AND uin = ? AND "
        "(date_tabled = ? OR (date_tabled IS NULL AND lower(trim(heading)) = lower(trim(?))))",
        [row["house"], row["uin"], row["date_tabled"], row["heading"] or ""]).fetchall()]
    for curated_id in curated:
        move_links(con, "question", str(curated_id), str(row["id"]))
        con.execute("DELETE FROM written_question WHERE id = ?", [curated_id])


def supersede_curated_debate(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    """Remove curated debates with the same sitting, House and title as a live one."""
    curated = [r[0] for r in con.execute(
        "SELECT debate_id FROM debate WHERE is_curated AND debate_id <> ? AND date = ? AND house = ? "
        "AND lower(trim(title)) = lower(trim(?))", [row["debate_id"], row["date"], row["house"], row["title"]]
    ).fetchall()]
    for curated_id in curated:
        move_links(con, "debate", curated_id, row["debate_id"])
        con.execute("DELETE FROM debate WHERE debate_id = ?", [curated_id])


def move_links(con: duckdb.DuckDBPyConnection, item_type: str, old_id: str, new_id: str) -> None:
    """Point curated evidence and curated priority tags at the item that replaces `old_id`."""
    for table, where in (("evidence", "TRUE"), ("priority_tag", "method = 'curated'")):
        rows = con.execute(f"SELECT * FROM {table} WHERE item_type = ? AND item_id = ? AND {where}",
                           [item_type, old_id]).fetchall()
        cols = [d[0] for d in con.description]
        con.execute(f"DELETE FROM {table} WHERE item_type = ? AND item_id = ?", [item_type, old_id])
        for r in rows:
            moved = dict(zip(cols, r), item_id=new_id)
            con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                        "ON CONFLICT DO NOTHING", [moved[c] for c in cols])


def tag_items(con: duckdb.DuckDBPyConnection, qs: list[dict], ss: list[dict], cs: list[dict],
              ds: list[dict]) -> None:
    """Tag every kept item with the priorities it speaks to, from the sanitised text as stored.

    The text is read exactly as kinmon.classify.retag_all reads it, so a re-tag gives the same tags.
    """
    try:
        from kinmon.classify import ITEM_SOURCES, item_text, tag_item
    except ImportError:  # classification ships with kinmon; without it items are stored untagged
        return
    kept = {
        "question": [q["id"] for q in qs],
        "statement": [s["id"] for s in ss],
        "contribution": [c["ContributionExtId"] for c in cs],
        "debate": [hansard.debate_id(d["DebateSectionExtId"]) for d in ds],
    }
    for item_type, ids in kept.items():
        table, key, columns = ITEM_SOURCES[item_type]
        for item_id in ids:
            found = con.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?", [item_id]).fetchone()
            if found is not None:
                tag_item(con, item_type, str(item_id), item_text(*found))
