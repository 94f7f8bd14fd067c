"""Reading the search index: matches ranked by BM25, filters, facet counts over the same match set, result rows.

The tantivy index a writer keeps inside the store (kinmon.store.search_index) is unpacked once per generation
into a cache folder beside the system's temp files and opened there (memory-mapped, so every session and
process on the machine shares one copy). A query is parsed by kinmon.search.parse_query and built as a
tantivy query from terms, never from the user's text as query syntax; filters are tantivy queries on the
index's fast fields, facet counts are terms aggregations over the query's match set (the facets that share
a filter share one pass), and the rows shown come from `search_doc` by key. A store without an index (one
built by an older kinmon) is searched by scanning `search_doc`, ranked by how often the terms occur.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import tantivy

from kinmon.search import _term_regex
from kinmon.store.search_index import DATE_COLUMNS, FACET_FIELDS, ROW_COLUMNS, TEXT_FIELD, day_number, facet_value

KEEP_OPEN = 4  # generations kept open in a process (a dashboard may still serve the previous store)
FACET_COLUMNS = FACET_FIELDS + ("priority",)
FILTER_OF = {"item_type": "item_types", "house": "houses", "party": "parties", "member": "members",
             "department": "departments", "status": "statuses", "priority": "priorities"}
ROW_SQL = ", ".join(c for c in ROW_COLUMNS if c != "priorities")

_lock = threading.Lock()
_open: OrderedDict[str, tantivy.Index] = OrderedDict()


# ---------------------------------------------------------------- the index


def cache_root() -> Path:
    return Path(tempfile.gettempdir()) / f"kinmon-search-{os.getuid()}"


def generation(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("SELECT generation FROM search_index_meta").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def index_for(con: duckdb.DuckDBPyConnection) -> tantivy.Index | None:
    """The store's index, unpacked and opened once per generation; None when the store has none."""
    gen = generation(con)
    if gen is None:
        return None
    with _lock:
        if gen in _open:
            _open.move_to_end(gen)
            return _open[gen]
        folder = cache_root() / gen
        if not (folder / "meta.json").exists():
            _unpack(con, folder)
        index = tantivy.Index.open(str(folder))
        _open[gen] = index
        while len(_open) > KEEP_OPEN:
            _open.popitem(last=False)
        return index


def _unpack(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Write the stored files to a private folder, then rename it into place (another process may race us)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    for name, data in con.execute("SELECT name, data FROM search_index_file").fetchall():
        (tmp / name).write_bytes(data)
    try:
        os.rename(tmp, folder)
    except OSError:  # unpacked meanwhile by another process: use theirs
        shutil.rmtree(tmp, ignore_errors=True)
    _tidy(folder.parent, keep=folder.name)


def _tidy(root: Path, keep: str) -> None:
    """Remove older unpacked generations beyond the newest few (open files stay readable until closed)."""
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP_OPEN * 2:]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- queries


def _words(term: str) -> list[str]:
    """A term as the index's tokenizer cuts text: runs of letters and digits, lower-cased."""
    return re.findall(r"[^\W_]+", term.lower())


def _term(schema: tantivy.Schema, term: str) -> tantivy.Query | None:
    """A word or phrase at a word start, its last word open-ended ("guardian" finds "guardianship")."""
    words = _words(term)
    if not words:
        return None
    if len(words) == 1:
        exact = tantivy.Query.term_query(schema, TEXT_FIELD, words[0])
        opened = tantivy.Query.regex_query(schema, TEXT_FIELD, re.escape(words[0]) + ".+")
    else:
        exact = tantivy.Query.phrase_query(schema, TEXT_FIELD, words)
        opened = tantivy.Query.phrase_prefix_query(schema, TEXT_FIELD, words)
    # the exact form carries the BM25 score; the open-ended one adds what only a longer word matches
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, exact), (tantivy.Occur.Should, opened)])


def _any_of(schema: tantivy.Schema, field: str, values) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, v)) for v in values])


def _day(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return day_number(value)


def _range(schema, field: str, low=None, high=None) -> tantivy.Query:
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Integer, low, high)


