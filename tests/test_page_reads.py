"""What the pages read from the store while they render (issue #11: pages do no work they need not).

Every cached read runs on a cursor from kinmon.store.cursor; here that cursor is wrapped so each statement a
page runs, and the rows it returned, are recorded. A full table offered for download is read when its
button is clicked, never while the page renders.
"""

from __future__ import annotations

import io
import time
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kinmon import downloads, store
from kinmon.charts import images
from kinmon.config import PROJECT_ROOT
from kinmon.queries import core
from kinmon.queries import members as mq
from kinmon.queries import statistics as stats
from test_pages import open_page

TIMEOUT = 90
EXPORT_MARK = '"Series title"'  # a column only kinmon.queries.statistics.observations_export names


class _Result:
    def __init__(self, rel, log: list, sql: str):
        self._rel, self._log, self._sql = rel, log, sql

    def df(self) -> pd.DataFrame:
        out = self._rel.df()
        self._log.append((self._sql, len(out)))
        return out

    def fetchall(self) -> list:
        out = self._rel.fetchall()
        self._log.append((self._sql, len(out)))
        return out

    def fetchone(self):
        self._log.append((self._sql, 1))
        return self._rel.fetchone()

    def __getattr__(self, name):
        return getattr(self._rel, name)


class _Cursor:
    def __init__(self, cur, log: list):
        self._cur, self._log = cur, log

    def execute(self, sql: str, *args, **kwargs):
        return _Result(self._cur.execute(sql, *args, **kwargs), self._log, sql)

    def __getattr__(self, name):
        return getattr(self._cur, name)


@pytest.fixture
def reads(snapshot_store, use_store, monkeypatch) -> list[tuple[str, int]]:
    """Every (statement, rows returned) a page's cached reads run, on the snapshot store."""
    use_store(snapshot_store)
    log: list[tuple[str, int]] = []
    real = store.cursor
    monkeypatch.setattr(store, "cursor", lambda con: _Cursor(real(con), log))
    return log


def _labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


@pytest.mark.parametrize("path, params", [("pages/priorities.py", {"priority": "2"}),
                                          ("pages/statistics.py", {})])
def test_a_series_full_export_is_read_on_click_not_with_the_page(reads, path, params, snapshot_store):
    # every value of a series, every vintage and area (67,200 rows, 50 MB a series at 100x), was read, cached
    # and unpickled on every render of the Priority and Statistics pages, for a button few press
    at = open_page(path, **params)
    assert reads, "the page's reads are recorded"
    assert not [sql for sql, _ in reads if EXPORT_MARK in sql]
    assert "Full CSV" in _labels(at) and "Full XLSX" in _labels(at)  # still offered


def test_the_members_full_table_is_read_on_click_not_with_the_page(reads):
    # with a party chosen, the page showed that party's members and read every member as well, for the
    # "Full" buttons; now it reads only what it shows
    at = open_page("pages/members.py", party="Labour")
    assert "Full CSV" in _labels(at)
    activity = [n for sql, n in reads if "appg_membership" in sql and "FULL OUTER JOIN" in sql]
    assert len(activity) == 1


def test_a_deferred_full_export_builds_every_row_when_clicked(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        sid = con.execute("SELECT series_id FROM observation GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        expected = stats.observations_export(con, sid)
        activity = mq.member_activity(con, None, None)
    finally:
        con.close()
    built = downloads.query_file(snapshot_store, stats.observations_export, (sid,), "csv", f"{sid}-full", "t")()
    assert len(pd.read_csv(io.BytesIO(built))) == len(expected) > 0
    built = downloads.query_file(snapshot_store, mq.member_activity, (None, None), "csv", "members-full", "t")()
    assert len(pd.read_csv(io.BytesIO(built))) == len(activity)


@pytest.mark.skipif(not images.available(), reason="no Chromium for kaleido: no PNG/SVG buttons to check")
def test_a_page_with_charts_starts_no_image_browser(snapshot_store, use_store, monkeypatch):
    # the chart-image browser (kaleido's Chromium, about 260 MB and 1.5 CPU-seconds to start) was started, and
    # a figure drawn, in the background of the first chart's render: every first reader of a server paid for it
    import kaleido

    use_store(snapshot_store)
    calls = []
    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **k: calls.append("start"))
    monkeypatch.setattr(kaleido, "calc_fig_sync", lambda *a, **k: calls.append("draw") or b"")
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT).run()
    assert not at.exception and at.get("plotly_chart")
    assert "PNG" in _labels(at) and "SVG" in _labels(at)  # still offered, drawn when clicked
    time.sleep(1)  # a background start would have begun by now
    assert calls == []


