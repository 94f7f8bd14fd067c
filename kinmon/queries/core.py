"""Core read model: priorities, commitments and their status, the timeline, evidence and freshness."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

# The latest status of each commitment: the last row of its append-only history.
_CURRENT_STATUS = """
    SELECT s.commitment_id, s.status, s.changed_on AS status_since, s.reason AS status_reason,
           s.source_url AS status_source_url, sc.label AS status_label, sc.rank AS status_rank
    FROM status_change s
    JOIN (SELECT commitment_id, max(seq) AS seq FROM status_change GROUP BY commitment_id) last
      USING (commitment_id, seq)
    LEFT JOIN status_scale sc ON sc.status = s.status
"""

_PRIORITY_LIST = """
    (SELECT string_agg(CAST(priority_id AS VARCHAR), ';' ORDER BY priority_id)
     FROM commitment_priority cp WHERE cp.commitment_id = c.commitment_id)
"""


def priorities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT priority_id, short_title, summary, alliance_ask, source_url FROM priority ORDER BY priority_id"
    ).df()


def priorities_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT priority_id, short_title, summary, alliance_ask, source_url, source_id FROM priority ORDER BY priority_id"
    ).df()


def status_scale(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT status, rank, label, definition FROM status_scale ORDER BY rank").df()


def commitments(con: duckdb.DuckDBPyConnection, priority_id: int | None = None) -> pd.DataFrame:
    """Each commitment with its current status, optionally only those serving one priority."""
    return con.execute(
        f"""
        WITH cur AS ({_CURRENT_STATUS})
        SELECT c.commitment_id, c.title, c.kind, c.type, c.announced_on, c.date_precision,
               {_PRIORITY_LIST} AS priorities, c.amount_gbp, c.amount_scope, c.description,
               cur.status, cur.status_label, cur.status_rank, cur.status_since, cur.status_reason,
               c.source_title, c.source_url
        FROM commitment c LEFT JOIN cur USING (commitment_id)
        WHERE ? IS NULL OR c.commitment_id IN
              (SELECT commitment_id FROM commitment_priority WHERE priority_id = ?)
        ORDER BY c.announced_on NULLS LAST, c.commitment_id
        """,
        [priority_id, priority_id],
    ).df()


def commitments_export(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    df = commitments(con)
    df = df.drop(columns=["status_rank", "date_precision"])
    df["source_id"] = "snapshot-commitments"
    return df


def status_history(con: duckdb.DuckDBPyConnection, commitment_id: str | None = None,
                   priority_id: int | None = None) -> pd.DataFrame:
    return con.execute(
        """
        SELECT s.commitment_id, c.title, s.seq, s.changed_on, s.status, sc.label AS status_label, s.reason,
               s.source_title, s.source_url
        FROM status_change s JOIN commitment c USING (commitment_id)
        LEFT JOIN status_scale sc ON sc.status = s.status
        WHERE (? IS NULL OR s.commitment_id = ?)
          AND (? IS NULL OR s.commitment_id IN (SELECT commitment_id FROM commitment_priority WHERE priority_id = ?))
        ORDER BY s.commitment_id, s.seq
        """,
        [commitment_id, commitment_id, priority_id, priority_id],
    ).df()


def status_mix(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many commitments of each priority currently stand at each status."""
    return con.execute(
        f"""
        WITH cur AS ({_CURRENT_STATUS})
        SELECT cp.priority_id, cur.status, cur.status_label, cur.status_rank, count(*) AS commitments
        FROM commitment_priority cp JOIN cur USING (commitment_id)
        GROUP BY ALL ORDER BY cp.priority_id, cur.status_rank
        """
    ).df()


def timeline(con: duckdb.DuckDBPyConnection, priority_id: int | None = None, since: date | None = None,
             until: date | None = None, types: list[str] | None = None) -> pd.DataFrame:
    return con.execute(
        """
        SELECT event_id, date, date_precision, title, type,
               array_to_string(list_transform(priorities, p -> CAST(p AS VARCHAR)), ';') AS priorities,
               amount_gbp, commitment_id, source_title, source_url, notes
        FROM timeline_event
        WHERE (? IS NULL OR list_contains(priorities, ?))
          AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?)
          AND (? IS NULL OR list_contains(?, type))
        ORDER BY date, event_id
        """,
        [priority_id, priority_id, since, since, until, until, types, types],
    ).df()


def event_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT type FROM timeline_event ORDER BY 1").fetchall()]


