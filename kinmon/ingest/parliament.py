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

from kinmon import licences, store
from kinmon.config import DATA_DIR
from kinmon.errors import BadInput
from kinmon.http import Client, UpstreamError, retrieved_now
from kinmon.ingest import Counts, RunResult, Window, last_cursor, run
from kinmon.sanitize import clean_html, to_text
from kinmon.sources import hansard, members, questions
from kinmon.store import parliament as parliament_store
from kinmon.store.write import insert_rows, upsert_rows  # noqa: F401 - insert_rows stays importable from here

SOURCE = "parliament"
# Answers arrive, are corrected and are re-dated after the fact: every run looks back this far.
LOOKBACK = timedelta(days=14)
# The strategy was published in December 2023; a first run starts there.
DEFAULT_SINCE = date(2023, 12, 1)
MEMBER_MAX_AGE = timedelta(days=30)
SEARCH_FILE = DATA_DIR / "parliament_search.json"

PUBLISHER = "UK Parliament"
LICENCE, LICENCE_URL = licences.OPL
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


# ---------------------------------------------------------------- what to search for, what to keep


class SearchConfigError(BadInput):
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

    Each entry is an object with its text ("term" or "pattern") and the "reason" it is there.
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
    terms = _entries(doc, "search_terms", "term", path)
    if len({t.lower() for t in terms}) != len(terms):
        raise SearchConfigError(f"{path}: search_terms has duplicates")
    patterns = []
    for i, raw in enumerate(_entries(doc, "keep_patterns", "pattern", path)):
        try:
            patterns.append(re.compile(raw, re.IGNORECASE))
        except re.error as exc:
            raise SearchConfigError(f"{path}: keep_patterns[{i}] {raw!r} is not a valid regex: {exc}") from None
    return SearchConfig(tuple(terms), tuple(patterns))


def _entries(doc: dict, key: str, field: str, path: Path) -> list[str]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise SearchConfigError(f"{path}: {key} must be a non-empty list of {{{field!r}, 'reason'}} objects")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise SearchConfigError(f"{path}: {key}[{i}] must be an object with {field!r} and 'reason', got {item!r}")
        for name in (field, "reason"):
            if not isinstance(item.get(name), str) or not item[name].strip():
                raise SearchConfigError(f"{path}: {key}[{i}] needs a non-empty {name!r}")
        unknown = sorted(set(item) - {field, "reason"})
        if unknown:
            raise SearchConfigError(f"{path}: {key}[{i}] has unknown key(s) {unknown}")
        out.append(item[field].strip())
    return out


# ---------------------------------------------------------------- the window


def resolve_window(since: date | None, until: date | None, cursor: str | None, today: date | None = None) -> Window:
    """The dates to fetch: explicit ones, else the last cursor minus LOOKBACK, else DEFAULT_SINCE, to today."""
    until = until or today or date.today()
    if since is None:
        since = date.fromisoformat(cursor) - LOOKBACK if cursor else DEFAULT_SINCE
    if since > until:
        raise ValueError(f"the window starts ({since}) after it ends ({until})")
    return Window(since, until)


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
    window = resolve_window(window.since, window.until, store.runs.cursor_in(con, SOURCE))
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

    question_rows = [question_row(q, people, spells, now) for q in kept_qs]
    parliament_store.keep_revisions(con, question_rows, now)
    _add(tally, upsert_rows(con, "written_question", "id", question_rows))
    parliament_store.supersede_curated_questions(con, question_rows)
    _add(tally, upsert_rows(con, "statement", "id", [statement_row(s, people, spells, now) for s in kept_ss]))
    _add(tally, upsert_rows(con, "contribution", "contribution_id", [contribution_row(c, now) for c in kept_cs]))
    debate_rows = [debate_row(con, d, now) for d in kept_ds]
    for row in debate_rows:
        parliament_store.supersede_curated_debate(con, row)
    _add(tally, upsert_rows(con, "debate", "debate_id", debate_rows,
                            keep_existing=("location", "notes", "participants")))

    tag_items(con, kept_qs, kept_ss, kept_cs, kept_ds)  # the search index and answer passages follow the run
    for source_id, (title, url) in SOURCES.items():
        store.upsert_source(con, source_id, publisher=PUBLISHER, title=title, url=url, licence=LICENCE,
                            licence_url=LICENCE_URL, retrieved_at=now)
    return tally


def _add(tally: Counts, outcome: tuple[int, int]) -> None:
    tally.added += outcome[0]
    tally.updated += outcome[1]


# ---------------------------------------------------------------- fetching what is kept


def question_search_text(q: questions.Question) -> str:
    return "\n\n".join(filter(None, [q.heading, q.question_text, to_text(q.answer_text)]))


def statement_search_text(s: questions.Statement) -> str:
    return "\n\n".join(filter(None, [s.title, to_text(s.text)]))


def contribution_search_text(c: hansard.Contribution) -> str:
    return "\n\n".join(filter(None, [c.debate_title, to_text(c.text_html)]))


