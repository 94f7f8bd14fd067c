"""Search on a known store: the query language, ranking, filters, facet counts, highlighting and safety."""

from datetime import date, datetime

import duckdb
import pytest

from kinmon import search, store

NOW = datetime(2026, 11, 1)
QUESTIONS = [
    # id, house, tabled, answered, heading, question, answer, party, department, named_day, holding
    (1, "Commons", date(2024, 1, 10), date(2024, 1, 20), "Kinship Care", "What support is there for kinship carers?",
     "The kinship allowance pilot will support kinship families.", "Labour", "Department for Education", False, False),
    (2, "Commons", date(2024, 2, 10), date(2024, 2, 12), "Special Guardianship",
     "How many special guardianship orders were made?", "Data on special guardianship are published.",
     "Liberal Democrat", "Ministry of Justice", True, False),
    (3, "Lords", date(2024, 3, 10), None, "Adoption", "What is the budget of the adoption support fund?",
     None, "Conservative", "Department for Education", False, False),
    (4, "Commons", date(2024, 4, 10), date(2024, 4, 30), "Kinship Care: Allowances",
     "Will the kinship allowance be extended? Kinship carers ask.", "A holding answer.", "Labour",
     "Department for Education", False, True),
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect(":memory:")
    store.migrate(c)
    for qid, house, tabled, answered, heading, q, a, party, dept, named, holding in QUESTIONS:
        c.execute("""INSERT INTO written_question (id, uin, house, date_tabled, date_answered, heading, question_text,
                     answer_text, asking_member_name, asking_member_party, answering_body_name, is_named_day,
                     answer_is_holding, url, source_id, retrieved_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 's', ?)""",
                  [qid, str(qid), house, tabled, answered, heading, q, a, f"Member {qid}", party, dept, named,
                   holding, f"https://example.test/q/{qid}", NOW])
    c.execute("""INSERT INTO debate VALUES ('D1', '2024-03-06', 'Commons', 'Westminster Hall', 'Kinship Care Strategy',
                 ['A Member'], false, NULL, 'https://example.test/d', 's', ?)""", [NOW])
    c.execute("INSERT INTO priority_tag VALUES ('question', '1', 2, 'r', 'v', 'rule'), ('question', '4', 2, 'r', 'v', 'rule'),"
              " ('question', '4', 7, 'r', 'v', 'rule'), ('question', '2', 5, 'r', 'v', 'rule')")
    search.rebuild_index(c)
    yield c
    c.close()


def ids(df):
    return [f"{t}:{i}" for t, i in zip(df["item_type"], df["item_id"])]


@pytest.mark.parametrize("text, groups, excluded", [
    ("kinship allowance", [["kinship"], ["allowance"]], []),
    ('"special guardianship" -adoption', [["special guardianship"]], ["adoption"]),
    ("allowance OR fund", [["allowance", "fund"]], []),
    ("kinship NOT allowance", [["kinship"]], ["allowance"]),
    ("kinship AND carers", [["kinship"], ["carers"]], []),
    ("'; DROP TABLE written_question; --", [["drop"], ["table"], ["written_question"]], []),
    ("", [], []),
])
def test_parse_query(text, groups, excluded):
    q = search.parse_query(text)
    assert q.groups == groups and q.excluded == excluded


def test_fts_index_is_built():
    assert search.fts_extension_path() is not None  # duckdb-ext-fts is a pinned requirement


def test_and_phrase_or_and_exclusion(con):
    assert ids(search.search(con, "kinship allowance")) == ["question:4", "question:1"]
    assert ids(search.search(con, '"special guardianship"')) == ["question:2"]
    assert sorted(ids(search.search(con, "allowance OR fund"))) == ["question:1", "question:3", "question:4"]
    assert "question:4" not in ids(search.search(con, "kinship -allowance"))
    assert ids(search.search(con, "kinship -allowance")) == ["debate:D1"]


def test_ranking_prefers_more_mentions_with_and_without_fts(con, monkeypatch):
    # question 1 says "kinship" four times, question 4 three times, the debate once
    assert ids(search.search(con, "kinship")) == ["question:1", "question:4", "debate:D1"]
    monkeypatch.setattr(search, "has_fts_index", lambda c: False)
    assert ids(search.search(con, "kinship")) == ["question:1", "question:4", "debate:D1"]


def test_filters(con):
    f = search.Filters(houses=("Lords",))
    assert ids(search.search(con, "", f)) == ["question:3"]
    assert ids(search.search(con, "", search.Filters(priorities=(7,)))) == ["question:4"]
    assert ids(search.search(con, "", search.Filters(statuses=("holding",)))) == ["question:4"]
    assert ids(search.search(con, "", search.Filters(statuses=("unanswered",)))) == ["question:3"]
    assert ids(search.search(con, "", search.Filters(named_day=True))) == ["question:2"]
    assert ids(search.search(con, "", search.Filters(tabled_from=date(2024, 2, 1), tabled_to=date(2024, 3, 31)))) == [
        "question:3", "question:2"]
    assert ids(search.search(con, "", search.Filters(answered_from=date(2024, 4, 1)))) == ["question:4"]


def test_facet_counts_lift_their_own_filter(con):
    counts = search.facet_counts(con, "kinship", "party", search.Filters(parties=("Labour",)))
    assert dict(zip(counts["value"], counts["n"])) == {"Labour": 2}
    prios = search.facet_counts(con, "", "priority")
    assert dict(zip(prios["value"], prios["n"])) == {2: 2, 5: 1, 7: 1}
    with pytest.raises(ValueError):
        search.facet_counts(con, "", "1; DROP TABLE x")


def test_hostile_queries_are_just_text(con):
    assert search.search(con, "'; DROP TABLE written_question; --").empty
    search.search(con, r"\b(.*)+$ [[[")  # regular-expression syntax is escaped, never compiled as given
    assert search.search(con, '"kinship.*"').equals(search.search(con, '"kinship"'))
    assert con.execute("SELECT count(*) FROM written_question").fetchone()[0] == 4


def test_highlight_escapes_and_marks():
    html = search.highlight("Kinship <script>alert(1)</script> carers & kinship", "kinship")
    assert html == "<mark>Kinship</mark> &lt;script&gt;alert(1)&lt;/script&gt; carers &amp; <mark>kinship</mark>"
    assert search.highlight(None, "x") == ""


def test_attachment_list_keeps_only_web_links():
    from kinmon.queries.records import attachment_list

    raw = ('[{"url": "https://qna.files.parliament.uk/a.pdf", "title": "Table", "fileType": "pdf", '
           '"fileSizeBytes": 20480}, {"url": "javascript:alert(1)", "title": "x"}, "junk"]')
    assert attachment_list(raw) == [{"title": "Table", "url": "https://qna.files.parliament.uk/a.pdf", "kind": "PDF 20 KB"}]
    assert attachment_list(None) == [] and attachment_list("not json") == []