def evidence(con: duckdb.DuckDBPyConnection, priority_id: int) -> pd.DataFrame:
    """Curated evidence for a priority's commitments: what each linked record is, its date and link."""
    return con.execute(
        """
        SELECT e.commitment_id, c.title AS commitment, e.item_type, e.item_id, e.method, e.note,
               coalesce(i.date, t.date) AS date, coalesce(i.heading, t.title) AS item_title,
               coalesce(i.url, t.source_url) AS url
        FROM evidence e JOIN commitment c USING (commitment_id)
        LEFT JOIN parliamentary_item i ON i.item_type = e.item_type AND i.item_num IS NOT DISTINCT FROM e.item_num
                                      AND i.item_ref IS NOT DISTINCT FROM e.item_ref
        LEFT JOIN timeline_event t ON e.item_type = 'event' AND t.event_id = e.item_ref
        WHERE e.commitment_id IN (SELECT commitment_id FROM commitment_priority WHERE priority_id = ?)
        ORDER BY e.method, date DESC NULLS LAST
        """,
        [priority_id],
    ).df()


def tagged_questions(con: duckdb.DuckDBPyConnection, priority_id: int, limit: int = 50) -> pd.DataFrame:
    return con.execute(
        """
        SELECT q.id, q.uin, q.house, q.date_tabled, q.date_answered, q.heading, q.question_text, q.answer_text,
               q.asking_member_name, q.asking_member_party, q.answering_body_name, q.url, t.rule_id, t.method,
               q.source_id
        FROM priority_tag t JOIN written_question q ON t.item_type = 'question' AND t.item_num = q.id
        WHERE t.priority_id = ?
        ORDER BY coalesce(q.date_answered, q.date_tabled) DESC NULLS LAST, q.id
        LIMIT ?
        """,
        [priority_id, limit],
    ).df()


def tagged_debates(con: duckdb.DuckDBPyConnection, priority_id: int) -> pd.DataFrame:
    return con.execute(
        """
        SELECT d.debate_id, d.date, d.house, d.location, d.title, d.url, t.rule_id, d.source_id
        FROM priority_tag t JOIN debate d ON t.item_type = 'debate' AND d.debate_id = t.item_id
        WHERE t.priority_id = ? ORDER BY d.date DESC
        """,
        [priority_id],
    ).df()