def kept_questions(client: Client, config: SearchConfig, since: date, until: date) -> list[questions.Question]:
    """Full records of the questions in the window that are about kinship care, by id."""
    found = questions.search_questions(client, list(config.terms), since, until)
    kept = []
    for qid in sorted(found):
        hit = found[qid]
        listed: questions.Question = hit.value
        if not config.keeps(question_search_text(listed)):
            # Hidden text past the cut may still match, but only a distinctive word earns a detail call.
            if not (listed.text_truncated and config.trusted(hit.terms)):
                continue
        full = questions.fetch_question(client, qid) if questions.needs_detail(listed) else listed
        if config.keeps(question_search_text(full)):
            kept.append(full)
    return kept


def kept_statements(client: Client, config: SearchConfig, since: date, until: date) -> list[questions.Statement]:
    """Full records of the written statements in the window that are about kinship care, by id."""
    found = questions.search_statements(client, list(config.terms), since, until)
    kept = []
    for sid in sorted(found):
        hit = found[sid]
        if not config.keeps(statement_search_text(hit.value)):
            if not (hit.value.text_truncated and config.trusted(hit.terms)):
                continue
        # Always the single record: the list's text may be cut and kinmon keeps the HTML.
        full = questions.fetch_statement(client, sid)
        if config.keeps(statement_search_text(full)):
            kept.append(full)
    return kept


def kept_contributions(client: Client, config: SearchConfig, since: date, until: date) -> list[hansard.Contribution]:
    found: dict[str, hansard.Contribution] = {}
    for term in config.terms:
        for item in hansard.search_contributions(client, search_term=term, since=since, until=until):
            found.setdefault(item.contribution_id, item)
    return [found[k] for k in sorted(found) if config.keeps(contribution_search_text(found[k]))]


def kept_debates(client: Client, config: SearchConfig, since: date, until: date) -> list[hansard.DebateTitle]:
    found: dict[str, hansard.DebateTitle] = {}
    for term in config.terms:
        for item in hansard.search_debates(client, search_term=term, since=since, until=until):
            found.setdefault(hansard.debate_id(item.debate_ext_id), item)
    return [found[k] for k in sorted(found) if config.keeps(found[k].title)]


# ---------------------------------------------------------------- members


def member_ids(qs: list[questions.Question], ss: list[questions.Statement], cs: list[hansard.Contribution]) -> set[int]:
    ids = set()
    for q in qs:
        ids.update((q.asking_member_id, q.answering_member_id, q.correcting_member_id))
    ids.update(s.member_id for s in ss)
    ids.update(c.member_id for c in cs)
    return {i for i in ids if isinstance(i, int) and i > 0}


def stale_members(con: duckdb.DuckDBPyConnection, ids: set[int], now: datetime) -> list[int]:
    """Members not yet stored, or stored longer ago than MEMBER_MAX_AGE."""
    return sorted(ids - parliament_store.fresh_member_ids(con, now - MEMBER_MAX_AGE))


def refresh_members(con: duckdb.DuckDBPyConnection, client: Client, ids: set[int], now: datetime,
                    tally: Counts) -> None:
    due = stale_members(con, ids, now)
    fetched = [m for m in (fetch_member_or_none(client, member_id) for member_id in due) if m is not None]
    if not fetched:
        return
    _add(tally, upsert_rows(con, "member", "member_id", [member_row(m, now) for m in fetched]))
    # Checked and unchanged members restart their cache clock too, without counting as a change.
    parliament_store.touch_members(con, [m.member_id for m in fetched], now)
    history = members.fetch_party_history(client, [m.member_id for m in fetched])
    for m in fetched:
        replace_party_history(con, m.member_id, history.get(m.member_id, []))


def fetch_member_or_none(client: Client, member_id: int) -> members.Member | None:
    """A member, or None when the Members API has no such id (the item keeps its own names)."""
    try:
        return members.fetch_member(client, member_id)
    except UpstreamError as exc:
        if exc.not_found:
            return None
        raise


def member_row(m: members.Member, now: datetime) -> dict:
    return store.rows.member(member_id=m.member_id, name=m.name, list_as=m.list_as, party=m.party,
                party_abbreviation=m.party_abbreviation, house=m.house, member_from=m.member_from,
                is_current=m.is_current, thumbnail_url=m.thumbnail_url, url=m.url, source_id=MEMBERS_SOURCE,
                retrieved_at=now)


def replace_party_history(con: duckdb.DuckDBPyConnection, member_id: int, spells: list[members.PartySpell]) -> None:
    parliament_store.replace_party_history(con, member_id, [(s.party, s.start_date, s.end_date) for s in spells])


def party_spells(con: duckdb.DuckDBPyConnection, ids: set[int]) -> dict[int, list[members.PartySpell]]:
    out: dict[int, list[members.PartySpell]] = {}
    for member_id, party, start, end in parliament_store.party_spells(con, ids):
        out.setdefault(member_id, []).append(members.PartySpell(member_id, party, start, end))
    return out


def known_members(con: duckdb.DuckDBPyConnection, ids: set[int]) -> list[members.Member]:
    return [members.Member(*r) for r in parliament_store.members(con, ids)]