def _filters(schema: tantivy.Schema, f) -> list[tantivy.Query]:
    must = []
    for column in FACET_FIELDS:
        values = getattr(f, FILTER_OF[column])
        if values:
            must.append(_any_of(schema, column, [str(v) for v in values]))
    if f.priorities:
        must.append(_any_of(schema, "priority", [int(p) for p in f.priorities]))
    if f.named_day is not None:
        must.append(tantivy.Query.term_query(schema, "named_day", bool(f.named_day)))
    undated = None
    if f.include_undated:
        undated = lambda field: tantivy.Query.boolean_query([  # noqa: E731
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, "item_type", "question")),
            (tantivy.Occur.MustNot, tantivy.Query.exists_query(field))])
    for field, low, high in (("tabled_high", _day(f.tabled_from), None), ("tabled_low", None, _day(f.tabled_to)),
                             ("date_answered", _day(f.answered_from), None),
                             ("date_answered", None, _day(f.answered_to))):
        if low is None and high is None:
            continue
        q = _range(schema, field, low, high)
        if undated and field.startswith("tabled"):
            q = tantivy.Query.boolean_query([(tantivy.Occur.Should, q), (tantivy.Occur.Should, undated(field))])
        must.append(q)
    if f.new_only:
        must.append(_range(schema, "new_passages", 1, None))
    return must


def build_query(index: tantivy.Index, query, f) -> tantivy.Query | None:
    """The tantivy query for a parsed query and filters; None when a group has no searchable word."""
    schema = index.schema
    clauses = []
    for group in query.groups:
        alternatives = [q for q in (_term(schema, t) for t in group) if q is not None]
        if not alternatives:
            return None
        clauses.append((tantivy.Occur.Must, alternatives[0] if len(alternatives) == 1 else
                        tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in alternatives])))
    for term in query.excluded:
        q = _term(schema, term)
        if q is not None:
            clauses.append((tantivy.Occur.MustNot, q))
    clauses += [(tantivy.Occur.Must, q) for q in _filters(schema, f)]
    if not any(occur == tantivy.Occur.Must for occur, _ in clauses):
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    return tantivy.Query.boolean_query(clauses)


# ---------------------------------------------------------------- searching


def _empty_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"SELECT {ROW_SQL}, 0.0 AS score, priorities FROM search_doc LIMIT 0").df()


def _hits(index: tantivy.Index, query, f, limit: int):
    tq = build_query(index, query, f)
    if tq is None:
        return None, []
    searcher = index.searcher()
    if query:
        return searcher, searcher.search(tq, limit, count=False).hits
    return searcher, searcher.search(tq, limit, count=False, order_by_field="date").hits  # no words: newest first


def indexed_search(con: duckdb.DuckDBPyConnection, index: tantivy.Index, query, f, limit: int) -> pd.DataFrame:
    """The best `limit` matches with the rows the page shows, read from the index's stored rows."""
    searcher, hits = _hits(index, query, f, limit)
    if not hits:
        return _empty_rows(con)
    rows = []
    for score, address in hits:
        row = json.loads(searcher.doc(address).get_first("row"))
        row["score"] = float(score) if query else 0.0
        rows.append(row)
    # most relevant first, then newest (undated last), then by id, as the scan orders them
    rows.sort(key=lambda r: r["doc_id"])
    rows.sort(key=lambda r: r["date"] or "", reverse=True)
    rows.sort(key=lambda r: r["score"], reverse=True)
    data = {c: [r[c] for r in rows] for c in (*ROW_COLUMNS[:-1], "score", ROW_COLUMNS[-1])}
    for column in DATE_COLUMNS:
        data[column] = pd.to_datetime(pd.Series(data[column], dtype="object"), format="ISO8601")
    data["score"] = np.array(data["score"], dtype="float64")
    return pd.DataFrame(data)


def matching_question_ids(index: tantivy.Index, query, f, limit: int) -> list[int]:
    """The API ids of the questions that match, from a fast field (no stored rows read)."""
    searcher, hits = _hits(index, query, f, limit)
    if not hits:
        return []
    return sorted(i for i in searcher.fast_field_values("item_num", [a for _, a in hits]) if i is not None)


