"""The search index kept inside the store: built once, then updated for what changed only, and read from the file."""

from datetime import date, datetime

import duckdb

from kinmon import search, store
from kinmon.queries import search as read


def _store(path):
    con = duckdb.connect(str(path))
    store.migrate(con)
    for qid, heading, text in ((1, "Kinship Care", "What support is there for special guardianship carers?"),
                               (2, "Adoption", "What is the adoption support fund budget?")):
        con.execute("INSERT INTO written_question (id, uin, house, date_tabled, heading, question_text, url, source_id, "
                    "retrieved_at) VALUES (?, ?, 'Commons', ?, ?, ?, 'https://example.test', 's', ?)",
                    [qid, str(qid), date(2024, 1, qid), heading, text, datetime(2026, 1, 1)])
    return con


def ids(df):
    return list(df["item_id"])


def test_index_is_incremental_and_travels_with_the_store(tmp_path):
    con = _store(tmp_path / "a.duckdb")
    search.rebuild_index(con)
    first = read.generation(con)
    assert first and ids(search.search(con, "guardian")) == ["1"]  # an open word end finds "guardianship"
    search.rebuild_index(con)
    assert read.generation(con) == first  # nothing changed: nothing rewritten
    con.execute("UPDATE written_question SET question_text = 'What is the kinship allowance?' WHERE id = 1")
    con.execute("DELETE FROM written_question WHERE id = 2")
    search.rebuild_index(con)
    assert read.generation(con) != first
    assert ids(search.search(con, "guardianship")) == [] and ids(search.search(con, "allowance")) == ["1"]
    assert ids(search.search(con, "adoption")) == [] and ids(search.search(con, "")) == ["1"]
    assert con.execute("SELECT documents FROM search_index_meta").fetchone()[0] == 1
    con.close()
    # the index is inside the file: a reader of the published file alone finds the same
    reader = store.connect_readonly(tmp_path / "a.duckdb")
    try:
        assert search.has_fts_index(reader) and ids(search.search(reader, '"kinship allowance"')) == ["1"]
        facets = search.facet_table(reader, "kinship", ("item_type", "priority", "house"))
        assert dict(zip(facets["house"]["value"], facets["house"]["n"])) == {"Commons": 1}
        assert facets["priority"].empty
    finally:
        reader.close()


def test_a_store_without_an_index_is_scanned(tmp_path):
    con = _store(tmp_path / "b.duckdb")
    search.rebuild_index(con)
    con.execute("DROP TABLE search_index_meta")
    assert not search.has_fts_index(con)
    assert ids(search.search(con, "guardian")) == ["1"]
    assert dict(zip(*search.facet_counts(con, "support", "item_type").values.T)) == {"question": 2}
