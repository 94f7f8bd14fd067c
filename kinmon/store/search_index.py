"""Writing the search index: the derived `search_doc` table and a tantivy index over it, kept inside the store.

Every writer calls rebuild_index() after its rows are in. When nothing search_doc is built from changed (the
fingerprint of its inputs, kinmon.store.derived), it returns at once. Otherwise it brings `search_doc` (one row
per question, statement, debate and contribution, with what the Search page filters and shows) up to date,
rewriting only the rows whose hash changed, and then updates the tantivy index incrementally: only documents
that are new, changed (a hash of everything indexed, priorities included) or gone are written. The index's files are kept in the store itself
(`search_index_file`, one row per file, and `search_index_meta` naming the generation), so an index is
published atomically with the store it describes, by the same rename, and a reader can never pair a store
with another store's index. kinmon.queries.search reads it.

Why tantivy (measured side by side at 100,000 synthetic documents, 50 realistic queries, on this 2-core
machine under load; see the commit that brought it): DuckDB's fts extension rebuilds its whole index on
every load and ranked queries took 0.4 to 1.6 s; SQLite FTS5 (in Python's sqlite3) built in about 60 s
with a 252 MB file and ranked top-200 at p50 42 ms, p95 260 ms, because bm25() is computed for every
match; tantivy built in about 15 s into 27 MB and ranked top-200 at p50 2 ms, with BM25, phrases,
prefixes, boolean queries, counts and terms aggregations (the facets) in one engine.
"""

from __future__ import annotations

import inspect
import shutil
import tempfile
import uuid
from datetime import date
from pathlib import Path

import duckdb
import tantivy

from kinmon.search import NOT_RECORDED, RECORDED_FACETS
from kinmon.store import derived
from kinmon.store import novelty as passages

# Fields of the tantivy index. `key` is DuckDB's hash of doc_id, the join back to search_doc.
TEXT_FIELD = "text"
FACET_FIELDS = ("item_type", "house", "party", "member", "department", "status")
NUMERIC_FIELDS = ("tabled_low", "tabled_high", "date_answered", "date", "new_passages")
MISSING_DATE = -1_000_000  # days: where a record has no date, so it sorts last when newest come first
WRITER_HEAP = 100_000_000