def indexed_facets(index: tantivy.Index, query, f, columns) -> dict[str, pd.DataFrame]:
    """Counts per value for each facet column, each with its own filter lifted; one pass per distinct filter."""
    from kinmon.search import Filters

    passes: dict[tuple, list[str]] = {}
    lifted_filters = {}
    for column in columns:
        lifted = Filters(**{**f.__dict__, FILTER_OF[column]: ()})
        key = tuple(sorted((k, str(v)) for k, v in lifted.__dict__.items()))
        passes.setdefault(key, []).append(column)
        lifted_filters[key] = lifted
    searcher = index.searcher()
    out = {}
    for key, cols in passes.items():
        tq = build_query(index, query, lifted_filters[key])
        if tq is None:
            out.update({c: _counts([], c) for c in cols})
            continue
        aggs = {c: {"terms": {"field": c, "size": 100_000}} for c in cols}
        result = searcher.aggregate(tq, aggs)
        for c in cols:
            out[c] = _counts(result.get(c, {}).get("buckets", []), c)
    return out


def _counts(buckets: list[dict], column: str) -> pd.DataFrame:
    if column == "priority":
        rows = sorted((int(b["key"]), int(b["doc_count"])) for b in buckets)
        return pd.DataFrame({"value": np.array([r[0] for r in rows], dtype="int64"),
                             "n": np.array([r[1] for r in rows], dtype="int64")})
    rows = sorted(((str(b["key"]), int(b["doc_count"])) for b in buckets), key=lambda r: (-r[1], r[0]))
    return pd.DataFrame({"value": pd.array([r[0] for r in rows], dtype="str"),
                         "n": np.array([r[1] for r in rows], dtype="int64")})


def options(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    if column not in {"house", "party", "member", "department", "status", "item_type"}:
        raise ValueError(f"unknown column {column!r}")
    value = facet_value(column, "search_doc")
    return [r[0] for r in con.execute(
        f"SELECT DISTINCT {value} FROM search_doc WHERE {value} IS NOT NULL ORDER BY 1").fetchall()]


# ---------------------------------------------------------------- without an index: a scan


def _where(query, f) -> tuple[str, list]:
    clauses, params = ["true"], []
    for group in query.groups:
        clauses.append("(" + " OR ".join("regexp_matches(lower(d.body), ?)" for _ in group) + ")")
        params += [_term_regex(t) for t in group]
    for term in query.excluded:
        clauses.append("NOT regexp_matches(lower(d.body), ?)")
        params.append(_term_regex(term))
    for column in FACET_FIELDS:
        values = getattr(f, FILTER_OF[column])
        if values:
            clauses.append(f"list_contains(?, {facet_value(column)})")
            params.append(list(values))
    if f.priorities:
        clauses.append("list_has_any(d.priority_ids, ?)")
        params.append([int(p) for p in f.priorities])
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


def scan_search(con: duckdb.DuckDBPyConnection, query, f, limit: int) -> pd.DataFrame:
    where, params = _where(query, f)
    if query:
        score = " + ".join("len(regexp_extract_all(lower(d.body), ?))" for _ in query.positive_terms)
        score_params = [_term_regex(t) for t in query.positive_terms]
    else:
        score, score_params = "0", []
    sql = f"""SELECT {ROW_SQL}, CAST({score} AS DOUBLE) AS score, priorities FROM search_doc d WHERE {where}
              ORDER BY score DESC, d.date DESC NULLS LAST, d.doc_id LIMIT ?"""
    return con.execute(sql, score_params + params + [limit]).df()


def scan_facet_counts(con: duckdb.DuckDBPyConnection, query, f, column: str) -> pd.DataFrame:
    from kinmon.search import Filters

    f = Filters(**{**f.__dict__, FILTER_OF[column]: ()})
    where, params = _where(query, f)
    if column == "priority":
        sql = f"""SELECT CAST(p AS BIGINT) AS value, count(*) AS n FROM (SELECT unnest(d.priority_ids) AS p
                  FROM search_doc d WHERE {where}) GROUP BY 1 ORDER BY 1"""
    else:
        sql = f"""SELECT {facet_value(column)} AS value, count(*) AS n FROM search_doc d
                  WHERE {where} AND {facet_value(column)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value"""
    return con.execute(sql, params).df()
