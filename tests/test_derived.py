"""Derived tables are rebuilt only for what changed (issue #11): an unchanged store rewrites none of them.

Each test marks a derived table's rows by hand in a way its inputs do not see (a rebuild would wipe the
marks), runs the writers' refresh, and reads the marks back: kept means nothing was rebuilt. Then one input
changes and the marks of exactly what depends on it go. No timing is measured.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from kinmon import evidence, novelty, search
from kinmon.store import derived, search_index
from kinmon.store import evidence as evidence_store

MARK = "MARKED BY THE TEST"


@pytest.fixture
def con(snapshot_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(snapshot_store, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def refresh(con) -> None:
    """What every writer runs after its rows are in (kinmon.ingest._refresh_derived)."""
    evidence.suggest(con)
    search.rebuild_index(con)


def mark(con) -> None:
    con.execute(f"UPDATE answer_passage SET passage = '{MARK}'")
    con.execute(f"UPDATE search_doc SET title = '{MARK}'")
    con.execute(f"UPDATE evidence SET note = '{MARK}' WHERE method = 'suggested'")


def marked(con, sql: str) -> int:
    return con.execute(sql.format(MARK=MARK)).fetchone()[0]


def test_an_unchanged_store_rewrites_no_derived_table(con):
    refresh(con)  # the snapshot was built by this code: already current
    generation = con.execute("SELECT generation FROM search_index_meta").fetchone()
    mark(con)
    passages = marked(con, "SELECT count(*) FROM answer_passage WHERE passage = '{MARK}'")
    docs = marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'")
    suggested = marked(con, "SELECT count(*) FROM evidence WHERE note = '{MARK}'")
    assert passages > 500 and docs > 100 and suggested > 10
    assert novelty.rebuild_passages(con) == passages  # the sentences it holds, counted, not rebuilt
    assert evidence.suggest(con) == suggested
    refresh(con)
    assert marked(con, "SELECT count(*) FROM answer_passage WHERE passage = '{MARK}'") == passages
    assert marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'") == docs
    assert marked(con, "SELECT count(*) FROM evidence WHERE note = '{MARK}'") == suggested
    assert con.execute("SELECT generation FROM search_index_meta").fetchone() == generation


def test_a_changed_answer_rewrites_its_own_document_and_what_reads_answers(con):
    refresh(con)
    mark(con)
    docs = marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'")
    qid = con.execute("SELECT min(id) FROM written_question WHERE answer_text IS NOT NULL "
                      "AND NOT coalesce(answer_is_holding, false)").fetchone()[0]
    con.execute("UPDATE written_question SET answer_text = answer_text || ' A sentence no answer said before, "
                "about kinship allowances.' WHERE id = ?", [qid])
    refresh(con)
    # search_doc: only that question's document is rewritten (with its real title); every other stays marked
    assert con.execute("SELECT title <> ? FROM search_doc WHERE doc_id = ?", [MARK, f"question:{qid}"]).fetchone() == (True,)
    assert marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'") == docs - 1
    # the passages and suggestions read every answer: rebuilt
    assert marked(con, "SELECT count(*) FROM answer_passage WHERE passage = '{MARK}'") == 0
    assert marked(con, "SELECT count(*) FROM evidence WHERE note = '{MARK}'") == 0
    assert ["new"] == [s for (s,) in con.execute(
        "SELECT status FROM answer_passage WHERE question_id = ? AND passage LIKE 'A sentence no answer%'", [qid]).fetchall()]
    assert search.search(con, '"no answer said before"')["item_id"].tolist() == [str(qid)]


def test_a_new_tag_rewrites_that_document_only_and_the_suggestions(con):
    refresh(con)
    mark(con)
    docs = marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'")
    qid = con.execute("SELECT min(id) FROM written_question").fetchone()[0]
    con.execute("DELETE FROM priority_tag WHERE item_type = 'question' AND item_id = ?", [str(qid)])
    con.execute("INSERT INTO priority_tag (item_type, item_id, priority_id, rule_id, rules_version, method) "
                "VALUES ('question', ?, 4, 'test', 'v', 'rule')", [str(qid)])
    refresh(con)
    assert marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'") == docs - 1
    assert con.execute("SELECT priority_ids FROM search_doc WHERE doc_id = ?", [f"question:{qid}"]).fetchone() == ([4],)
    assert marked(con, "SELECT count(*) FROM answer_passage WHERE passage = '{MARK}'") > 0  # answers unchanged
    assert marked(con, "SELECT count(*) FROM evidence WHERE note = '{MARK}'") == 0


def test_forgetting_the_index_rebuilds_everything(con):
    refresh(con)
    mark(con)
    search_index.forget_index(con)
    refresh(con)
    assert marked(con, "SELECT count(*) FROM answer_passage WHERE passage = '{MARK}'") == 0
    assert marked(con, "SELECT count(*) FROM search_doc WHERE title = '{MARK}'") == 0
    assert search.has_fts_index(con)


def suggestions(con) -> list[tuple]:
    return con.execute("SELECT commitment_id, item_type, item_id, note FROM evidence WHERE method = 'suggested' "
                       "ORDER BY ALL").fetchall()


def from_scratch(con) -> list[tuple]:
    """The suggestions worked out over every item, with no earlier state (then put back as they were)."""
    con.execute("CREATE TEMP TABLE _kept AS SELECT * FROM evidence_item_state")
    con.execute("DELETE FROM evidence_item_state")
    derived.forget(con, evidence_store.STATE)
    evidence.suggest(con)
    full = suggestions(con)
    con.execute("DELETE FROM evidence_item_state")
    con.execute("INSERT INTO evidence_item_state SELECT * FROM _kept")
    con.execute("DROP TABLE _kept")
    return full


class Sources:
    def __init__(self, monkeypatch):
        self.seen: list[str] = []
        real = evidence_store.candidates

        def counting(con, cid, pattern, announced, priorities, limit, source="parliamentary_item"):
            self.seen.append(source)
            return real(con, cid, pattern, announced, priorities, limit, source)

        monkeypatch.setattr(evidence_store, "candidates", counting)


def test_new_items_are_compared_with_the_suggestions_only_and_give_what_a_full_run_gives(con, monkeypatch):
    refresh(con)
    cid, prio, word = con.execute("""
        SELECT c.commitment_id, min(cp.priority_id), min(c.title) FROM commitment c
        JOIN commitment_priority cp USING (commitment_id) JOIN evidence e USING (commitment_id)
        WHERE e.method = 'suggested' GROUP BY 1 ORDER BY 1 LIMIT 1""").fetchone()
    words = evidence.distinctive_words(word)
    text = " ".join(words * 20)  # more mentions than any stored item: it must become a suggestion
    con.execute("INSERT INTO written_question (id, uin, house, date_tabled, date_answered, heading, question_text, "
                "answer_text, url, source_id, retrieved_at) VALUES (99000001, 'X1', 'Commons', '2026-11-20', "
                "'2026-11-25', 'Kinship care', ?, ?, 'https://example.test', 's', now())", [text, text])
    con.execute("INSERT INTO priority_tag (item_type, item_id, priority_id, rule_id, rules_version, method) "
                "VALUES ('question', '99000001', ?, 'test', 'v', 'rule')", [prio])
    sources = Sources(monkeypatch)
    evidence.suggest(con)
    assert sources.seen and set(sources.seen) == {evidence_store.POOL}  # no commitment scanned every item
    incremental = suggestions(con)
    assert (cid, "question", "99000001") in [s[:3] for s in incremental]
    assert incremental == from_scratch(con)

    # a suggested item that changes sends its commitment back to every item
    sources.seen.clear()
    con.execute("UPDATE written_question SET question_text = 'Nothing to do with it.', answer_text = NULL "
                "WHERE id = 99000001")
    evidence.suggest(con)
    assert "parliamentary_item" in sources.seen
    assert (cid, "question", "99000001") not in [s[:3] for s in suggestions(con)]
    assert suggestions(con) == from_scratch(con)


def passages(con) -> list[tuple]:
    return con.execute("SELECT * FROM answer_passage ORDER BY question_id, seq").fetchall()


def test_only_new_or_changed_answers_are_split_and_the_marks_equal_a_full_rebuild(con, monkeypatch):
    refresh(con)
    split = []
    real = novelty.sentences
    monkeypatch.setattr(novelty, "sentences", lambda text: split.append(text) or real(text))
    first, second = [q for (q,) in con.execute(
        "SELECT id FROM written_question WHERE answer_text IS NOT NULL AND NOT coalesce(answer_is_holding, false) "
        "ORDER BY coalesce(date_answered, date_tabled) LIMIT 2").fetchall()]
    # an earlier answer now says what a later one said first: the later one's sentence becomes "repeated"
    later = con.execute("SELECT passage FROM answer_passage WHERE question_id = ? AND status = 'new' AND words > 8 "
                        "ORDER BY seq LIMIT 1", [second]).fetchone()[0]
    con.execute("UPDATE written_question SET answer_text = answer_text || '\n\n' || ? WHERE id = ?", [later, first])
    con.execute("UPDATE written_question SET answer_text = 'A new answer that no minister gave before today.' "
                "WHERE id = 99999999")  # no such question: nothing
    novelty.rebuild_passages(con)
    assert len(split) == 1  # the one changed answer, not every answer
    assert con.execute("SELECT status, first_question_id FROM answer_passage WHERE question_id = ? AND passage = ?",
                       [second, later]).fetchone() == ("repeated", first)
    incremental = passages(con)
    for table in ("answer_sentence", "answer_shingle"):
        con.execute(f"DROP TABLE {table}")
    derived.forget(con, "answer_passage")
    novelty.rebuild_passages(con)
    assert len(split) > 50 and passages(con) == incremental
