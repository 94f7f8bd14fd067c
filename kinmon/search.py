"""Full-text search over questions, answers, statements, debates and contributions.

Writers rebuild a derived `search_doc` table (and, where DuckDB's fts extension is installed from the
duckdb-ext-fts package, a BM25 index over it) after every load. Readers parse what a user types
(words, "quoted phrases", OR, AND, -exclusions or NOT) into a boolean filter applied with bound
parameters, and rank the matches by BM25, or by how often the terms occur where fts is unavailable.
"""

from __future__ import annotations

import glob
import html
import os
import re
import site
import sys
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb
import pandas as pd

MAX_TERMS = 12
SNIPPET_CHARS = 320
FULL_LIMIT = 100_000  # "everything": exports and the question filter of the Parliament page
NOT_RECORDED = "Not recorded"
# Who asked or made a record, their party and the department answering: a question or statement always has
# them, so where the record does not say, the facets count (and filter) it as "Not recorded". For debates
# and speeches these do not apply and stay out of those facets.
RECORDED_FACETS = frozenset({"member", "party", "department"})


def facet_value(column: str, alias: str = "d") -> str:
    """The SQL for a facet column's value, with "Not recorded" for questions and statements that lack it."""
    if column in RECORDED_FACETS:
        return (f"CASE WHEN {alias}.item_type IN ('question', 'statement') "
                f"THEN coalesce({alias}.{column}, '{NOT_RECORDED}') ELSE {alias}.{column} END")
    return f"{alias}.{column}"

_DOCS = """
CREATE OR REPLACE TABLE search_doc AS
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
       (SELECT count(*) FROM answer_passage p WHERE p.question_id = q.id AND p.status = 'new') AS new_passages,
       (SELECT count(*) FROM answer_passage p WHERE p.question_id = q.id
                                             AND p.status IN ('repeated', 'reworded')) AS repeated_passages,
       CASE WHEN q.date_answered IS NULL AND q.date_tabled IS NULL AND q.tabled_month IS NOT NULL THEN 'month'
            END AS date_precision
FROM written_question q
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
"""


# ---------------------------------------------------------------- the fts extension