# ---------------------------------------------------------------- rows


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _plain(text: str | None) -> str | None:
    return to_text(text) or None


def question_row(q: questions.Question, people: dict[int, members.Member], spells: dict, now: datetime) -> dict:
    known_asker, known_answerer = people.get(q.asking_member_id), people.get(q.answering_member_id)
    asker, answerer = q.asking_member, q.answering_member
    return store.rows.written_question(
        id=q.id, uin=q.uin, house=q.house, date_tabled=q.date_tabled, date_for_answer=q.date_for_answer,
        date_answered=q.date_answered, date_holding_answer=q.date_holding_answer,
        date_answer_corrected=q.date_answer_corrected,
        is_named_day=q.is_named_day, is_withdrawn=q.is_withdrawn,
        answer_is_holding=q.answer_is_holding, answer_is_correction=q.answer_is_correction,
        heading=_plain(q.heading), question_text=_plain(q.question_text),
        answer_text=_plain(q.answer_text), answer_html=clean_html(q.answer_text) or None,
        text_complete=not q.text_truncated,
        answering_body_id=q.answering_body_id, answering_body_name=q.answering_body_name,
        asking_member_id=q.asking_member_id,
        asking_member_name=(asker.name if asker else None) or (known_asker.name if known_asker else None),
        # The party on the day the question was tabled; the payload's own party may be today's.
        asking_member_party=(members.party_on(spells.get(q.asking_member_id, []), q.date_tabled)
                             or (asker.party if asker else None) or (known_asker.party if known_asker else None)),
        asking_member_from=(asker.member_from if asker else None) or (known_asker.member_from if known_asker else None),
        answering_member_id=q.answering_member_id,
        answering_member_name=(answerer.name if answerer else None) or (known_answerer.name if known_answerer else None),
        answering_member_role=None,
        correcting_member_id=q.correcting_member_id,
        grouped_questions=list(q.grouped_questions) or None,
        attachment_count=q.attachment_count, attachments=_json([dict(a) for a in q.attachments] or None),
        is_curated=False, notes=None, url=questions.question_url(q.date_tabled, q.uin),
        source_id=QUESTIONS_SOURCE, retrieved_at=now, raw=_json(dict(q.raw)),
    )


def statement_row(s: questions.Statement, people: dict[int, members.Member], spells: dict, now: datetime) -> dict:
    known = people.get(s.member_id)
    return store.rows.statement(
        id=s.id, uin=s.uin, house=s.house, date_made=s.date_made, title=_plain(s.title),
        text_html=clean_html(s.text) or None, text=_plain(s.text),
        member_id=s.member_id, member_name=(s.member.name if s.member else None) or (known.name if known else None),
        member_party=(members.party_on(spells.get(s.member_id, []), s.date_made)
                      or (s.member.party if s.member else None) or (known.party if known else None)),
        member_role=s.member_role, answering_body_name=s.answering_body_name,
        url=questions.statement_url(s.date_made, s.uin), source_id=STATEMENTS_SOURCE, retrieved_at=now,
        raw=_json(dict(s.raw)),
    )


def contribution_row(c: hansard.Contribution, now: datetime) -> dict:
    return store.rows.contribution(
        contribution_id=c.contribution_id, debate_id=hansard.debate_id(c.debate_ext_id),
        debate_title=_plain(c.debate_title), sitting_date=c.sitting_date, house=c.house, section=c.section,
        member_id=c.member_id, member_name=c.member_name, attributed_to=_plain(c.attributed_to),
        text=_plain(c.text_html), text_html=clean_html(c.text_html) or None,
        url=hansard.contribution_url(c.house, c.sitting_date, c.debate_ext_id, c.contribution_id),
        source_id=HANSARD_SOURCE, retrieved_at=now,
    )


def debate_row(con: duckdb.DuckDBPyConnection, d: hansard.DebateTitle, now: datetime) -> dict:
    key = hansard.debate_id(d.debate_ext_id)
    speakers = parliament_store.debate_speakers(con, key)
    return store.rows.debate(
        debate_id=key, date=d.sitting_date, house=d.house, location=None, title=_plain(d.title),
        participants=speakers or None, is_curated=False, notes=None,
        url=hansard.debate_url(d.house, d.sitting_date, d.debate_ext_id, d.title),
        source_id=HANSARD_SOURCE, retrieved_at=now,
    )


def tag_items(con: duckdb.DuckDBPyConnection, qs: list[questions.Question], ss: list[questions.Statement],
              cs: list[hansard.Contribution], ds: list[hansard.DebateTitle]) -> None:
    """Tag every kept item with the priorities it speaks to, from the sanitised text as stored.

    The text is read exactly as kinmon.classify.retag_all reads it, so a re-tag gives the same tags.
    """
    from kinmon.classify import tag_stored

    tag_stored(con, {
        "question": [q.id for q in qs],
        "statement": [s.id for s in ss],
        "contribution": [c.contribution_id for c in cs],
        "debate": [hansard.debate_id(d.debate_ext_id) for d in ds],
    })
