"""The ingest's writes are set operations (issue #11): the number of statements does not grow with the batch.

A counting proxy stands between the write path and DuckDB and counts every statement it runs; a batch of ten
rows and a batch of two hundred must cost the same number. No timing is measured.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from kinmon import store
from kinmon.store import parliament as parliament_store


class Counting:
    """Passes every call to the connection, counting execute/executemany (executemany counts its rows)."""

    def __init__(self, con):
        self._con, self.statements = con, 0

    def execute(self, sql, params=None):
        self.statements += 1
        return self._con.execute(sql, params) if params is not None else self._con.execute(sql)

    def executemany(self, sql, params):
        self.statements += len(params)
        return self._con.executemany(sql, params)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "s.duckdb"))
    store.migrate(c)
    yield c
    c.close()


def _questions(con, ids, *, curated: bool) -> list[dict]:
    rows = [store.rows.written_question(
        id=i, uin=f"U{abs(i)}", house="Commons", date_tabled=date(2024, 1, 1 + abs(i) % 28), heading="Kinship care",
        question_text="What support is there for kinship carers?", is_curated=curated,
        url="https://example.test", source_id="s", retrieved_at=datetime(2026, 1, 1)) for i in ids]
    store.insert_rows(con, "written_question", rows)
    return rows


def test_superseding_curated_questions_is_one_join_for_the_whole_batch(con):
    counts = {}
    for n in (10, 200):
        con.execute("DELETE FROM written_question")
        _questions(con, [-i for i in range(1, 4)], curated=True)  # three curated rows, UINs U1..U3
        live = _questions(con, range(1, n + 1), curated=False)  # live rows U1..Un: the first three replace them
        counting = Counting(con)
        assert parliament_store.supersede_curated_questions(counting, live) == 3
        counts[n] = counting.statements
        assert con.execute("SELECT count(*) FROM written_question WHERE is_curated").fetchone() == (0,)
    assert counts[10] == counts[200]
