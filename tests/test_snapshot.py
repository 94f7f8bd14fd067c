"""The shipped snapshot: it loads completely, keeps its sources, and a bad row fails loudly with nothing half-loaded."""

import json

import duckdb
import pytest

from kinmon import snapshot, store
from kinmon.config import DATA_DIR
from helpers import build_store, copy_snapshot, count_lines, sha256


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db = tmp_path_factory.mktemp("snap") / "k.duckdb"
    counts = build_store(db)
    con = store.connect_readonly(db)
    yield con, counts
    con.close()


def test_every_snapshot_row_is_loaded(built):
    con, counts = built
    expected = {
        "priority": "priorities.csv", "status_scale": "status_scale.csv", "commitment": "commitments.csv",
        "status_change": "status_history.csv", "timeline_event": "timeline.csv", "evidence": "evidence.csv",
        "glossary": "glossary.csv", "observation": "figures.csv", "written_question": "questions.jsonl",
        "debate": "debates.jsonl", "statement": "statements.jsonl", "member": "members.csv",
    }
    for table, filename in expected.items():
        where = "WHERE method = 'curated'" if table == "evidence" else ""  # suggested links are derived
        held = con.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]
        lines = count_lines(DATA_DIR / filename)
        if table == "observation":  # curated figures and the extract of DfE's real files
            lines += count_lines(DATA_DIR / "statistics_extract.csv")
        assert held == lines == counts[table], table
    assert con.execute("SELECT list(priority_id ORDER BY priority_id) FROM priority").fetchone()[0] == [1, 2, 3, 4, 5, 6, 7]


def test_suggested_evidence_is_derived_and_never_duplicates_a_curated_link(built):
    con, counts = built
    assert counts["suggested_evidence"] == con.execute(
        "SELECT count(*) FROM evidence WHERE method = 'suggested'").fetchone()[0] > 0
    # a suggested link always shares a priority with its commitment
    assert con.execute("""
        SELECT count(*) FROM evidence e WHERE method = 'suggested' AND NOT EXISTS (
            SELECT 1 FROM priority_tag t JOIN commitment_priority cp ON cp.priority_id = t.priority_id
            WHERE t.item_type = e.item_type AND t.item_id = e.item_id AND cp.commitment_id = e.commitment_id)
    """).fetchone()[0] == 0


def test_every_row_carries_its_source(built):
    con, _ = built
    for table in ("written_question", "debate", "observation", "priority"):
        missing = con.execute(
            f"SELECT count(*) FROM {table} t LEFT JOIN source s USING (source_id) WHERE s.source_id IS NULL").fetchone()[0]
        assert missing == 0, table
    assert con.execute("SELECT count(*) FROM source WHERE retrieved_at IS NULL OR licence IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM written_question WHERE url NOT LIKE 'https://%'").fetchone()[0] == 0
    licences = {r[0] for r in con.execute("SELECT DISTINCT licence FROM source").fetchall()}
    assert {"Open Parliament Licence v3.0", "Open Government Licence v3.0"} <= licences


def test_known_question_is_loaded_with_official_url(built):
    con, _ = built
    row = con.execute(
        "SELECT house, date_tabled, date_answered, asking_member_name, answering_body_name, url, is_curated, text_complete "
        "FROM written_question WHERE uin = '57218'").fetchone()
    assert row[0] == "Commons"
    assert str(row[1]) == "2025-06-04" and str(row[2]) == "2025-06-13"
    assert row[3] == "Andrew Gwynne" and row[4] == "Department for Education"
    assert row[5] == "https://questions-statements.parliament.uk/written-questions/detail/2025-06-04/57218"
    assert row[6] is True and row[7] is True


def test_vintages_are_kept_and_the_latest_is_marked(built):
    con, _ = built
    rows = con.execute(
        "SELECT value, is_latest FROM observation WHERE series_id = 'children_looked_after_31_march' "
        "AND time_period = '2024-03-31' AND geography_code = 'E92000001' ORDER BY value").fetchall()
    # 83530 is the 2025 release's restatement (from its real file); 83630 the figure first published for 2024
    assert rows == [(83530.0, True), (83630.0, False)]


def test_worded_figures_are_never_numbers(built):
    con, _ = built
    row = con.execute("SELECT value, value_text FROM observation WHERE value_text = 'one in three'").fetchone()
    assert row == (None, "one in three")
    assert con.execute("SELECT count(*) FROM observation WHERE value IS NULL AND value_text IS NULL "
                       "AND suppression IS NULL").fetchone()[0] == 0


def test_suppression_code_is_kept_not_zero(tmp_path):
    data = copy_snapshot(tmp_path / "data")
    with open(data / "figures.csv", "a", encoding="utf-8") as fh:
        fh.write("cla_ceased_special_guardianship_order,Hartlepool (E06000001),2030-04-01/2031-03-31,c,children,"
                 "\"DfE, test release\",https://explore-education-statistics.service.gov.uk/x,suppressed\n")
    db = tmp_path / "k.duckdb"
    build_store(db, data)
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT value, suppression, geography_name, geographic_level FROM observation "
                      "WHERE time_period = '2030-04-01/2031-03-31'").fetchone()
    assert row == (None, "c", "Hartlepool", "Local authority")


