"""What is new in an answer: sentences, normalisation, and the new / repeated / reworded / short marks."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from kinmon import novelty, store

STOCK = "The department funds the charity Kinship to deliver over 140 peer support groups across England."


def test_sentences_split_on_sentence_ends_lines_and_paragraphs():
    text = "First sentence here. Second one, e.g. this. Third?\nA table row\tvalue\n\nNew paragraph (with £5m). Done."
    assert novelty.sentences(text) == [
        (0, "First sentence here."), (0, "Second one, e.g. this."), (0, "Third?"), (0, "A table row\tvalue"),
        (1, "New paragraph (with £5m)."), (1, "Done.")]


def test_normalisation_ignores_case_punctuation_typography_and_spacing():
    assert novelty.passage_hash("The department\u2019s  guidance, published.") == novelty.passage_hash(
        "the department's guidance published")
    assert novelty.passage_hash("£40 million") != novelty.passage_hash("£44 million")


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    store.migrate(c)
    yield c
    c.close()


def add(con, qid, answered, answer, holding=False):
    con.execute("INSERT INTO written_question (id, date_answered, answer_text, answer_is_holding, source_id, retrieved_at) "
                "VALUES (?, ?, ?, ?, 's', '2026-01-01')", [qid, answered, answer, holding])


def marks(con, qid):
    return con.execute("SELECT status, first_question_id FROM answer_passage WHERE question_id = ? ORDER BY seq",
                       [qid]).fetchall()


def test_each_sentence_is_new_repeated_reworded_or_short(con):
    add(con, 1, date(2025, 1, 10), STOCK + " The pilot will begin in autumn 2025.")
    add(con, 2, date(2025, 3, 1), "Thank you. " + STOCK.replace("The department", "The Department") +
        " The department also funds the charity Kinship to deliver over 140 peer support groups in England. "
        "The pilot now covers 5,000 children.")
    add(con, 3, None, STOCK)  # undated: after every dated answer
    add(con, 4, date(2024, 1, 1), "I will reply as soon as possible.", holding=True)  # holding answers are left out
    assert novelty.rebuild_passages(con) == 7
    assert marks(con, 1) == [("new", None), ("new", None)]
    assert marks(con, 2) == [("short", None), ("repeated", 1), ("reworded", 1), ("new", None)]
    assert marks(con, 3) == [("repeated", 1)]
    assert marks(con, 4) == []


def test_no_answers_still_leaves_the_table(con):
    assert novelty.rebuild_passages(con) == 0
    assert con.execute("SELECT count(*) FROM answer_passage").fetchone() == (0,)


def test_the_shipped_snapshot_figures_in_the_readme(snapshot_store):
    c = duckdb.connect(str(snapshot_store), read_only=True)
    try:
        assert c.execute("SELECT count(DISTINCT question_id), count(*) FROM answer_passage").fetchone() == (97, 549)
        assert dict(c.execute("SELECT status, count(*) FROM answer_passage GROUP BY 1").fetchall()) == {
            "new": 437, "repeated": 44, "reworded": 61, "short": 7}
        assert c.execute("SELECT count(DISTINCT question_id) FROM answer_passage WHERE status = 'new'").fetchone() == (91,)
    finally:
        c.close()
