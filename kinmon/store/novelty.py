"""The answer_passage table's SQL: the answers it is built from, the cache of their split sentences, and the set
operations that mark each sentence.

kinmon.novelty splits, normalises and hashes the sentences; this module reads the answers and writes the tables."""

from __future__ import annotations

import duckdb

import pyarrow as pa

from kinmon.store import derived
from kinmon.store.write import insert_frame

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


# Each answer's sentences, split, hashed and cut into shingles once: a rebuild splits only new or changed answers.
_CACHE = ("CREATE TABLE IF NOT EXISTS answer_sentence (question_id BIGINT NOT NULL, answer_hash BIGINT NOT NULL, "
          "seq INTEGER NOT NULL, paragraph INTEGER, passage VARCHAR, passage_hash VARCHAR, words INTEGER, "
          "n_shingles INTEGER)",
          "CREATE TABLE IF NOT EXISTS answer_shingle (passage_hash VARCHAR NOT NULL, shingle VARCHAR NOT NULL)")
CACHE_STATE = "answer_sentence.code"
CACHE_TABLES = ("answer_sentence", "answer_shingle")
_ANSWERS_NOW = """
CREATE OR REPLACE TEMP TABLE _answers_now AS
SELECT id, CAST(hash(answer_text) >> 1 AS BIGINT) AS answer_hash FROM written_question
WHERE answer_text IS NOT NULL AND NOT coalesce(answer_is_holding, false)
"""


def answers_to_split(con: duckdb.DuckDBPyConnection, code: str) -> list[tuple[int, int, str]]:
    """(question id, answer hash, answer text) of the stored answers (not holding ones) whose sentences are not
    cached yet; the cached sentences of answers that changed or went are dropped. New splitting rules (`code`)
    empty the cache."""
    digest = derived.fingerprint(con, [], code)
    for ddl in _CACHE:
        con.execute(ddl)
    if not derived.current(con, CACHE_STATE, digest):
        for table in CACHE_TABLES:
            con.execute(f"DELETE FROM {table}")
        derived.remember(con, CACHE_STATE, digest)
    con.execute(_ANSWERS_NOW)
    con.execute("DELETE FROM answer_sentence WHERE NOT EXISTS (SELECT 1 FROM _answers_now a WHERE "
                "a.id = answer_sentence.question_id AND a.answer_hash = answer_sentence.answer_hash)")
    found = con.execute("""
        SELECT q.id, a.answer_hash, q.answer_text FROM written_question q JOIN _answers_now a USING (id)
        WHERE NOT EXISTS (SELECT 1 FROM answer_sentence s WHERE s.question_id = a.id) ORDER BY q.id""").fetchall()
    con.execute("DROP TABLE _answers_now")
    return found


def add_sentences(con: duckdb.DuckDBPyConnection, sentences: list[tuple], shingles: list[tuple[str, str]]) -> None:
    """Cache sentences (question_id, answer_hash, seq, paragraph, passage, passage_hash, words, n_shingles) and
    the shingles (passage_hash, shingle) of passages not cached yet; drop shingles no sentence has any more."""
    if sentences:
        names = ("question_id", "answer_hash", "seq", "paragraph", "passage", "passage_hash", "words", "n_shingles")
        types = (pa.int64(), pa.int64(), pa.int32(), pa.int32(), pa.string(), pa.string(), pa.int32(), pa.int32())
        frame = pa.table({n: pa.array(list(c), t) for n, c, t in zip(names, zip(*sentences), types)})
        insert_frame(con, "answer_sentence", frame)
    if shingles:
        con.register("_new_shingles", pa.table({"passage_hash": pa.array([h for h, _ in shingles], pa.string()),
                                                "shingle": pa.array([x for _, x in shingles], pa.string())}))
        try:
            con.execute("INSERT INTO answer_shingle SELECT passage_hash, shingle FROM _new_shingles n WHERE NOT EXISTS "
                        "(SELECT 1 FROM answer_shingle s WHERE s.passage_hash = n.passage_hash)")
        finally:
            con.unregister("_new_shingles")
    con.execute("DELETE FROM answer_shingle WHERE passage_hash NOT IN (SELECT passage_hash FROM answer_sentence)")


def write_cached_passages(con: duckdb.DuckDBPyConnection, *, min_words: int, reworded_share: float) -> None:
    """Replace answer_passage from the cached sentences and shingles (empty when there are none)."""
    if not con.execute("SELECT count(*) FROM answer_sentence").fetchone()[0]:
        con.execute(_EMPTY)
        return
    # Read into DataFrames and registered, as the marking query was written for: over the tables themselves (or
    # Arrow), DuckDB 1.4 plans the shingle join differently and takes minutes at 100,000 answers instead of seconds.
    frames = {"_passages": con.execute("SELECT question_id, seq, paragraph, passage_hash, words, n_shingles "
                                       "FROM answer_sentence").df(),
              "_shingles": con.execute("SELECT passage_hash, shingle FROM answer_shingle").df()}
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
    SELECT a.passage_hash, fb.first_question_id AS like_question_id, fb.first_rank AS like_rank, count(*) AS n
    FROM _shingles a JOIN _shingles b ON a.shingle = b.shingle AND a.passage_hash <> b.passage_hash
    JOIN firsts fa ON fa.passage_hash = a.passage_hash JOIN firsts fb ON fb.passage_hash = b.passage_hash
    WHERE fb.first_rank < fa.first_rank
    GROUP BY a.passage_hash, b.passage_hash, fb.first_question_id, fb.first_rank),
best AS (  -- the earlier sentence sharing most shingles; of equals, the earliest (so every rebuild agrees)
    SELECT passage_hash, like_question_id, n FROM (
        SELECT passage_hash, like_question_id, n,
               row_number() OVER (PARTITION BY passage_hash ORDER BY n DESC, like_rank, like_question_id) AS k
        FROM shared) WHERE k = 1)
SELECT p.question_id, p.seq, p.paragraph, t.passage, p.passage_hash, p.words,
       CASE WHEN p.words < {MIN_WORDS} THEN 'short'
            WHEN e.first_question_id <> p.question_id THEN 'repeated'
            WHEN b.n >= {REWORDED_SHARE} * p.n_shingles THEN 'reworded'
            ELSE 'new' END AS status,
       CASE WHEN p.words < {MIN_WORDS} THEN NULL
            WHEN e.first_question_id <> p.question_id THEN e.first_question_id
            WHEN b.n >= {REWORDED_SHARE} * p.n_shingles THEN b.like_question_id END AS first_question_id,
       e.answers_with_it
FROM passages p JOIN exact e USING (question_id, seq)
JOIN answer_sentence t ON t.question_id = p.question_id AND t.seq = p.seq  -- the text, kept out of the frames
LEFT JOIN best b ON b.passage_hash = p.passage_hash
ORDER BY p.question_id, p.seq
"""

_EMPTY = """
CREATE OR REPLACE TABLE answer_passage (question_id BIGINT, seq INTEGER, paragraph INTEGER, passage VARCHAR,
    passage_hash VARCHAR, words INTEGER, status VARCHAR, first_question_id BIGINT, answers_with_it BIGINT)
"""