@pytest.mark.parametrize("filename, corrupt, message", [
    ("status_history.csv", lambda t: t + "kinship-allowance-x,2025-13-45,delivered,r,s,https://x.test\n",
     "status_history.csv:{n}: "),
    ("figures.csv", lambda t: t.replace("children_looked_after_31_march,England,2024-03-31,83630",
                                        "children_looked_after_31_march,England,2024-03-31,", 1),
     "figures.csv:2: value is empty"),
    ("questions.jsonl", lambda t: t + "{not json\n", "questions.jsonl:{n}: invalid JSON"),
    ("priorities.csv", lambda t: t.replace("priority_id,", "id,", 1), "priorities.csv:1: columns are"),
    ("commitments.csv", lambda t: t.replace(",process,", ",maybe,", 1), "kind 'maybe' must be one of"),
    ("measures.csv", lambda t: "\n".join(ln for ln in t.splitlines() if not ln.startswith("children_looked_after_31_march_as_reported,")),
     "figures.csv:3: measure 'children_looked_after_31_march_as_reported' has no row in measures.csv"),
])
def test_a_malformed_file_fails_with_file_line_and_reason_and_loses_nothing(tmp_path, filename, corrupt, message):
    data = copy_snapshot(tmp_path / "data")
    db = tmp_path / "k.duckdb"
    build_store(db, data)
    before = sha256(db)
    path = data / filename
    text = path.read_text(encoding="utf-8")
    path.write_text(corrupt(text), encoding="utf-8")
    n = len(text.splitlines()) + 1
    with pytest.raises(snapshot.SnapshotError) as err:
        snapshot.build(db, force=True, data_dir=data)
    assert message.format(n=n) in str(err.value)
    assert sha256(db) == before


def test_init_refuses_to_replace_a_store_without_force(tmp_path):
    db = tmp_path / "k.duckdb"
    build_store(db)
    with pytest.raises(FileExistsError, match="--force"):
        snapshot.build(db)


def test_question_ids_are_api_ids_where_known_else_negative_and_unique():
    records = [json.loads(line) for line in (DATA_DIR / "questions.jsonl").read_text().splitlines() if line.strip()]
    ids = [q["id"] for q in records]
    assert len(ids) == len(set(ids)) == 122
    for q in records:
        assert q["id"] < 0 or q["id"] == q["_api_id"], q["id"]
        if q["id"] > 0 and "/api/writtenquestions/questions/" in q["source_url"]:
            assert q["source_url"].endswith(f"/{q['id']}")
    assert sum(q["id"] > 0 for q in records) == 93


def test_the_snapshot_holds_the_labelled_questions_with_what_their_sources_show(built):
    con, _ = built
    assert con.execute("SELECT count(*), count(date_tabled), count(tabled_month), count(asking_member_name), "
                       "count(asking_member_party), count(answering_body_name), count(asking_member_id) "
                       "FROM written_question").fetchone() == (122, 53, 93, 59, 59, 77, 46)
    # 1725954 is known by its API id, UIN and date; its asker only by id (no name in the mirror's record)
    assert con.execute("SELECT uin, date_tabled, heading, source_id FROM written_question WHERE id = 1725954"
                       ).fetchone() == ("3207", __import__("datetime").date(2024, 8, 30), "Winter Fuel Payment: Grandparents",
                                        "snapshot-questions-api")
    # a month-only record keeps its month apart, and its date stays empty
    assert con.execute("SELECT date_tabled, tabled_month FROM written_question WHERE id = 1915675").fetchone() == (
        None, __import__("datetime").date(2026, 6, 1))
    assert con.execute("SELECT count(*) FROM written_question WHERE tabled_month IS NOT NULL AND date_tabled IS NOT NULL "
                       "AND date_trunc('month', date_tabled) <> tabled_month").fetchone() == (0,)


def test_members_statements_and_debates_are_only_what_the_sources_show(built):
    con, _ = built
    assert con.execute("SELECT name, party, member_from, house, url FROM member WHERE member_id = 3973").fetchone() == (
        "Grahame Morris", "Labour", None, "Commons", "https://members.parliament.uk/member/3973/contact")
    rows = con.execute("SELECT id, uin, date_made, member_name, answering_body_name FROM statement ORDER BY id").fetchall()
    assert rows == [(-3, "HCWS908", __import__("datetime").date(2025, 9, 4), None, None),
                    (-2, None, None, "Josh MacAlister", "Department for Education"),
                    (-1, "HCWS589", __import__("datetime").date(2025, 4, 22), "Janet Daby", "Department for Education")]
    assert con.execute("SELECT count(*) FROM debate WHERE debate_id IN ('92A8FEFD-372B-4E9D-AC98-70574868376E', "
                       "'curated-2025-05-20-adoption-and-kinship-placements', "
                       "'curated-2025-04-02-adoption-and-special-guardianship-support-fund')").fetchone() == (3,)


def test_a_positive_question_id_must_be_the_api_id(tmp_path):
    data = copy_snapshot(tmp_path / "data")
    path = data / "questions.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    record["id"] = 12345
    path.write_text("\n".join(lines[:-1] + [json.dumps(record)]) + "\n", encoding="utf-8")
    with pytest.raises(snapshot.SnapshotError, match=f"questions.jsonl:{len(lines)}: id 12345 is positive"):
        snapshot.read_snapshot(data)


@pytest.mark.parametrize("period, expected", [
    ("2024-03-31", "2024-03-31"), ("2023-04-01/2024-03-31", "2024-03-31"), ("2021", "2021-12-31"),
    ("2024-02", "2024-02-29"), ("2014-03-31 (assumed)", "2014-03-31"), ("2024-25", None), ("pilot period", None),
])
def test_period_end(period, expected):
    got = snapshot.parse_period_end(period)
    assert (got.isoformat() if got else None) == expected