_DOCS_QUERY = """
WITH docs AS (
SELECT 'question:' || CAST(q.id AS VARCHAR) AS doc_id, 'question' AS item_type, CAST(q.id AS VARCHAR) AS item_id,
       coalesce(q.date_answered, q.date_tabled, q.tabled_month) AS date, q.date_tabled, q.date_answered,
       coalesce(q.heading, 'Written question: ' || left(q.question_text, 70) || '...') AS title,
       concat_ws(' ', q.heading, q.question_text, q.answer_text) AS body,
       q.question_text AS text_a, q.answer_text AS text_b, q.url, q.house,
       q.asking_member_name AS member, q.asking_member_party AS party, q.answering_body_name AS department,
       CASE WHEN q.is_withdrawn THEN 'withdrawn'
            WHEN q.answer_is_correction OR q.date_answer_corrected IS NOT NULL THEN 'corrected'
            WHEN q.answer_is_holding THEN 'holding'
            WHEN q.date_answered IS NOT NULL OR q.answer_text IS NOT NULL THEN 'answered'
            ELSE 'unanswered' END AS status,
       coalesce(q.is_named_day, false) AS is_named_day, q.source_id,
       -- a question known only by the month it was tabled counts for any range that month overlaps
       coalesce(q.date_tabled, q.tabled_month) AS tabled_low, coalesce(q.date_tabled, last_day(q.tabled_month)) AS tabled_high,
       coalesce(p.new_passages, 0) AS new_passages, coalesce(p.repeated_passages, 0) AS repeated_passages,
       CASE WHEN q.date_answered IS NULL AND q.date_tabled IS NULL AND q.tabled_month IS NOT NULL THEN 'month'
            END AS date_precision
FROM written_question q
LEFT JOIN (SELECT question_id, count(*) FILTER (WHERE status = 'new') AS new_passages,
                  count(*) FILTER (WHERE status IN ('repeated', 'reworded')) AS repeated_passages
           FROM answer_passage GROUP BY question_id) p ON p.question_id = q.id
UNION ALL
SELECT 'statement:' || CAST(s.id AS VARCHAR), 'statement', CAST(s.id AS VARCHAR), s.date_made, NULL, NULL,
       coalesce(s.title, 'Written statement'), concat_ws(' ', s.title, s.text), s.text, NULL, s.url, s.house,
       s.member_name, s.member_party, s.answering_body_name, 'made', false, s.source_id, NULL, NULL, NULL, NULL, NULL
FROM statement s
UNION ALL
SELECT 'debate:' || d.debate_id, 'debate', d.debate_id, d.date, NULL, NULL, d.title,
       concat_ws(' ', d.title, d.location, array_to_string(d.participants, '; '), d.notes), d.notes, NULL, d.url,
       d.house, NULL, NULL, NULL, 'held', false, d.source_id, NULL, NULL, NULL, NULL, NULL
FROM debate d
UNION ALL
SELECT 'contribution:' || c.contribution_id, 'contribution', c.contribution_id, c.sitting_date, NULL, NULL,
       coalesce(c.debate_title, 'Contribution'), concat_ws(' ', c.debate_title, c.text), c.text, NULL, c.url,
       c.house, c.member_name, NULL, NULL, 'spoken', false, c.source_id, NULL, NULL, NULL, NULL, NULL
FROM contribution c
), tags AS (
SELECT item_type, item_id, list(DISTINCT priority_id ORDER BY priority_id) AS priority_ids FROM priority_tag GROUP BY 1, 2
)
SELECT docs.*, CAST(hash(docs.doc_id) >> 1 AS BIGINT) AS doc_key, coalesce(tags.priority_ids, []) AS priority_ids,
       CASE WHEN len(tags.priority_ids) > 0 THEN array_to_string(tags.priority_ids, ';') END AS priorities,
       CAST(hash(docs.body, docs.item_type, docs.house, docs.member, docs.party, docs.department, docs.status,
                 docs.is_named_day, docs.tabled_low, docs.tabled_high, docs.date_answered, docs.date,
                 docs.new_passages, tags.priority_ids, docs.title, docs.url, docs.source_id, docs.date_tabled,
                 docs.repeated_passages, docs.date_precision, docs.text_a, docs.text_b) >> 1 AS BIGINT) AS doc_hash
FROM docs LEFT JOIN tags USING (item_type, item_id)
"""
_DOCS = "CREATE OR REPLACE TABLE search_doc AS " + _DOCS_QUERY
# Only the documents whose hash changed are rewritten: the hashes of every document are computed (no text is
# kept), the stale rows deleted and the new or changed ones inserted.
_DOCS_CHANGED = [
    f"CREATE OR REPLACE TEMP TABLE _doc_hash AS SELECT doc_key, doc_hash FROM ({_DOCS_QUERY})",
    "CREATE OR REPLACE TEMP TABLE _doc_stale AS SELECT doc_key FROM search_doc ANTI JOIN _doc_hash USING (doc_key, doc_hash)",
    "DELETE FROM search_doc WHERE doc_key IN (SELECT doc_key FROM _doc_stale)",
    f"""INSERT INTO search_doc SELECT * FROM ({_DOCS_QUERY})
        WHERE doc_key IN (SELECT doc_key FROM _doc_hash ANTI JOIN search_doc USING (doc_key))""",
    "DROP TABLE _doc_hash", "DROP TABLE _doc_stale",
]
# What search_doc is built from: every column _DOCS_QUERY reads (a change to any means a document may change).
INPUTS = {
    "written_question": ("id", "date_answered", "date_tabled", "tabled_month", "heading", "question_text",
                         "answer_text", "url", "house", "asking_member_name", "asking_member_party",
                         "answering_body_name", "is_withdrawn", "answer_is_correction", "date_answer_corrected",
                         "answer_is_holding", "is_named_day", "source_id"),
    "answer_passage": ("question_id", "seq", "status"),
    "statement": ("id", "date_made", "title", "text", "url", "house", "member_name", "member_party",
                  "answering_body_name", "source_id"),
    "debate": ("debate_id", "date", "title", "location", "participants", "notes", "url", "house", "source_id"),
    "contribution": ("contribution_id", "sitting_date", "debate_title", "text", "url", "house", "member_name",
                     "source_id"),
    "priority_tag": ("item_type", "item_id", "priority_id"),
}
STATE = "search"  # derived_state names: the inputs' fingerprint, and the building code's
CODE_STATE = "search.code"

_META = """
CREATE TABLE IF NOT EXISTS search_index_meta (generation VARCHAR NOT NULL, documents BIGINT NOT NULL,
                                              built_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS search_index_file (name VARCHAR PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS search_index_doc (doc_key BIGINT PRIMARY KEY, doc_hash BIGINT NOT NULL);
"""

