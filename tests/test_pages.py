"""Every page through the real navigation (AppTest on dashboard.py), on a store built from the snapshot:
each renders real content without an exception, and its URL parameters restore the view."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT
from helpers import build_store, copy_snapshot

TIMEOUT = 90


@pytest.fixture(autouse=True)
def _on_snapshot_store(snapshot_store, use_store):
    use_store(snapshot_store)


def open_page(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if path != "pages/home.py":
        at.switch_page(path)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_home_shows_a_card_per_priority_with_a_verdict():
    at = open_page("pages/home.py")
    assert at.title[0].value == "Is the government delivering on kinship care?"
    text = all_markdown(at)
    for n in range(1, 8):
        assert f"**{n}. " in text
    assert "commitments delivered" in text or "commitment delivered" in text
    assert len(at.get("plotly_chart")) == 2
    assert any("Data as of: snapshot compiled" in c.value for c in at.caption)


@pytest.mark.parametrize("priority", [2, 4, 7])
def test_priority_page_shows_the_chosen_priority(priority):
    # URL seeding of bound widgets is done by the browser session (tested in test_browser.py); here the
    # widget's own state drives the view.
    at = open_page("pages/priorities.py")
    at.selectbox(key="priority__w").set_value(priority).run()
    assert not at.exception
    assert at.title[0].value.startswith(f"Priority {priority}: ")


@pytest.mark.parametrize("priority", ["2", "4", "7"])
def test_priority_page_is_linkable_by_url(priority):
    at = open_page("pages/priorities.py", priority=priority)
    assert at.title[0].value.startswith(f"Priority {priority}: ")


def test_changing_a_filter_writes_it_to_the_url():
    at = open_page("pages/priorities.py")
    at.selectbox(key="priority__w").set_value(5).run()
    assert at.query_params["priority"] in ("5", ["5"])


def test_priority_page_ignores_a_nonsense_parameter_with_a_notice():
    at = open_page("pages/priorities.py", priority="99; DROP TABLE priority")
    assert at.title[0].value.startswith("Priority 1: ")
    assert any("Ignored the link's priority" in i.value for i in at.info)


def test_priority_two_lists_commitments_history_and_evidence():
    at = open_page("pages/priorities.py", priority="2")
    frames = [df.value for df in at.dataframe]
    titles = set().union(*[set(f["title"]) for f in frames if "title" in f.columns])
    assert "Kinship allowance pilot (trial)" in titles or any("allowance" in t.lower() for t in titles)
    assert any("status_label" in f.columns for f in frames)


def test_timeline_filters_by_priority():
    at = open_page("pages/timeline.py")
    at.selectbox(key="priority__w").set_value("3").run()
    assert "for priority 3" in all_markdown(at)
    frames = [df.value for df in at.dataframe if "priorities" in df.value.columns]
    assert frames and all("3" in p.split(";") for p in frames[0]["priorities"])


def test_search_finds_ranks_and_filters():
    at = open_page("pages/explore.py")
    at.text_input(key="q__w").input('"kinship allowance"').run()
    assert not at.exception
    text = all_markdown(at).replace("\\", "")
    assert 'results** for "kinship allowance"' in text
    at.multiselect(key="priority__w").set_value([2]).run()
    table = [df.value for df in at.dataframe if "priorities" in df.value.columns][0]
    assert len(table) > 0 and all("2" in p.split(";") for p in table["priorities"])
    assert f"**{len(table)} results**" in all_markdown(at)


def test_search_view_is_restored_from_the_url():
    at = open_page("pages/explore.py", q="allowance", priority="2")
    assert at.text_input(key="q__w").value == "allowance"
    assert at.multiselect(key="priority__w").value == [2]
    table = [df.value for df in at.dataframe if "priorities" in df.value.columns][0]
    assert len(table) > 0 and all("2" in p.split(";") for p in table["priorities"])


def test_search_ignores_a_stale_link_parameter_with_a_notice():
    at = open_page("pages/explore.py", house="Narnia")
    assert any("Ignored the link's house Narnia" in i.value for i in at.info)


@pytest.mark.parametrize("path, title", [
    ("pages/members.py", "Who in Parliament is acting on kinship care?"),
    ("pages/changelog.py", "What changed, and when?"),
    ("pages/data.py", "Data & downloads"),
    ("pages/about.py", "About kinmon"),
])
def test_other_pages_render_real_content(path, title):
    at = open_page(path)
    assert at.title[0].value == title
    assert len(at.dataframe) >= 1
    assert all(len(df.value) > 0 for df in at.dataframe[:1])


def test_hostile_upstream_text_is_escaped(tmp_path, use_store):
    data = copy_snapshot(tmp_path / "data")
    lines = (data / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):  # every heading, so whichever questions the page lists carry it
        record = json.loads(line)
        record["heading"] = "<script>alert(1)</script>[click](javascript:alert(2))"
        lines[i] = json.dumps(record)
    (data / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    build_store(db, data)
    use_store(db)
    at = open_page("pages/priorities.py")
    at.selectbox(key="priority__w").set_value(2).run()
    text = all_markdown(at)
    assert "<script>" not in text and "[click](javascript:" not in text and "\\[click\\]" in text
    assert "&lt;script&gt;" in text


def test_timeline_view_round_trips_through_the_url():
    at = open_page("pages/timeline.py")
    at.selectbox(key="priority__w").set_value("3").run()
    at.multiselect(key="types__w").set_value(["funding", "legislation"]).run()
    at.date_input(key="from__w").set_value(date(2024, 1, 1)).run()
    params = {k: v for k, v in at.query_params.items()}
    assert params["priority"] in ("3", ["3"]) and params["from"] in ("2024-01-01", ["2024-01-01"])
    shown = [df.value for df in at.dataframe if "priorities" in df.value.columns][0]

    again = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    again.run()
    again.switch_page("pages/timeline.py")
    for k, v in params.items():
        again.query_params[k] = v
    again.run()
    assert again.selectbox(key="priority__w").value == "3"
    assert again.multiselect(key="types__w").value == ["funding", "legislation"]
    assert again.date_input(key="from__w").value == date(2024, 1, 1)
    restored = [df.value for df in again.dataframe if "priorities" in df.value.columns][0]
    assert restored.equals(shown)
    assert set(restored["type"]) <= {"funding", "legislation"} and len(restored) > 0


def test_a_record_and_a_toggle_are_linkable_too():
    at = open_page("pages/explore.py", q="allowance", doc="question:-1")
    assert at.selectbox(key="doc__w").value == "question:-1"
    assert any("Kinship Care" in m.value and "57218" in m.value for m in at.markdown)
    stats_page = open_page("pages/statistics.py", vintages="1")
    assert stats_page.toggle(key="vintages__w").value is True
    nonsense = open_page("pages/statistics.py", vintages="maybe")
    assert nonsense.toggle(key="vintages__w").value is False
    assert any("Ignored the link's show earlier releases' values too maybe" in i.value for i in nonsense.info)


def _all_text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def test_a_tagged_question_with_no_answer_yet_does_not_break_the_priority_page(tmp_path, use_store):
    import re

    # issue #13 fault 4: the page took len() of the missing answer (NaN) of an unanswered question
    data = copy_snapshot(tmp_path / "data")
    lines = (data / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])  # "Kinship Care", tagged to priority 2
    first.pop("answerText")
    first["dateAnswered"] = None
    first["dateTabled"] = "2026-11-20"  # the newest, so its card is among those shown
    first["answeringMember"] = None
    lines[0] = json.dumps(first)
    (data / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    build_store(db, data)
    use_store(db)
    at = open_page("pages/priorities.py", priority="2")
    text = all_markdown(at)
    assert "**Kinship Care** · Commons · asked by Andrew Gwynne (Independent) · not yet answered" in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)


def test_home_and_the_priority_page_count_the_same_items(snapshot_store):
    import re

    from helpers import rows

    # every tagged record, dated or not, counted once (what the old Home card missed: undated ones)
    questions, debates = rows(snapshot_store, """
        SELECT count(DISTINCT item_id) FILTER (WHERE item_type = 'question'),
               count(DISTINCT item_id) FILTER (WHERE item_type = 'debate')
        FROM priority_tag WHERE priority_id = 2""")[0]
    assert questions > 0 and debates > 0
    home = open_page("pages/home.py")
    cards = [c.value for c in home.caption if c.value.startswith("Tagged to this priority:")]
    assert cards[1].startswith(f"Tagged to this priority: {questions} written questions, {debates} debates")
    page = open_page("pages/priorities.py", priority="2")
    line = next(m.value for m in page.markdown if "are tagged to this priority" in m.value)
    assert re.match(rf"\*\*{questions} written questions\*\*, \*\*{debates} debates\*\*", line)


def test_the_changelog_counts_only_real_status_changes():
    at = open_page("pages/changelog.py")
    table = [df.value for df in at.dataframe if "from_status" in df.value.columns][0]
    assert len(table) > 0 and not (table["from_status"] == table["to_status"]).any()
    assert f"**{len(table)} status changes**" in all_markdown(at)


def test_search_facet_counts_honour_the_date_filters():
    at = open_page("pages/explore.py", tabled_from="2030-01-01")
    assert "**0 results**" in all_markdown(at)
    for ms in at.multiselect:
        assert all(opt.endswith("(0)") for opt in ms.options), (ms.label, ms.options[:3])


@pytest.mark.parametrize("path, params", [
    ("pages/home.py", {}), ("pages/priorities.py", {"priority": "2"}), ("pages/priorities.py", {"priority": "5"}),
    ("pages/parliament.py", {}), ("pages/statistics.py", {}), ("pages/members.py", {"find": "Gwynne"}),
    ("pages/timeline.py", {}), ("pages/changelog.py", {}), ("pages/explore.py", {"q": "allowance"}),
    ("pages/data.py", {}), ("pages/about.py", {}),
])
def test_no_page_shows_nan_or_none_and_every_table_has_plain_column_names(path, params):
    import re

    at = open_page(path, **params)
    text = re.sub(r"\]\([^)\s]*\)", "]", _all_text(at))  # what a reader reads, not the link targets
    assert not re.search(r"\bnan\b|\bNaN\b|\bNone\b", text), re.findall(r".{40}\b(?:nan|NaN|None)\b.{20}", text)[:3]
    for df in at.dataframe:
        frame = df.value
        assert not frame.isna().any().any(), (path, [c for c in frame.columns if frame[c].isna().any()])
        config = json.loads(df.proto.columns or "{}")
        unnamed = [c for c in frame.columns if "_" in str(c) and not (config.get(c) or {}).get("label")]
        if path != "pages/data.py":  # the Data page shows a stored table under its own column names
            assert not unnamed, (path, unnamed)
    if path == "pages/timeline.py":
        assert "Stable Homes, Built on Love (SHBoL" in text or "SHBoL" not in text
    assert "and " in text or "Sources" in text  # the footer is drawn


def test_the_changes_since_date_is_restored_from_the_url_and_a_bad_one_gets_a_notice():
    at = open_page("pages/priorities.py", priority="2", since="2025-01-31")
    assert at.text_input(key="since__w").value == "2025-01-31"
    bad = open_page("pages/priorities.py", priority="2", since="31/01/2025")
    assert bad.text_input(key="since__w").value == ""
    assert any("Ignored the link's what changed since" in i.value for i in bad.info)


def test_the_data_page_lists_kinmons_bookkeeping_tables_apart_from_the_records(snapshot_store):
    import duckdb

    from kinmon.queries.core import BOOKKEEPING_TABLES, table_inventory

    with duckdb.connect(str(snapshot_store), read_only=True) as con:
        inventory = table_inventory(con)
    # every bookkeeping name is a table a store built from the snapshot has (a stale or misspelt entry fails)
    assert set(BOOKKEEPING_TABLES) <= set(inventory["table"])
    assert inventory["bookkeeping"].notna().sum() == len(BOOKKEEPING_TABLES)
    at = open_page("pages/data.py")
    shown = [set(df.value["table"]) for df in at.dataframe if "table" in df.value.columns]
    records, kept = shown[0], shown[1]
    assert "written_question" in records and "priority_tag" in records
    assert not records & set(BOOKKEEPING_TABLES)
    assert kept == set(BOOKKEEPING_TABLES)
    assert any(f"bookkeeping: {len(BOOKKEEPING_TABLES)} tables" in e.label for e in at.expander)
