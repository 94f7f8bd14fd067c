"""How the pages' heavy reads are planned (issue #11), checked on DuckDB's own profile of each query rather
than on a clock: what a query does with the rows, not how long a busy machine takes to do it.

`profile(con, fn, *args)` runs a kinmon.queries function with DuckDB's JSON profiler on and returns every
operator of every statement it ran: its type, the rows it produced and its details (join conditions,
aggregates, filters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinmon import store
from kinmon.queries import parliament as pq


@pytest.fixture(scope="module")
def con(snapshot_store):
    c = store.connect_readonly(snapshot_store)
    yield c
    c.close()


def profile(con, tmp_path: Path, fn, *args, **kwargs) -> list[dict]:
    out = tmp_path / "profile.json"
    con.execute("PRAGMA enable_profiling='json'")
    con.execute(f"PRAGMA profiling_output='{out}'")
    try:
        fn(con, *args, **kwargs)
    finally:
        con.execute("PRAGMA disable_profiling")
    ops: list[dict] = []

    def walk(node: dict) -> None:
        if node.get("operator_type"):
            ops.append({"type": node["operator_type"], "rows": node.get("operator_cardinality", 0),
                        "info": json.dumps(node.get("extra_info", {}))})
        for child in node.get("children", []):
            walk(child)

    walk(json.loads(out.read_text()))  # the profile of the last statement the function ran
    return ops


def test_a_word_filter_is_a_hash_join_of_the_found_ids_not_a_list_scan_per_row(con, tmp_path):
    # list_contains(found_ids, q.id) looked through the whole list for every question: quadratic, 4 s for one
    # count at 100,000 questions with 74,000 found; the ids are now joined
    found = pq.matching_question_ids(con, "kinship")
    assert found, "the snapshot has questions on kinship"
    ops = profile(con, tmp_path, pq.question_summary, None, None, None, "kinship")
    assert not any("list_contains" in op["info"] for op in ops)
    joins = [op for op in ops if op["type"] == "HASH_JOIN" and '"id = ' in op["info"]]
    assert joins and joins[0]["rows"] == len(found)
    assert pq.question_summary(con, words="kinship").iloc[0]["questions"] == len(found)


@pytest.mark.parametrize("fn, limit", [(pq.latest_questions, 3), (pq.questions_export, 4)])
def test_the_newest_rows_are_picked_before_their_priorities_and_passages_are_counted(con, tmp_path, fn, limit):
    # the per-row columns (priorities from priority_tag, answer passages said before) were computed for every
    # question and the LIMIT taken after: at 100,000 questions 1.2 s for the newest 500
    total = pq.question_summary(con).iloc[0]["questions"]
    assert total > 10 * limit
    ops = profile(con, tmp_path, fn, limit=limit)
    aggregates = [op for op in ops if op["type"] == "HASH_GROUP_BY"
                  and any(f in op["info"] for f in ("string_agg(", "count_star("))]
    assert aggregates, "priorities are aggregated per question"
    assert max(op["rows"] for op in aggregates) <= limit
    assert len(fn(con, limit=limit)) == limit
    assert list(fn(con, limit=limit)["id"]) == list(fn(con)["id"].head(limit))


def test_the_members_word_filter_joins_the_found_ids_too(con, tmp_path):
    from kinmon.queries import members

    ops = profile(con, tmp_path, members.member_activity, None, None, "kinship")
    assert not any("list_contains" in op["info"] for op in ops)
    assert len(members.member_activity(con, words="kinship")) > 0