def test_what_changed_lists_the_newest_and_counts_them_all(tmp_path, snapshot_store, use_store):
    # at 100x a year of changes on one priority is 16,440 rows, all sent to the browser in one table
    import duckdb
    import shutil

    db = tmp_path / "kinmon.duckdb"
    shutil.copy(snapshot_store, db)
    con = duckdb.connect(str(db))
    con.execute("""INSERT INTO timeline_event (event_id, date, date_precision, title, type, priorities, source_title,
                                               source_url)
                   SELECT 'bench-' || i, DATE '2026-06-01' + CAST(i % 90 AS INTEGER), 'day', 'Event ' || i, 'report',
                          [2], 'A source', 'https://www.gov.uk/e' || i FROM range(700) t(i)""")
    con.close()
    use_store(db)
    con = store.connect_readonly(db)
    try:
        every = core.changes_since(con, date(2000, 1, 1), 2)
        assert core.changes_count(con, date(2000, 1, 1), 2) == len(every) > 700
        assert core.changes_since(con, date(2000, 1, 1), 2, limit=5).equals(every.head(5))
    finally:
        con.close()
    at = open_page("pages/priorities.py", priority="2", since="2000-01-01", tab="What changed")
    shown = [df.value for df in at.dataframe if "What changed" in df.value.columns or "what" in df.value.columns]
    assert shown and max(len(v) for v in shown) <= 500
    assert any(f"{len(every):,} changes" in m.value for m in at.markdown)
    assert "Full CSV" in _labels(at)


def test_parliament_tables_of_late_and_holding_answers_are_cut_at_500_and_counted(tmp_path, snapshot_store, use_store):
    # at 100x: 4,272 named-day questions late and 1,955 holding answers, every row sent with the page
    import duckdb
    import shutil

    from kinmon.queries import parliament as pq

    db = tmp_path / "kinmon.duckdb"
    shutil.copy(snapshot_store, db)
    con = duckdb.connect(str(db))
    for k in range(1, 7):  # six copies of every question, each a holding answer
        con.execute(f"""INSERT INTO written_question SELECT * REPLACE (id + {k} * 10000000 AS id, uin || '-{k}' AS uin,
                        true AS answer_is_holding) FROM written_question WHERE id > 0 AND id < 10000000""")
    con.close()
    use_store(db)
    con = store.connect_readonly(db)
    try:
        every = pq.holding_answers(con)
        assert pq.holding_answers_count(con) == len(every) > 500
        assert list(pq.holding_answers(con, limit=7)["id"]) == list(every["id"].head(7))
        late = pq.named_day_late(con, today=date(2030, 1, 1))
        assert pq.named_day_late_count(con, today=date(2030, 1, 1)) == len(late)
        assert list(pq.named_day_late(con, today=date(2030, 1, 1), limit=3)["id"]) == list(late["id"].head(3))
    finally:
        con.close()
    at = open_page("pages/parliament.py")
    held = [df.value for df in at.dataframe if "still_holding" in df.value.columns or "Still holding" in df.value.columns]
    assert held and len(held[0]) == 500
    assert any(f"of {len(every):,} are shown" in c.value for c in at.caption)
    assert f"All {len(every):,}, CSV" in _labels(at)


def test_the_data_page_counts_rows_per_source_once_per_store_version(reads):
    # the 'Sources and their last runs' table counted every source's rows (LIKE scans of every question and
    # observation, 13 counts) on every render, uncached, on a connection of its own
    counts = "SELECT count(*) FROM observation WHERE source_id LIKE 'ees:%'"
    first = open_page("pages/data.py")
    first.run()  # the same reader again
    open_page("pages/data.py")  # and another reader
    assert sum(1 for sql, _ in reads if sql == counts) == 1
    table = next(df.value for df in first.dataframe if "rows_held" in df.value.columns or "Rows held" in df.value.columns)
    assert len(table) == 4  # snapshot, parliament, statistics, file