# What a document carries into the index, read from search_doc: what is searched, filtered and counted, and
# (stored, as JSON) the row the Search page shows, so a page of results needs no second lookup.
ROW_COLUMNS = ("doc_id", "item_type", "item_id", "date", "date_tabled", "date_answered", "title", "house", "member",
               "party", "department", "status", "is_named_day", "url", "source_id", "new_passages",
               "repeated_passages", "date_precision", "text_a", "text_b", "priorities")
DATE_COLUMNS = ("date", "date_tabled", "date_answered")
_FIELDS_SQL = """
SELECT doc_key, body, item_type, house, {member} AS member, {party} AS party, {department} AS department,
       status, is_named_day, tabled_low, tabled_high, date_answered, date, new_passages, priority_ids,
       CASE WHEN item_type = 'question' THEN try_cast(item_id AS BIGINT) END AS item_num,
       to_json(struct_pack({row})) AS row_json
FROM search_doc d
"""


def facet_value(column: str, alias: str = "d") -> str:
    """The SQL for a facet column's value, with "Not recorded" for questions and statements that lack it."""
    if column in RECORDED_FACETS:
        return (f"CASE WHEN {alias}.item_type IN ('question', 'statement') "
                f"THEN coalesce({alias}.{column}, '{NOT_RECORDED}') ELSE {alias}.{column} END")
    return f"{alias}.{column}"


def schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field("key", stored=False, indexed=True, fast=True)
    b.add_integer_field("item_num", stored=False, indexed=False, fast=True)
    b.add_bytes_field("row", stored=True)
    b.add_text_field(TEXT_FIELD, stored=False)
    for name in FACET_FIELDS:
        b.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    b.add_integer_field("priority", stored=False, indexed=True, fast=True)
    b.add_boolean_field("named_day", stored=False, indexed=True, fast=True)
    for name in NUMERIC_FIELDS:
        b.add_integer_field(name, stored=False, indexed=True, fast=True)
    return b.build()


def day_number(value) -> int | None:
    if value is None:
        return None
    if hasattr(value, "date") and not isinstance(value, date):
        value = value.date()
    return (value - date(1970, 1, 1)).days


def document(row: tuple) -> tantivy.Document:
    (key, body, item_type, house, member, party, department, status, named, tabled_low, tabled_high,
     answered, day, new, priorities, item_num, row_json) = row
    doc = tantivy.Document()
    doc.add_integer("key", key)
    if item_num is not None:
        doc.add_integer("item_num", item_num)
    doc.add_bytes("row", row_json.encode("utf-8"))
    doc.add_text(TEXT_FIELD, body or "")
    for name, value in zip(FACET_FIELDS, (item_type, house, party, member, department, status)):
        if value is not None:
            doc.add_text(name, value)
    for p in priorities or ():
        doc.add_integer("priority", int(p))
    doc.add_boolean("named_day", bool(named))
    for name, value in (("tabled_low", tabled_low), ("tabled_high", tabled_high), ("date_answered", answered)):
        n = day_number(value)
        if n is not None:
            doc.add_integer(name, n)
    n = day_number(day)
    doc.add_integer("date", MISSING_DATE if n is None else n)
    doc.add_integer("new_passages", int(new or 0))
    return doc


def fields_sql(where: str = "") -> str:
    row = ", ".join(f"{c} := d.{c}" for c in ROW_COLUMNS)
    return _FIELDS_SQL.format(row=row, **{c: facet_value(c) for c in RECORDED_FACETS}) + where


def write_documents(index: tantivy.Index, rows, delete_keys=()) -> int:
    """Delete documents by key and add new ones, in one commit; returns how many were added."""
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for key in delete_keys:
        writer.delete_documents_by_term("key", int(key))
    added = 0
    for row in rows:
        writer.add_document(document(row))
        added += 1
    writer.commit()
    writer.wait_merging_threads()
    return added


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """Bring search_doc and the stored tantivy index up to date with the store; returns documents indexed.

    What is new in each answer (kinmon.novelty) is brought up to date first: the search filters on it. When
    nothing search_doc is built from has changed since the last rebuild (its fingerprint, kinmon.store.derived),
    nothing is read or written; otherwise only the documents whose hash changed are rewritten, in search_doc
    and in the index.
    """
    from kinmon import novelty

    novelty.rebuild_passages(con)
    con.execute(_META)
    code = derived.fingerprint(con, [], "".join([_DOCS_QUERY, fields_sql(), inspect.getsource(schema),
                                                 inspect.getsource(document), str(MISSING_DATE)]))
    digest = derived.fingerprint(con, [derived.table_sum(t, cols) for t, cols in INPUTS.items()], code)
    indexed = table_exists(con, "search_doc") and _has_index(con)
    if indexed and derived.current(con, STATE, digest):
        return con.execute("SELECT count(*) FROM search_doc").fetchone()[0]
    if table_exists(con, "search_doc") and derived.current(con, CODE_STATE, code):
        for sql in _DOCS_CHANGED:
            con.execute(sql)
    else:  # new code (or none yet): every document and a new index
        con.execute(_DOCS)
        con.execute("DELETE FROM search_index_file")
    _update_index(con)
    derived.remember(con, CODE_STATE, code)
    derived.remember(con, STATE, digest)
    return con.execute("SELECT count(*) FROM search_doc").fetchone()[0]


