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
        "debate": "debates.jsonl",
    }
    for table, filename in expected.items():
        where = "WHERE method = 'curated'" if table == "evidence" else ""  # suggested links are derived
        held = con.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]
        assert held == count_lines(DATA_DIR / filename) == counts[table], table
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
        "AND time_period = '2022-03-31' AND geography_code = 'E92000001' ORDER BY value").fetchall()
    # 82090 is the 2025 release's restatement; 82170 the figure first published for 2022
    assert rows == [(82090.0, True), (82170.0, False)]


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
    ("figures.csv", lambda t: t.replace("children_looked_after_31_march,England,2021-03-31,80780",
                                        "children_looked_after_31_march,England,2021-03-31,", 1),
     "figures.csv:2: value is empty"),
    ("questions.jsonl", lambda t: t + "{not json\n", "questions.jsonl:{n}: invalid JSON"),
    ("priorities.csv", lambda t: t.replace("priority_id,", "id,", 1), "priorities.csv:1: columns are"),
    ("commitments.csv", lambda t: t.replace(",process,", ",maybe,", 1), "kind 'maybe' must be one of"),
    ("measures.csv", lambda t: "\n".join(ln for ln in t.splitlines() if not ln.startswith("children_looked_after_31_march,")),
     "figures.csv:2: measure 'children_looked_after_31_march' has no row in measures.csv"),
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


def test_curated_question_ids_are_negative_and_unique():
    ids = [json.loads(line)["id"] for line in (DATA_DIR / "questions.jsonl").read_text().splitlines() if line.strip()]
    assert all(i < 0 for i in ids) and len(ids) == len(set(ids))


@pytest.mark.parametrize("period, expected", [
    ("2024-03-31", "2024-03-31"), ("2023-04-01/2024-03-31", "2024-03-31"), ("2021", "2021-12-31"),
    ("2024-02", "2024-02-29"), ("2014-03-31 (assumed)", "2014-03-31"), ("2024-25", None), ("pilot period", None),
])
def test_period_end(period, expected):
    got = snapshot.parse_period_end(period)
    assert (got.isoformat() if got else None) == expected
