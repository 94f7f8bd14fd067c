"""One record in full: a written question with its answer, grouped questions, attachments and corrections,
why it carries each priority, and which sentences of its answer are new."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import duckdb
import pandas as pd


def question(con: duckdb.DuckDBPyConnection, question_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT id, uin, house, date_tabled, date_for_answer, date_answered, date_holding_answer,
                  date_answer_corrected, is_named_day, is_withdrawn, answer_is_holding, answer_is_correction,
                  heading, question_text, answer_text, answer_html, text_complete, answering_body_name,
                  asking_member_name, asking_member_party, asking_member_from, answering_member_name,
                  answering_member_role, array_to_string(grouped_questions, ', ') AS grouped_questions, attachment_count, CAST(attachments AS VARCHAR) AS attachments,
                  is_curated, notes, url, source_id, retrieved_at
           FROM written_question WHERE id = ?""",
        [question_id],
    ).df()


def revisions(con: duckdb.DuckDBPyConnection, question_id: int) -> pd.DataFrame:
    """Earlier answers to a question, replaced by a correction, oldest first."""
    return con.execute(
        """SELECT superseded_at, date_answered, date_answer_corrected, answer_is_holding, answer_text, answer_html
           FROM question_revision WHERE question_id = ? ORDER BY superseded_at""",
        [question_id],
    ).df()


def grouped(con: duckdb.DuckDBPyConnection, question_id: int) -> pd.DataFrame:
    """Questions answered together with this one that kinmon also holds (same house, UIN in the group)."""
    return con.execute(
        """SELECT g.id, g.uin, g.date_tabled, g.heading, g.asking_member_name, g.url
           FROM written_question q JOIN written_question g
             ON g.house = q.house AND list_contains(q.grouped_questions, g.uin) AND g.id <> q.id
                AND (q.date_tabled IS NULL OR g.date_tabled IS NULL OR abs(g.date_tabled - q.date_tabled) < 60)
           WHERE q.id = ? ORDER BY g.uin""",
        [question_id],
    ).df()


def statement(con: duckdb.DuckDBPyConnection, statement_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT id, uin, house, date_made, title, text, text_html, member_name, member_party, member_role,
                  answering_body_name, url, source_id, retrieved_at FROM statement WHERE id = ?""",
        [statement_id],
    ).df()


def debate(con: duckdb.DuckDBPyConnection, debate_id: str) -> pd.DataFrame:
    return con.execute(
        """SELECT debate_id, date, house, location, title, array_to_string(participants, '; ') AS participants,
                  notes, url, source_id, retrieved_at FROM debate WHERE debate_id = ?""",
        [debate_id],
    ).df()


def contributions(con: duckdb.DuckDBPyConnection, debate_id: str) -> pd.DataFrame:
    return con.execute(
        """SELECT sitting_date, member_name, attributed_to, text, url FROM contribution
           WHERE debate_id = ? ORDER BY contribution_id""",
        [debate_id],
    ).df()


def attachment_list(raw: str | None) -> list[dict]:
    """A question's attachments as title, link and kind (type and size), keeping only http(s) links."""
    if not isinstance(raw, str) or not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        return []
    out = []
    for a in items if isinstance(items, list) else []:
        url = a.get("url") if isinstance(a, dict) else None
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            continue
        size = a.get("fileSizeBytes")
        kind = " ".join(x for x in (str(a.get("fileType") or "").upper(),
                                    f"{size / 1024:,.0f} KB" if isinstance(size, (int, float)) else "") if x)
        out.append({"title": str(a.get("title") or "attachment"), "url": url, "kind": kind or "file"})
    return out


# ---------------------------------------------------------------- why an item carries each priority


def tag_reasons(con: duckdb.DuckDBPyConnection, item_type: str, item_id: str) -> pd.DataFrame:
    """Each priority an item is tagged with, and why: the rule and the words it found, or the curated reason."""
    from kinmon import classify

    tags = con.execute(
        """SELECT t.priority_id, p.short_title, t.rule_id, t.method, t.rules_version
           FROM priority_tag t LEFT JOIN priority p USING (priority_id)
           WHERE t.item_type = ? AND t.item_id = ? ORDER BY t.priority_id""", [item_type, str(item_id)]).df()
    if tags.empty:
        return tags.assign(why=pd.Series(dtype=str))
    table, key, columns = classify.ITEM_SOURCES[item_type]
    extra = classify.CONTEXT_COLUMNS.get(item_type, ())
    typed = _typed_key(item_type, item_id)
    found = () if typed is None else con.execute(
        f"SELECT {', '.join(columns + extra)} FROM {table} WHERE {key} = ?", [typed]).fetchone() or ()
    text = classify.item_text(*found[:len(columns)])
    matches = {m.priority_id: m for m in classify.classify(text, None, classify.item_text(text, *found[len(columns):]))}
    reasons = {o.priority_id: o.reason for o in classify.load_overrides().for_item(item_type, str(item_id))}
    why = []
    for t in tags.itertuples():
        m = matches.get(t.priority_id)
        if t.method == classify.CURATED_METHOD:
            why.append("Curated: " + reasons.get(t.priority_id, "tagged by hand"))
        elif m is not None and m.rule_id == t.rule_id:
            words = " + ".join(f"'{w}'" for w in m.matched.split(classify.MATCH_JOINER))
            why.append(f"{m.description} Found: {words}.")
        else:
            why.append(f"Rule {t.rule_id} (rules {t.rules_version}).")
    return tags.assign(why=why)


def _typed_key(item_type: str, item_id) -> int | str | None:
    """An item's key as its table types it (a question's integer id, a debate's text); None if it cannot be one."""
    from kinmon import classify

    if item_type not in classify.NUMERIC_ITEM_TYPES:
        return str(item_id)
    try:
        return int(item_id)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- what is new in an answer


def answer_passages(con: duckdb.DuckDBPyConnection, question_id: int) -> pd.DataFrame:
    """An answer sentence by sentence: new, repeated (word for word) or reworded from an earlier answer, or
    short; for the said-before ones, the earlier answer that first said it."""
    return con.execute(
        """SELECT p.seq, p.paragraph, p.passage, p.status, p.answers_with_it, p.first_question_id,
                  e.heading AS first_heading, coalesce(e.date_answered, e.date_tabled, e.tabled_month) AS first_date,
                  e.url AS first_url
           FROM answer_passage p LEFT JOIN written_question e ON e.id = p.first_question_id
           WHERE p.question_id = ? ORDER BY p.seq""", [question_id]).df()


def questions_saying_something_new(con: duckdb.DuckDBPyConnection, priority_id: int | None = None) -> list[int]:
    """Ids of the questions whose answer has at least one sentence no earlier answer said (optionally: tagged
    with a priority). For the Priority and Search pages' "only answers that say something new" filters."""
    rows = con.execute(
        """SELECT DISTINCT p.question_id FROM answer_passage p
           WHERE p.status = 'new' AND (? IS NULL OR EXISTS (
               SELECT 1 FROM priority_tag t WHERE t.item_type = 'question'
                 AND t.item_num = p.question_id AND t.priority_id = ?))
           ORDER BY 1""", [priority_id, priority_id]).fetchall()
    return [r[0] for r in rows]
