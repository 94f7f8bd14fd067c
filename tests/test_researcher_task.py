"""The APPG researcher's first task, on the shipped snapshot, offline, through the query layer:
"every written question on special guardianship allowances since December 2023, by party and department".

What the sources show is what comes back: 5 questions mention special guardians and an allowance; two were
tabled in months after December 2023 (the mirror shows the month, not the day), three have no recorded date
and are listed as such; one asker is recorded (Lord Hampton, Crossbench); three departments are recorded.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from kinmon import search
from kinmon.queries import members
from kinmon.queries import parliament as pq

TASK = '"special guardian" allowance OR allowances'
SINCE = date(2023, 12, 1)


@pytest.fixture(scope="module")
def con(snapshot_store):
    connection = duckdb.connect(str(snapshot_store), read_only=True)
    yield connection
    connection.close()


def test_search_page_query_finds_the_questions_with_what_is_recorded(con):
    found = search.results(con, TASK, item_types=("question",), tabled_from=SINCE, include_undated=True)
    def known(v):  # pandas shows a missing value as NaN or NaT
        return None if v is None or v != v else v
    got = sorted((int(r.item_id), known(r.date) and r.date.date(), known(r.member), known(r.party),
                  known(r.department)) for r in found.itertuples())
    assert got == [
        (-24, None, "Lord Hampton", "Crossbench", "Department for Education"),
        (-10, None, None, None, "Department for Education"),
        (-8, None, None, None, "Department for Education"),
        (1797053, date(2025, 4, 1), None, None, None),
        (1813580, date(2025, 6, 1), None, None, None),
    ]
    dated = search.results(con, TASK, item_types=("question",), tabled_from=SINCE)
    assert sorted(int(i) for i in dated["item_id"]) == [1797053, 1813580]  # the two known to be since December 2023
    by_party = search.facet(con, TASK, "party", item_types=("question",), tabled_from=SINCE, include_undated=True)
    assert list(by_party.itertuples(index=False, name=None)) == [("Not recorded", 4), ("Crossbench", 1)]
    by_department = search.facet(con, TASK, "department", item_types=("question",), tabled_from=SINCE,
                                 include_undated=True)
    assert list(by_department.itertuples(index=False, name=None)) == [("Department for Education", 3),
                                                                       ("Not recorded", 2)]
    # "Not recorded" is a value the researcher can pick, to see what the record does not say
    unknown = search.results(con, TASK, item_types=("question",), parties=("Not recorded",))
    assert sorted(int(i) for i in unknown["item_id"]) == [-10, -8, 1797053, 1813580]


def test_parliament_page_queries_break_it_down_by_party_and_department(con):
    assert list(pq.questions_by(con, "party", SINCE, None, None, TASK).itertuples(index=False, name=None)) == [
        ("Not recorded", 2, 2)]
    assert list(pq.questions_by(con, "department", None, None, None, TASK).itertuples(index=False, name=None)) == [
        ("Department for Education", 3, 3), ("Not recorded", 2, 2)]
    assert list(pq.questions_by(con, "party", None, None, None, TASK).itertuples(index=False, name=None)) == [
        ("Not recorded", 4, 4), ("Crossbench", 1, 1)]
    monthly = pq.questions_per_month(con, SINCE, None, None, TASK)
    assert [(m.date(), n) for m, n in zip(monthly["month"], monthly["tabled"]) if n] == [
        (date(2025, 4, 1), 1), (date(2025, 6, 1), 1)]


def test_asks_of_mps_queries_name_the_one_recorded_asker(con):
    asked = members.member_activity(con, words=TASK)
    assert list(asked[["member", "house", "party", "member_from", "questions"]].itertuples(index=False, name=None)) == [
        ("Lord Hampton", "Lords", "Crossbench", "Excepted Hereditary", 1)]
    assert list(members.questions_by_party(con, TASK).itertuples(index=False, name=None)) == [
        ("Not recorded", "Commons", 4), ("Crossbench", "Lords", 1)]


def test_asks_of_mps_page_answers_it_too(snapshot_store, use_store):
    from streamlit.testing.v1 import AppTest

    from kinmon.config import PROJECT_ROOT

    use_store(snapshot_store)
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "members.py"), default_timeout=60)
    at.query_params["topic"] = TASK
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "questions" in df.value.columns and "member" in df.value.columns)
    assert list(table["member"]) == ["Lord Hampton"] and list(table["questions"]) == [1]