@lru_cache(maxsize=1)
def fts_extension_path() -> str | None:
    """The fts extension shipped by the duckdb-ext-fts package for this DuckDB version, if installed."""
    version = duckdb.__version__
    roots = list(site.getsitepackages()) + [p for p in sys.path if p.endswith("site-packages")]
    for root in roots:
        hits = glob.glob(os.path.join(root, "duckdb_ext", "extensions", f"v{version}", "*", "fts.duckdb_extension"))
        if hits:
            return hits[0]
    return None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    path = fts_extension_path()
    if not path:
        return False
    try:
        con.execute(f"LOAD '{path}'")
    except duckdb.Error:
        return False
    return True


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild the derived search table (and its BM25 index where possible); returns documents indexed.

    What is new in each answer (kinmon.novelty) is rebuilt first: the search filters on it.
    """
    from kinmon import novelty

    novelty.rebuild_passages(con)
    con.execute(_DOCS)
    if load_fts(con):
        con.execute("PRAGMA create_fts_index('search_doc', 'doc_id', 'title', 'body', overwrite=1)")
    return con.execute("SELECT count(*) FROM search_doc").fetchone()[0]


def has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'fts_main_search_doc'").fetchone()[0])


# ---------------------------------------------------------------- the query language


@dataclass
class Query:
    """AND of groups, each group an OR of terms (words or phrases); minus the excluded terms."""

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[str]:
        return [t for g in self.groups for t in g]

    def __bool__(self) -> bool:
        return bool(self.groups)


_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def parse_query(text: str) -> Query:
    """Parse what a user types: words, "phrases", OR, AND (the default), NOT or -word to exclude."""
    q = Query()
    pending_or = negate_next = False
    for m in _TOKEN.finditer(text or ""):
        minus, phrase, word = m.group(1), m.group(2), m.group(3)
        if phrase is None:
            if word in ("OR", "|"):
                pending_or = bool(q.groups)
                continue
            if word == "AND":
                continue
            if word == "NOT":
                negate_next = True
                continue
            if word.startswith("-") and len(word) > 1:
                minus, word = "-", word[1:]
            term = _normalise(word)
        else:
            term = _normalise(phrase)
        if not term:
            continue
        if minus or negate_next:
            q.excluded.append(term)
        elif pending_or:
            q.groups[-1].append(term)
        else:
            q.groups.append([term])
        pending_or = negate_next = False
        if len(q.positive_terms) + len(q.excluded) >= MAX_TERMS:
            break
    return q


def _normalise(term: str) -> str:
    words = (w.strip("'-_") for w in re.sub(r"[^\w'\- ]+", " ", term.lower()).split())
    return " ".join(w for w in words if w)


def _term_regex(term: str) -> str:
    # a word or phrase at a word start; the end is open so "guardian" finds "guardianship"
    return r"\b" + r"\s+".join(re.escape(w) for w in term.split())


# ---------------------------------------------------------------- searching


@dataclass
class Filters:
    item_types: tuple[str, ...] = ()
    priorities: tuple[int, ...] = ()
    houses: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    named_day: bool | None = None
    tabled_from: object = None
    tabled_to: object = None
    answered_from: object = None
    answered_to: object = None
    new_only: bool = False  # answers with at least one sentence no earlier answer said
    include_undated: bool = False  # with a tabled-date filter, keep questions whose tabled date is not recorded


def _where(query: Query, f: Filters) -> tuple[str, list]:
    clauses, params = ["true"], []
    for group in query.groups:
        clauses.append("(" + " OR ".join("regexp_matches(lower(d.body), ?)" for _ in group) + ")")
        params += [_term_regex(t) for t in group]
    for term in query.excluded:
        clauses.append("NOT regexp_matches(lower(d.body), ?)")
        params.append(_term_regex(term))
    for column, values in (("item_type", f.item_types), ("house", f.houses), ("party", f.parties),
                           ("member", f.members), ("department", f.departments), ("status", f.statuses)):
        if values:
            clauses.append(f"list_contains(?, {facet_value(column)})")
            params.append(list(values))
    if f.priorities:
        clauses.append("EXISTS (SELECT 1 FROM priority_tag t WHERE t.item_type = d.item_type "
                       "AND t.item_id = d.item_id AND list_contains(?, t.priority_id))")
        params.append(list(f.priorities))
    if f.named_day is not None:
        clauses.append("d.is_named_day = ?")
        params.append(f.named_day)
    for low_column, high_column, low, high in (("d.tabled_high", "d.tabled_low", f.tabled_from, f.tabled_to),
                                               ("d.date_answered", "d.date_answered", f.answered_from,
                                                f.answered_to)):
        undated = f" OR ({low_column} IS NULL AND d.item_type = 'question')" if (
            f.include_undated and low_column == "d.tabled_high") else ""
        if low:
            clauses.append(f"({low_column} >= ?{undated})")
            params.append(low)
        if high:
            clauses.append(f"({high_column} <= ?{undated.replace(low_column, high_column)})")
            params.append(high)
    if f.new_only:
        clauses.append("coalesce(d.new_passages, 0) > 0")
    return " AND ".join(clauses), params


def search(con: duckdb.DuckDBPyConnection, text: str, filters: Filters | None = None, limit: int = 200) -> pd.DataFrame:
    """Matching documents, most relevant first (newest first when there is no query text)."""
    query, f = parse_query(text), filters or Filters()
    where, params = _where(query, f)
    use_bm25 = bool(query) and has_fts_index(con) and load_fts(con)
    if use_bm25:
        score = "coalesce(fts_main_search_doc.match_bm25(d.doc_id, ?), 0)"
        score_params = [" ".join(query.positive_terms)]
    elif query:
        score = " + ".join("len(regexp_extract_all(lower(d.body), ?))" for _ in query.positive_terms)
        score_params = [_term_regex(t) for t in query.positive_terms]
    else:
        score, score_params = "0", []
    sql = f"""
        SELECT d.doc_id, d.item_type, d.item_id, d.date, d.date_tabled, d.date_answered, d.title, d.house,
               d.member, d.party, d.department, d.status, d.is_named_day, d.url, d.source_id,
               d.new_passages, d.repeated_passages, d.date_precision, d.text_a, d.text_b, {score} AS score,
               (SELECT string_agg(CAST(priority_id AS VARCHAR), ';' ORDER BY priority_id) FROM priority_tag t
                WHERE t.item_type = d.item_type AND t.item_id = d.item_id) AS priorities
        FROM search_doc d WHERE {where}
        ORDER BY score DESC, d.date DESC NULLS LAST, d.doc_id
        LIMIT ?
    """
    return con.execute(sql, score_params + params + [limit]).df()


def facet_counts(con: duckdb.DuckDBPyConnection, text: str, column: str, filters: Filters | None = None) -> pd.DataFrame:
    """How many matches fall under each value of one facet (with that facet's own filter lifted)."""
    allowed = {"item_type", "house", "party", "member", "department", "status"}
    if column not in allowed and column != "priority":
        raise ValueError(f"unknown facet {column!r}")
    query = parse_query(text)
    f = filters or Filters()
    lifted = {"item_type": "item_types", "house": "houses", "party": "parties", "member": "members",
              "department": "departments", "status": "statuses", "priority": "priorities"}[column]
    f = Filters(**{**f.__dict__, lifted: ()})
    where, params = _where(query, f)
    if column == "priority":
        sql = f"""SELECT t.priority_id AS value, count(DISTINCT d.doc_id) AS n FROM search_doc d
                  JOIN priority_tag t ON t.item_type = d.item_type AND t.item_id = d.item_id
                  WHERE {where} GROUP BY 1 ORDER BY 1"""
    else:
        sql = f"""SELECT {facet_value(column)} AS value, count(*) AS n FROM search_doc d
                  WHERE {where} AND {facet_value(column)} IS NOT NULL
                  GROUP BY 1 ORDER BY n DESC, value"""
    return con.execute(sql, params).df()


def highlight(text: str | None, query_text: str, limit: int = SNIPPET_CHARS) -> str:
    """Escaped HTML of the passage around the first match, with every match wrapped in <mark>."""
    if not isinstance(text, str) or not text:
        return ""
    query = parse_query(query_text)
    terms = query.positive_terms
    start = 0
    if terms:
        pattern = re.compile("|".join(_term_regex(t) + r"\w*" for t in terms), re.IGNORECASE)
        first = pattern.search(text)
        if first:
            start = max(0, first.start() - limit // 3)
            if start:  # begin at a word, not inside one
                space = text.find(" ", start, first.start())
                start = space + 1 if space != -1 else start
    passage = text[start:start + limit]
    prefix = "... " if start else ""
    suffix = " ..." if start + limit < len(text) else ""
    escaped = html.escape(passage)
    if terms:
        pattern = re.compile("|".join(_term_regex(html.escape(t)) + r"\w*" for t in terms), re.IGNORECASE)
        escaped = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)
    return prefix + escaped + suffix


def options(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    if column not in {"house", "party", "member", "department", "status", "item_type"}:
        raise ValueError(f"unknown column {column!r}")
    value = facet_value(column, "search_doc")
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT {value} FROM search_doc WHERE {value} IS NOT NULL ORDER BY 1").fetchall()]


def results(con: duckdb.DuckDBPyConnection, text: str, limit: int = 200, **filters) -> pd.DataFrame:
    """search() with filters as plain keyword arguments (tuples), so callers can cache on them."""
    return search(con, text, Filters(**filters), limit)


def facet(con: duckdb.DuckDBPyConnection, text: str, column: str, **filters) -> pd.DataFrame:
    return facet_counts(con, text, column, Filters(**filters))
