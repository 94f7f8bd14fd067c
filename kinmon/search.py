"""Full-text search over questions, answers, statements, debates and contributions: the query language.

What a user types (words, "quoted phrases", OR, AND, -exclusions or NOT) is parsed here into terms, and
the passage shown for a match is highlighted here. Writers rebuild the index with rebuild_index()
(kinmon.store.search_index: a tantivy index kept inside the store); search(), facet_counts() and options() read
it through kinmon.queries.search, ranked by BM25, or by how often the terms occur in a store without an
index. No SQL lives in this module.
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
FACETS = ("item_type", "priority", "house", "party", "member", "department", "status")


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


def search(con: duckdb.DuckDBPyConnection, text: str, filters: Filters | None = None, limit: int = 200) -> pd.DataFrame:
    """Matching documents, most relevant first (newest first when there is no query text)."""
    from kinmon.queries import search as read

    query, f = parse_query(text), filters or Filters()
    index = read.index_for(con) if has_fts_index(con) else None
    if index is None:
        return read.scan_search(con, query, f, limit)
    return read.indexed_search(con, index, query, f, limit)


def matching_ids(con: duckdb.DuckDBPyConnection, text: str, item_type: str, limit: int = FULL_LIMIT) -> list[str]:
    """The ids (as text) of every item of one kind that matches, in no particular order (filters of other pages)."""
    from kinmon.queries import search as read

    query, f = parse_query(text), Filters(item_types=(item_type,))
    index = read.index_for(con) if has_fts_index(con) else None
    if index is not None and item_type == "question":
        return [str(i) for i in read.matching_question_ids(index, query, f, limit)]
    return list(search(con, text, f, limit)["item_id"])


def facet_counts(con: duckdb.DuckDBPyConnection, text: str, column: str, filters: Filters | None = None) -> pd.DataFrame:
    """How many matches fall under each value of one facet (with that facet's own filter lifted)."""
    return facet_table(con, text, (column,), filters)[column]


def facet_table(con: duckdb.DuckDBPyConnection, text: str, columns: tuple[str, ...],
                filters: Filters | None = None) -> dict[str, pd.DataFrame]:
    """facet_counts for several facets at once: those that share a filter share one pass over the matches."""
    from kinmon.queries import search as read

    for column in columns:
        if column not in FACETS:
            raise ValueError(f"unknown facet {column!r}")
    query, f = parse_query(text), filters or Filters()
    index = read.index_for(con) if has_fts_index(con) else None
    if index is None:
        return {c: read.scan_facet_counts(con, query, f, c) for c in columns}
    return read.indexed_facets(index, query, f, columns)


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
    """Every value one facet column takes, for the Search page's pickers."""
    from kinmon.queries import search as read

    return read.options(con, column)


def results(con: duckdb.DuckDBPyConnection, text: str, limit: int = 200, **filters) -> pd.DataFrame:
    """search() with filters as plain keyword arguments (tuples), so callers can cache on them."""
    return search(con, text, Filters(**filters), limit)


def export_rows(con: duckdb.DuckDBPyConnection, text: str, filters: tuple = ()) -> pd.DataFrame:
    """Every match (up to FULL_LIMIT) as the Search page's download has it: filters as (name, value) pairs."""
    return results(con, text, FULL_LIMIT, **dict(filters)).drop(columns=["text_a", "text_b", "doc_id"])


def facet(con: duckdb.DuckDBPyConnection, text: str, column: str, **filters) -> pd.DataFrame:
    return facet_counts(con, text, column, Filters(**filters))


def facets(con: duckdb.DuckDBPyConnection, text: str, columns: tuple[str, ...], **filters) -> dict[str, pd.DataFrame]:
    """facet_table() with filters as plain keyword arguments (tuples), so callers can cache on them."""
    return facet_table(con, text, tuple(columns), Filters(**filters))


def has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store holds a full-text index (a store built by an older kinmon is scanned instead)."""
    from kinmon.queries import search as read

    return read.generation(con) is not None


def rebuild_index(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild the derived search table and bring the stored index up to date (kinmon.store.search_index)."""
    from kinmon.store import search_index

    return search_index.rebuild_index(con)


@lru_cache(maxsize=1)
def fts_extension_path() -> str | None:
    """DuckDB's fts extension shipped by the duckdb-ext-fts package, if installed (the benchmark's baseline)."""
    version = duckdb.__version__
    roots = list(site.getsitepackages()) + [p for p in sys.path if p.endswith("site-packages")]
    for root in roots:
        hits = glob.glob(os.path.join(root, "duckdb_ext", "extensions", f"v{version}", "*", "fts.duckdb_extension"))
        if hits:
            return hits[0]
    return None