def _has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM search_index_file WHERE name = 'meta.json'").fetchone()[0])


def _update_index(con: duckdb.DuckDBPyConnection) -> None:
    """Write to the stored index the documents that are new, changed or gone since it was last written."""
    changed = [k for (k,) in con.execute("""
        SELECT d.doc_key FROM search_doc d LEFT JOIN search_index_doc i USING (doc_key)
        WHERE i.doc_hash IS DISTINCT FROM d.doc_hash""").fetchall()]
    gone = [k for (k,) in con.execute(
        "SELECT i.doc_key FROM search_index_doc i ANTI JOIN search_doc d USING (doc_key)").fetchall()]
    stored = _has_index(con)
    if stored and not changed and not gone:
        return
    work = Path(tempfile.mkdtemp(prefix="kinmon-index-"))
    try:
        if stored and not _extract(con, work):
            stored = False
        if not stored:  # a new index holds every document
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            con.execute("DELETE FROM search_index_doc")
            changed = [k for (k,) in con.execute("SELECT doc_key FROM search_doc").fetchall()]
        index = tantivy.Index.open(str(work)) if stored else tantivy.Index(schema(), path=str(work))
        con.execute("CREATE OR REPLACE TEMP TABLE _changed AS SELECT unnest(?::BIGINT[]) AS doc_key", [changed])
        cur = con.execute(fields_sql(" WHERE d.doc_key IN (SELECT doc_key FROM _changed)"))
        write_documents(index, _batches(cur), delete_keys=changed + gone)
        con.execute("DELETE FROM search_index_doc WHERE doc_key IN (SELECT doc_key FROM _changed) "
                    "OR list_contains(?, doc_key)", [gone])
        con.execute("INSERT INTO search_index_doc SELECT doc_key, doc_hash FROM search_doc "
                    "WHERE doc_key IN (SELECT doc_key FROM _changed)")
        con.execute("DROP TABLE _changed")
        _store_files(con, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def forget_index(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the derived search tables (search_doc, answer_passage and its sentence cache) and the stored index, so
    the next rebuild_index starts from nothing (the benchmark's "in full")."""
    for table in ("search_index_file", "search_index_meta", "search_index_doc", "search_doc", "answer_passage",
                  *passages.CACHE_TABLES):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    derived.forget(con, STATE, CODE_STATE, passages.STATE, passages.CACHE_STATE)


def _batches(cur, size: int = 5_000):
    while True:
        rows = cur.fetchmany(size)
        if not rows:
            return
        yield from rows


def _extract(con: duckdb.DuckDBPyConnection, folder: Path) -> bool:
    """Write the stored index's files into `folder`; False when the store holds no index yet."""
    if not table_exists(con, "search_index_file"):
        return False
    rows = con.execute("SELECT name, data FROM search_index_file").fetchall()
    for name, data in rows:
        (folder / name).write_bytes(data)
    return any(name == "meta.json" for name, _ in rows)


def _store_files(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Replace the stored index with the files in `folder` and give it a new generation."""
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.endswith(".lock")}
    stored = {name: h for name, h in con.execute("SELECT name, hash(data) FROM search_index_file").fetchall()}
    con.execute("DELETE FROM search_index_file WHERE NOT list_contains(?, name)", [sorted(files)])
    for name, data in files.items():
        if name in stored and not name.endswith(".json"):
            continue  # segment files never change once written: only new ones and the metadata are stored
        con.execute("INSERT OR REPLACE INTO search_index_file VALUES (?, ?)", [name, data])
    documents = con.execute("SELECT count(*) FROM search_index_doc").fetchone()[0]
    con.execute("DELETE FROM search_index_meta")
    con.execute("INSERT INTO search_index_meta VALUES (?, ?, now()::TIMESTAMP)", [uuid.uuid4().hex, documents])


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])
