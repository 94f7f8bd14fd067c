"""The answer_passage table's SQL: the answers it is built from, and the set operations that mark each sentence.

kinmon.novelty splits, normalises and hashes the sentences; this module reads the answers and writes the table."""

from __future__ import annotations

import duckdb
import pandas as pd

from kinmon.store import derived

STATE = "answer_passage"  # its derived_state name
# What answer_passage is built from: each answer, whether it is a holding answer, and the dates that order them.
INPUTS = ("id", "answer_text", "answer_is_holding", "date_answered", "date_tabled", "tabled_month")


def fingerprint(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """The fingerprint of answer_passage's inputs and of `code` (the splitting and marking rules)."""
    return derived.fingerprint(con, [derived.table_sum("written_question", INPUTS)], code + _BUILD)


def current(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """Whether answer_passage exists and was built from inputs with this fingerprint."""
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'answer_passage'"
                         ).fetchone()[0]
    return bool(exists) and derived.current(con, STATE, digest)


def count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM answer_passage").fetchone()[0]


def remember(con: duckdb.DuckDBPyConnection, digest: str) -> None:
    derived.remember(con, STATE, digest)


def answers(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(question id, answer text) of every stored answer that is not a holding answer."""
    return con.execute("SELECT id, answer_text FROM written_question WHERE answer_text IS NOT NULL "
                       "AND NOT coalesce(answer_is_holding, false)").fetchall()


def write_passages(con: duckdb.DuckDBPyConnection, passages: pd.DataFrame | None, shingles: pd.DataFrame | None,
                   *, min_words: int, reworded_share: float) -> None:
    """Replace answer_passage: from the sentences (question_id, seq, paragraph, passage, passage_hash, words,
    n_shingles) and their shingles (passage_hash, shingle), or empty when there are none."""
    if passages is None or passages.empty:
        con.execute(_EMPTY)
        return
    frames = {"_passages": passages, "_shingles": shingles}
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute(_BUILD.format(MIN_WORDS=int(min_words), REWORDED_SHARE=float(reworded_share)))
    finally:
        for name in frames:
            con.unregister(name)


_BUILD = """
CREATE OR REPLACE TABLE answer_passage AS
WITH ranked AS (
    SELECT id AS question_id,
           row_number() OVER (ORDER BY coalesce(date_answered, date_tabled, tabled_month) IS NULL,
                              coalesce(date_answered, date_tabled, tabled_month), id) AS answer_rank
    FROM written_question),
passages AS (SELECT p.*, r.answer_rank FROM _passages p JOIN ranked r USING (question_id)),
exact AS (  -- the earliest answer with the very same sentence
    SELECT question_id, seq,
           first_value(question_id) OVER (PARTITION BY passage_hash ORDER BY answer_rank) AS first_question_id,
           count(DISTINCT question_id) OVER (PARTITION BY passage_hash) AS answers_with_it
    FROM passages),
firsts AS (  -- each distinct sentence and the earliest answer that said it
    SELECT passage_hash, min(answer_rank) AS first_rank, arg_min(question_id, answer_rank) AS first_question_id
    FROM passages GROUP BY passage_hash),
shared AS (  -- for each distinct sentence, the earlier distinct sentences sharing its shingles (a sentence said
             -- in many answers is compared once, not once per answer: the join grows with distinct sentences)
    SELECT a.passage_hash, fb.first_question_id AS like_question_id, count(*) AS n
    FROM _shingles a JOIN _shingles b ON a.shingle = b.shingle AND a.passage_hash <> b.passage_hash
    JOIN firsts fa ON fa.passage_hash = a.passage_hash JOIN firsts fb ON fb.passage_hash = b.passage_hash
    WHERE fb.first_rank < fa.first_rank
    GROUP BY a.passage_hash, b.passage_hash, fb.first_question_id),
best AS (
    SELECT passage_hash, arg_max(like_question_id, n) AS like_question_id, max(n) AS n
    FROM shared GROUP BY ALL)
SELECT p.question_id, p.seq, p.paragraph, p.passage, p.passage_hash, p.words,
       CASE WHEN p.words < {MIN_WORDS} THEN 'short'
            WHEN e.first_question_id <> p.question_id THEN 'repeated'
            WHEN b.n >= {REWORDED_SHARE} * p.n_shingles THEN 'reworded'
            ELSE 'new' END AS status,
       CASE WHEN p.words < {MIN_WORDS} THEN NULL
            WHEN e.first_question_id <> p.question_id THEN e.first_question_id
            WHEN b.n >= {REWORDED_SHARE} * p.n_shingles THEN b.like_question_id END AS first_question_id,
       e.answers_with_it
FROM passages p JOIN exact e USING (question_id, seq) LEFT JOIN best b USING (passage_hash)
ORDER BY p.question_id, p.seq
"""

_EMPTY = """
CREATE OR REPLACE TABLE answer_passage (question_id BIGINT, seq INTEGER, paragraph INTEGER, passage VARCHAR,
    passage_hash VARCHAR, words INTEGER, status VARCHAR, first_question_id BIGINT, answers_with_it BIGINT)
"""