def attention_by_quarter(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Parliamentary attention: dated questions and debates tagged to each priority, per quarter."""
    return con.execute(
        """
        WITH items AS (
            SELECT priority_id, coalesce(date_tabled, date) AS d,
                   CASE item_type WHEN 'question' THEN 'written questions' WHEN 'debate' THEN 'debates'
                                  ELSE 'statements' END AS kind
            FROM parliamentary_item_priority
        )
        SELECT priority_id, date_trunc('quarter', d)::DATE AS quarter, kind, count(*) AS items
        FROM items WHERE d IS NOT NULL GROUP BY ALL ORDER BY priority_id, quarter, kind
        """
    ).df()


def parliament_counts(con: duckdb.DuckDBPyConnection, priority_id: int | None = None) -> pd.DataFrame:
    """The one count of parliamentary items tagged to each priority (dated or not): written questions,
    debates and written statements. Home's cards and the Priority page both show this."""
    return con.execute(
        """
        SELECT p.priority_id,
               count(DISTINCT i.item_id) FILTER (WHERE i.item_type = 'question') AS questions,
               count(DISTINCT i.item_id) FILTER (WHERE i.item_type = 'debate') AS debates,
               count(DISTINCT i.item_id) FILTER (WHERE i.item_type = 'statement') AS statements
        FROM priority p
        LEFT JOIN parliamentary_item_priority i ON i.priority_id = p.priority_id
        WHERE ? IS NULL OR p.priority_id = ?
        GROUP BY p.priority_id ORDER BY p.priority_id
        """,
        [priority_id, priority_id],
    ).df()


def tagged_source_ids(con: duckdb.DuckDBPyConnection, priority_id: int | None = None) -> list[str]:
    """The sources of the parliamentary records tagged to a priority (or to any), for a page's footer."""
    return [r[0] for r in con.execute(
        """
        SELECT DISTINCT source_id FROM parliamentary_item_priority
        WHERE (? IS NULL OR priority_id = ?) AND source_id IS NOT NULL
        ORDER BY 1
        """,
        [priority_id, priority_id],
    ).fetchall()]


def undated_tagged(con: duckdb.DuckDBPyConnection) -> int:
    """Tagged questions with no date, which a chart over time cannot place (said under the chart)."""
    return con.execute(
        """SELECT count(DISTINCT item_num) FROM parliamentary_item_priority
           WHERE item_type = 'question' AND date IS NULL"""
    ).fetchone()[0]


def latest_evidence(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """For each priority, the most recent dated record that speaks to it, of any kind."""
    return con.execute(
        """
        WITH items AS (
            SELECT priority_id, date AS d,
                   CASE item_type WHEN 'question' THEN 'Written question: ' ELSE 'Debate: ' END || title AS what, url
            FROM parliamentary_item_priority WHERE item_type IN ('question', 'debate')
            UNION ALL
            SELECT cp.priority_id, s.changed_on, 'Status: ' || c.title || ' - ' || coalesce(sc.label, s.status), s.source_url
            FROM status_change s JOIN commitment c USING (commitment_id)
            JOIN commitment_priority cp USING (commitment_id) LEFT JOIN status_scale sc ON sc.status = s.status
            UNION ALL
            -- an event tagged to many priorities is evidence for the one it names first (or for both of two),
            -- not for each: a pilot of allowances is not news on racial disparities
            SELECT p AS priority_id, date, 'Event: ' || title, source_url
            FROM (SELECT unnest(priorities) AS p, priorities, date, title, source_url FROM timeline_event)
            WHERE len(priorities) <= 2 OR p = priorities[1]
        ),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY priority_id ORDER BY d DESC, what) AS rn
            FROM items WHERE d IS NOT NULL
        )
        SELECT priority_id, d AS date, what, url FROM ranked WHERE rn = 1 ORDER BY priority_id
        """
    ).df()


_CHANGES = """
        WITH items AS (
            SELECT s.changed_on AS date, 'status change' AS kind,
                   c.title || ': ' || coalesce(sc.label, s.status) || ' (' || s.reason || ')' AS what,
                   s.source_url AS url, list(cp.priority_id) AS priorities
            FROM status_change s JOIN commitment c USING (commitment_id)
            JOIN commitment_priority cp USING (commitment_id) LEFT JOIN status_scale sc ON sc.status = s.status
            GROUP BY ALL
            UNION ALL
            SELECT date, 'event', title, source_url, priorities FROM timeline_event
            UNION ALL
            SELECT i.date, CASE i.item_type WHEN 'question' THEN 'written question' ELSE 'debate' END, i.title, i.url,
                   list(t.priority_id) FILTER (WHERE t.priority_id IS NOT NULL)
            FROM parliamentary_item i
            LEFT JOIN priority_tag t ON t.item_type = i.item_type AND t.item_num IS NOT DISTINCT FROM i.item_num
                                    AND t.item_ref IS NOT DISTINCT FROM i.item_ref
            WHERE i.item_type IN ('question', 'debate')
            GROUP BY i.item_type, i.item_id, i.date, i.title, i.url
        )
        SELECT date, kind, what, url,
               array_to_string(list_transform(list_sort(priorities), p -> CAST(p AS VARCHAR)), ';') AS priorities
        FROM items
        WHERE date >= ? AND (? IS NULL OR list_contains(priorities, ?))
"""


def changes_since(con: duckdb.DuckDBPyConnection, since: date, priority_id: int | None = None,
                  limit: int | None = None) -> pd.DataFrame:
    """What changed on or after a date, newest first: status changes, events, questions answered, debates;
    the newest `limit` of them, or all."""
    return con.execute(f"{_CHANGES} ORDER BY date DESC, kind, what LIMIT ?",
                       [since, priority_id, priority_id, limit]).df()


def changes_count(con: duckdb.DuckDBPyConnection, since: date, priority_id: int | None = None) -> int:
    """How many changes changes_since() finds (a page lists the newest and counts them all)."""
    return con.execute(f"SELECT count(*) FROM ({_CHANGES})", [since, priority_id, priority_id]).fetchone()[0]


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The last successful run of each source held in the store."""
    return con.execute(
        """SELECT source, max(finished_at) AS last_success, arg_max(cursor, finished_at) AS cursor
           FROM ingest_run WHERE status = 'succeeded' GROUP BY source ORDER BY source"""
    ).df()


# Tables kinmon keeps for its own work, each rebuilt from the records (as Datasette lists its search index's
# tables apart): the Data page lists them after the records, with what each is for.
BOOKKEEPING_TABLES = {
    "answer_sentence": "each answer's sentences, split once, so only new or changed answers are split again",
    "answer_shingle": "the word sequences of those sentences, for finding what an earlier answer already said",
    "derived_state": "a fingerprint of what each derived table was last built from",
    "evidence_item_state": "what each item looked like when evidence suggestions last compared it",
    "schema_version": "the version of the store's layout",
    "search_doc": "every record's text as the search index reads it",
    "search_index_doc": "a fingerprint of each document in the search index",
    "search_index_file": "the search index's own files (tantivy), kept inside the database",
    "search_index_meta": "when the search index was built, and of how many documents",
    "tag_state": "a fingerprint of each item's text and the rules it was last tagged with",
}


def table_inventory(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every table: name, rows, and for kinmon's bookkeeping tables what each is for (empty for records);
    the records first, then the bookkeeping, each by name."""
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
    names.sort(key=lambda n: n in BOOKKEEPING_TABLES)
    return pd.DataFrame(
        [{"table": n, "rows": con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0],
          "bookkeeping": BOOKKEEPING_TABLES.get(n)} for n in names],
        columns=["table", "rows", "bookkeeping"],
    )


def whole_table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """A whole table by name; the name must be one of the store's tables (never user text in SQL)."""
    known = set(table_inventory(con)["table"])
    if name not in known:
        raise ValueError(f"unknown table {name!r}")
    return con.execute(f'SELECT * FROM "{name}"').df()


def glossary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT term, definition, source_title, source_url FROM glossary ORDER BY lower(term)").df()


def sources(con: duckdb.DuckDBPyConnection, like: str | None = None) -> pd.DataFrame:
    return con.execute(
        """SELECT source_id, publisher, title, url, licence, licence_url, retrieved_at FROM source
           WHERE ? IS NULL OR source_id LIKE ? ORDER BY publisher, title""",
        [like, like],
    ).df()


def licences_in_use(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """SELECT licence, licence_url, count(*) AS sources, list(DISTINCT publisher ORDER BY publisher) AS publishers
           FROM source GROUP BY licence, licence_url ORDER BY sources DESC"""
    ).df()


def rating_changes(con: duckdb.DuckDBPyConnection, since: date | None = None, *,
                   include_unchanged: bool = False) -> pd.DataFrame:
    """Status changes, newest first, with the status each moved from: the ratings changelog. A first rating
    counts as a change; a later row that restates the same status (a new source, the same rating) does
    not, unless include_unchanged (the full, append-only history)."""
    return con.execute(
        """
        WITH h AS (
            SELECT s.changed_on, c.title AS commitment, s.status,
                   lag(s.status) OVER (PARTITION BY s.commitment_id ORDER BY s.seq) AS prev_status,
                   coalesce(lag(sc.label) OVER (PARTITION BY s.commitment_id ORDER BY s.seq), '(first rating)') AS from_status,
                   sc.label AS to_status, s.reason, s.source_url,
                   (SELECT string_agg(CAST(priority_id AS VARCHAR), ';' ORDER BY priority_id) FROM commitment_priority cp
                    WHERE cp.commitment_id = s.commitment_id) AS priorities,
                   s.commitment_id
            FROM status_change s JOIN commitment c USING (commitment_id) LEFT JOIN status_scale sc ON sc.status = s.status
        )
        SELECT changed_on, commitment, from_status, to_status, reason, source_url, priorities, commitment_id
        FROM h
        WHERE (? IS NULL OR changed_on >= ?) AND (? OR prev_status IS NULL OR prev_status <> status)
        ORDER BY changed_on DESC, commitment
        """,
        [since, since, include_unchanged],
    ).df()


def ingest_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Successful runs recorded in the store: what each added or updated, and when."""
    return con.execute(
        """SELECT finished_at, source, window_from, window_to, rows_added, rows_updated, cursor
           FROM ingest_run ORDER BY finished_at DESC"""
    ).df()


def indicators(con: duckdb.DuckDBPyConnection, priority_id: int) -> pd.DataFrame:
    return con.execute(
        """SELECT i.seq, i.series_id, i.headline, i.note, s.unit FROM indicator i LEFT JOIN series s USING (series_id)
           WHERE i.priority_id = ? ORDER BY i.seq""",
        [priority_id],
    ).df()


def indicator_values(con: duckdb.DuckDBPyConnection, series_id: str) -> pd.DataFrame:
    """The latest vintage of a series for England (or England and Wales, or the UK), oldest period first.

    A live EES value ("2024") and a curated one ("2024-03-31") for the same period meet on period_end;
    the newest release wins, as on the Statistics page.
    """
    return con.execute(
        """WITH ranked AS (
               SELECT o.*, r.publication,
                      row_number() OVER (PARTITION BY o.geography_code, coalesce(CAST(o.period_end AS VARCHAR), o.time_period)
                                         ORDER BY r.published_on DESC NULLS LAST, o.retrieved_at DESC, o.release_id) AS rn
               FROM observation o JOIN release r USING (release_id)
               WHERE o.series_id = ? AND o.is_latest AND o.geographic_level = 'National' AND o.filter_key = ''
           )
           SELECT time_period, period_end, geography_name, value, value_text, suppression, unit, publication,
                  source_url, source_id
           FROM ranked WHERE rn = 1
           ORDER BY geography_name, period_end NULLS FIRST, time_period""",
        [series_id],
    ).df()


def last_rating_change(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("SELECT max(changed_on) FROM status_change").fetchone()[0]
