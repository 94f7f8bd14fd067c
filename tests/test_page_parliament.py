"""The Parliament page (AppTest) on a store built from the snapshot, then fed by a replayed Parliament ingest."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT
from kinmon.queries import parliament as pq
from kinmon.ui import OPL_ATTRIBUTION
from replay import ReplayServer
from test_parliament_ingest import SERVICES, FakeParliament, run

PAGE = str(PROJECT_ROOT / "pages" / "parliament.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def stores(snapshot_store):
    """Two stores: the snapshot alone, and the snapshot plus a replayed live ingest."""
    curated = snapshot_store
    live = curated.parent / "live.duckdb"
    shutil.copyfile(curated, live)
    server = ReplayServer().start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for name in SERVICES:
                mp.setenv(name, server.url)
            mp.setenv("KINMON_HTTP_MIN_INTERVAL", "0")
            FakeParliament(server)
            assert run(live).rows_added == 12
    finally:
        server.stop()
    return {"curated": curated, "live": live}


@pytest.fixture
def open_page(stores, use_store):
    def _open(which: str = "live", **params: str) -> AppTest:
        use_store(stores[which])
        at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return _open


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_page_shows_live_and_curated_questions_with_links_and_sources(open_page, stores):
    at = open_page()
    assert at.title[0].value == "What is Parliament asking about kinship care, and how quickly does government answer?"
    con = duckdb.connect(str(stores["live"]), read_only=True)
    try:
        total = pq.question_summary(con).iloc[0]
    finally:
        con.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Questions tabled"] == str(int(total["questions"]))
    assert metrics["Answered"] == str(int(total["answered"]))
    assert int(total["questions"]) > 20  # the snapshot's transcribed questions and the five live ones
    assert len(at.get("plotly_chart")) == 4
    text = markdown(at)
    frames = [df.value for df in at.dataframe]
    assert any("title" in f.columns and "Kinship Care Update" in set(f["title"]) for f in frames)
    assert any("title" in f.columns and "Kinship Care" in set(f["title"]) for f in frames)
    assert OPL_ATTRIBUTION in captions(at)
    assert "Retrieved" in text


def test_latest_questions_link_to_the_record_with_plain_escaped_answers(open_page):
    at = open_page(**{"from": "2024-01-01", "to": "2024-03-31"})
    # the five live ones tabled Jan to Mar 2024, and three curated ones whose source shows only the month
    # (February or March 2024: 1687629, 1691650, 1697105)
    assert {m.label: m.value for m in at.metric}["Questions tabled"] == "8"
    text = markdown(at)
    link = "https://questions-statements.parliament.uk/written-questions/detail/2024-01-10/10001"
    assert f"({link})" in text
    assert "Kinship Care: Allowances" in text.replace("\\", "")
    for bad in ("<script", "onclick", "javascript:"):
        assert bad not in text and bad not in captions(at)
    answer = next(c.value for c in at.caption if c.value.startswith("Answer: The department has no plans"))
    # From the sanitised plain text, markdown-escaped: the script, handler and javascript: link are gone.
    assert answer == ("Answer: The department has no plans to introduce a kinship allowance.\n\n"
                      "See this and the guidance.\n\nYear\tKinship carers\n2023\t141,000")


def test_breakdown_by_party_uses_party_at_the_time(open_page):
    at = open_page()
    at.selectbox(key="by__w").set_value("party").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "party" in df.value.columns)
    assert "Labour" in set(table["party"])  # Jane Doe was Labour when she asked, Independent now
    assert at.query_params["by"] in ("party", ["party"])


def test_priority_filter_narrows_every_view(open_page, stores):
    con = duckdb.connect(str(stores["live"]), read_only=True)
    try:
        everything = int(pq.question_summary(con).iloc[0]["questions"])
        counts = {p: int(pq.question_summary(con, priority=p).iloc[0]["questions"]) for p in range(1, 8)}
    finally:
        con.close()
    # The shipped rules decide the tags: take the priority with the fewest questions that has some.
    priority, expected = min(((p, n) for p, n in counts.items() if 0 < n < everything), key=lambda pn: pn[1])
    at = open_page(priority=str(priority))
    assert {m.label: m.value for m in at.metric}["Questions tabled"] == str(expected)
    table = next(df.value for df in at.dataframe if "question_text" in df.value.columns)
    assert len(table) == expected and all(str(priority) in p.split(";") for p in table["priorities"])


def test_snapshot_only_store_shows_its_statements_and_what_is_not_recorded(open_page):
    at = open_page("curated")
    statements = next(df.value for df in at.dataframe if "date_made" in df.value.columns)
    assert len(statements) == 3 and "Janet Daby" in set(statements["member_name"])
    text = markdown(at)
    assert "asked by not recorded" in text and "in June 2026 (day not recorded)" in text
    assert any(c.value.startswith("What is new in this answer: ") for c in at.caption)


def test_words_narrow_the_page_to_the_researchers_question(open_page):
    at = open_page("curated", q='"special guardian" allowance OR allowances')
    assert {m.label: m.value for m in at.metric}["Questions tabled"] == "5"
    at = open_page("curated", q='"special guardian" allowance OR allowances', **{"from": "2023-12-01"})
    assert {m.label: m.value for m in at.metric}["Questions tabled"] == "2"  # the two known to be since then
    assert any("From kinmon's curated snapshot" in c.value for c in at.caption)
