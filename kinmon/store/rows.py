"""Row builders: one per table, each turning a record's values into a dict keyed by the table's column names.

Every writer builds its rows here and hands them to kinmon.store.write.insert_rows, which matches them to
the table by name. A builder refuses a name the table does not have, so a typo fails where it is made, and
leaves out what it is not given, so the column keeps its default (a later ALTER TABLE ... ADD COLUMN
breaks nothing). COLUMNS is the schema's written columns per table (GENERATED the computed ones); a test keeps
them equal to the migrated store.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

COLUMNS: dict[str, tuple[str, ...]] = {
    "source": ("source_id", "publisher", "title", "url", "licence", "licence_url", "retrieved_at"),
    "priority": ("priority_id", "short_title", "summary", "alliance_ask", "source_id", "source_url"),
    "member": ("member_id", "name", "list_as", "party", "party_abbreviation", "house", "member_from", "is_current",
               "thumbnail_url", "url", "source_id", "retrieved_at"),
    "member_party": ("member_id", "party", "start_date", "end_date"),
    "written_question": (
        "id", "uin", "house", "date_tabled", "date_for_answer", "date_answered", "date_holding_answer",
        "date_answer_corrected", "is_named_day", "is_withdrawn", "answer_is_holding", "answer_is_correction",
        "heading", "question_text", "answer_text", "answer_html", "text_complete", "answering_body_id",
        "answering_body_name", "asking_member_id", "asking_member_name", "asking_member_party", "asking_member_from",
        "answering_member_id", "answering_member_name", "answering_member_role", "correcting_member_id",
        "grouped_questions", "attachment_count", "attachments", "is_curated", "notes", "url", "source_id",
        "retrieved_at", "raw", "tabled_month"),
    "question_revision": ("question_id", "superseded_at", "date_answered", "date_answer_corrected", "answer_html",
                          "answer_text", "answer_is_holding"),
    "statement": ("id", "uin", "house", "date_made", "title", "text_html", "text", "member_id", "member_name",
                  "member_party", "member_role", "answering_body_name", "url", "source_id", "retrieved_at", "raw"),
    "debate": ("debate_id", "date", "house", "location", "title", "participants", "is_curated", "notes", "url",
               "source_id", "retrieved_at"),
    "contribution": ("contribution_id", "debate_id", "debate_title", "sitting_date", "house", "section", "member_id",
                     "member_name", "attributed_to", "text", "text_html", "url", "source_id", "retrieved_at"),
    "priority_tag": ("item_type", "item_id", "priority_id", "rule_id", "rules_version", "method"),
    "series": ("series_id", "title", "unit", "description", "priorities", "publisher", "dataset_id", "indicator",
               "filters", "is_context", "source_id"),
    "release": ("release_id", "publication", "title", "published_on", "dataset_id", "dataset_version", "url",
                "is_latest", "newer_available", "source_id", "retrieved_at", "published_note"),
    "observation": ("series_id", "time_period", "time_identifier", "period_end", "geographic_level", "geography_code",
                    "geography_name", "filter_key", "filters", "indicator", "value", "value_text", "suppression",
                    "unit", "release_id", "is_latest", "notes", "source_id", "source_url", "retrieved_at"),
    "geography": ("code", "name", "level", "valid_from", "valid_to", "successor_code", "source_id"),
    "timeline_event": ("event_id", "date", "date_precision", "title", "type", "priorities", "amount_gbp",
                       "commitment_id", "source_title", "source_url", "notes"),
    "commitment": ("commitment_id", "title", "kind", "type", "announced_on", "date_precision", "amount_gbp",
                   "amount_scope", "description", "source_title", "source_url"),
    "commitment_priority": ("commitment_id", "priority_id"),
    "status_change": ("commitment_id", "seq", "changed_on", "status", "reason", "source_title", "source_url"),
    "evidence": ("commitment_id", "item_type", "item_id", "method", "note"),
    "indicator": ("priority_id", "seq", "series_id", "headline", "note"),
    "appg_membership": ("member_name", "role", "as_of", "source_title", "source_url", "notes"),
    "status_scale": ("status", "rank", "label", "definition"),
    "glossary": ("term", "definition", "source_title", "source_url"),
    "ingest_run": ("run_id", "source", "window_from", "window_to", "started_at", "finished_at", "status",
                   "rows_added", "rows_updated", "cursor", "error", "notes"),
}

# Columns the store computes from the written ones (schema 004): never written, so in no builder.
GENERATED: dict[str, tuple[str, ...]] = {
    "priority_tag": ("item_num", "item_ref"),
    "evidence": ("item_num", "item_ref"),
}



def row(table: str, **values: Any) -> dict:
    """A row of `table` by column name; a name the table does not have is an error."""
    columns = COLUMNS.get(table)
    if columns is None:
        raise ValueError(f"no row builder for table {table!r}")
    unknown = [k for k in values if k not in columns]
    if unknown:
        raise ValueError(f"{table} has no column(s) {unknown}")
    return values


# ---------------------------------------------------------------- parliament (wide records: every column by name)

def written_question(**values: Any) -> dict:
    return row("written_question", **values)


def statement(**values: Any) -> dict:
    return row("statement", **values)


def debate(**values: Any) -> dict:
    return row("debate", **values)


def contribution(**values: Any) -> dict:
    return row("contribution", **values)


def member(**values: Any) -> dict:
    return row("member", **values)


def member_party(member_id: int, party: str, start_date: date | None, end_date: date | None) -> dict:
    return dict(member_id=member_id, party=party, start_date=start_date, end_date=end_date)


def question_revision(question_id: int, superseded_at: datetime, *, date_answered: date | None,
                      date_answer_corrected: date | None, answer_html: str | None, answer_text: str | None,
                      answer_is_holding: bool | None) -> dict:
    return dict(question_id=question_id, superseded_at=superseded_at, date_answered=date_answered,
                date_answer_corrected=date_answer_corrected, answer_html=answer_html, answer_text=answer_text,
                answer_is_holding=answer_is_holding)


def priority_tag(item_type: str, item_id: Any, priority_id: int, rule_id: str, rules_version: str,
                 method: str) -> dict:
    """A tag of one item with one priority; item_id is stored as text (a debate's id is not a number)."""
    return dict(item_type=item_type, item_id=str(item_id), priority_id=priority_id, rule_id=rule_id,
                rules_version=rules_version, method=method)


def evidence(commitment_id: str, item_type: str, item_id: Any, method: str, note: str | None = None) -> dict:
    """A link from a commitment to an item that speaks to it (method curated or suggested)."""
    return dict(commitment_id=commitment_id, item_type=item_type, item_id=str(item_id), method=method, note=note)


# ---------------------------------------------------------------- statistics

def series(**values: Any) -> dict:
    return row("series", **values)


def release(**values: Any) -> dict:
    return row("release", **values)


def observation(**values: Any) -> dict:
    return row("observation", **values)


def geography(code: str, name: str, level: str, *, valid_from: date | None, valid_to: date | None,
              successor_code: str | None, source_id: str | None) -> dict:
    return dict(code=code, name=name, level=level, valid_from=valid_from, valid_to=valid_to,
                successor_code=successor_code, source_id=source_id)


# ---------------------------------------------------------------- provenance and the curated register

def source(source_id: str, *, publisher: str, title: str, url: str | None, licence: str, licence_url: str | None,
           retrieved_at: datetime) -> dict:
    return dict(source_id=source_id, publisher=publisher, title=title, url=url, licence=licence,
                licence_url=licence_url, retrieved_at=retrieved_at)


def priority(priority_id: int, short_title: str, summary: str, alliance_ask: str, source_id: str,
             source_url: str) -> dict:
    return dict(priority_id=priority_id, short_title=short_title, summary=summary, alliance_ask=alliance_ask,
                source_id=source_id, source_url=source_url)


def status_scale(status: str, rank: int, label: str, definition: str) -> dict:
    return dict(status=status, rank=rank, label=label, definition=definition)


def commitment(commitment_id: str, *, title: str, kind: str, type: str, announced_on: date | None,
               date_precision: str, amount_gbp: float | None, amount_scope: str | None, description: str | None,
               source_title: str, source_url: str) -> dict:
    return dict(commitment_id=commitment_id, title=title, kind=kind, type=type, announced_on=announced_on,
                date_precision=date_precision, amount_gbp=amount_gbp, amount_scope=amount_scope,
                description=description, source_title=source_title, source_url=source_url)


def commitment_priority(commitment_id: str, priority_id: int) -> dict:
    return dict(commitment_id=commitment_id, priority_id=priority_id)


def status_change(commitment_id: str, seq: int, *, changed_on: date, status: str, reason: str, source_title: str,
                  source_url: str) -> dict:
    return dict(commitment_id=commitment_id, seq=seq, changed_on=changed_on, status=status, reason=reason,
                source_title=source_title, source_url=source_url)


def timeline_event(event_id: str, *, date: date, date_precision: str, title: str, type: str, priorities: list[int],
                   amount_gbp: float | None, commitment_id: str | None, source_title: str, source_url: str,
                   notes: str | None) -> dict:
    return dict(event_id=event_id, date=date, date_precision=date_precision, title=title, type=type,
                priorities=priorities, amount_gbp=amount_gbp, commitment_id=commitment_id, source_title=source_title,
                source_url=source_url, notes=notes)


def glossary(term: str, definition: str, source_title: str, source_url: str) -> dict:
    return dict(term=term, definition=definition, source_title=source_title, source_url=source_url)


def indicator(priority_id: int, seq: int, series_id: str | None, headline: str, note: str | None) -> dict:
    return dict(priority_id=priority_id, seq=seq, series_id=series_id, headline=headline, note=note)


def appg_membership(member_name: str, role: str, as_of: date, source_title: str, source_url: str,
                    notes: str | None) -> dict:
    return dict(member_name=member_name, role=role, as_of=as_of, source_title=source_title, source_url=source_url,
                notes=notes)


def ingest_run(run_id: str, source: str, *, started_at: datetime, finished_at: datetime | None, status: str,
               rows_added: int = 0, rows_updated: int = 0, cursor: str | None = None, error: str | None = None,
               notes: str | None = None, window_from: date | None = None, window_to: date | None = None) -> dict:
    return dict(run_id=run_id, source=source, window_from=window_from, window_to=window_to, started_at=started_at,
                finished_at=finished_at, status=status, rows_added=rows_added, rows_updated=rows_updated,
                cursor=cursor, error=error, notes=notes)
