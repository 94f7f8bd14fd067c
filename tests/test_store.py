"""The store: migrations, read-only opening, and build-then-publish writes that never half-happen."""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import date

import duckdb
import pytest

from kinmon import store
from helpers import sha256

EXPECTED_TABLES = {
    "schema_version", "source", "priority", "member", "member_party", "written_question", "question_revision",
    "statement", "debate", "contribution", "priority_tag", "series", "release", "observation", "geography",
    "timeline_event", "commitment", "commitment_priority", "status_change", "evidence", "status_scale", "glossary",
    "ingest_run",
}


def test_migrate_creates_every_table_once():
    con = duckdb.connect(":memory:")
    assert store.migrate(con) == store.SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert EXPECTED_TABLES <= tables
    assert store.migrate(con) == store.SCHEMA_VERSION  # idempotent
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == store.SCHEMA_VERSION


def test_writer_publishes_and_reader_is_read_only(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO glossary VALUES ('SGO', 'special guardianship order', 't', 'https://x.test')")
    ro = store.connect_readonly(db)
    assert ro.execute("SELECT definition FROM glossary").fetchone()[0] == "special guardianship order"
    with pytest.raises(duckdb.Error):
        ro.execute("INSERT INTO glossary VALUES ('a', 'b', 'c', 'd')")
    ro.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.duckdb", "k.duckdb.lock"]  # no temporary file left


def test_failed_write_leaves_the_published_file_byte_for_byte(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO glossary VALUES ('SGO', 'x', 't', 'https://x.test')")
    before = sha256(db)
    with pytest.raises(RuntimeError, match="boom"):
        with store.writer(db) as con:
            con.execute("DELETE FROM glossary")
            raise RuntimeError("boom")
    assert sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.duckdb", "k.duckdb.lock"]


def test_killed_writer_leaves_the_published_file_intact(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO glossary VALUES ('SGO', 'x', 't', 'https://x.test')")
    before = sha256(db)
    script = textwrap.dedent(f"""
        import os, signal
        from kinmon import store
        with store.writer({str(db)!r}) as con:
            con.execute("DELETE FROM glossary")
            con.execute("CHECKPOINT")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL
    assert sha256(db) == before
    ro = store.connect_readonly(db)
    assert ro.execute("SELECT count(*) FROM glossary").fetchone()[0] == 1
    ro.close()


def test_readonly_refuses_a_missing_or_newer_store(tmp_path):
    with pytest.raises(store.StoreError, match="kinmon init"):
        store.connect_readonly(tmp_path / "missing.duckdb")
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO schema_version VALUES (999, now())")
    with pytest.raises(store.StoreError, match="schema version 999"):
        store.connect_readonly(db)


def test_version_token_changes_on_publish(tmp_path):
    db = tmp_path / "k.duckdb"
    assert store.version_token(db) == "missing"
    with store.writer(db, fresh=True):
        pass
    first = store.version_token(db)
    with store.writer(db) as con:
        con.execute("INSERT INTO glossary VALUES ('a', 'b', 'c', 'https://x.test')")
    assert store.version_token(db) != first


def test_a_second_writer_is_refused_while_one_runs(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        with pytest.raises(store.StoreError, match="another kinmon writer is updating"):
            with store.writer(db):
                pass
        con.execute("INSERT INTO glossary VALUES ('SGO', 'x', 't', 'https://x.test')")
    with store.writer(db) as con:  # the lock is released when the first writer ends
        assert con.execute("SELECT count(*) FROM glossary").fetchone()[0] == 1


def _killed_writer(db) -> None:
    """A writer SIGKILLed mid-write, as a cron job killed by a timeout would be."""
    script = textwrap.dedent(f"""
        import os, signal
        from kinmon import store
        with store.writer({str(db)!r}) as con:
            con.execute("DELETE FROM glossary")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL


def test_the_next_writer_removes_temp_files_a_killed_writer_left(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO glossary VALUES ('SGO', 'x', 't', 'https://x.test')")
    _killed_writer(db)
    _killed_writer(db)
    assert len(store.temp_files(db)) >= 2  # each killed writer left its private copy
    with store.writer(db) as con:
        assert con.execute("SELECT count(*) FROM glossary").fetchone()[0] == 1
    assert store.temp_files(db) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.duckdb", "k.duckdb.lock"]


def test_temp_files_are_left_alone_while_another_writer_holds_the_lock(tmp_path):
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True):
        pass
    with store.writer(db):
        live = store.temp_files(db)
        assert live  # this writer's own copy
        with pytest.raises(store.StoreError):
            with store.writer(db):
                pass
        assert store.temp_files(db) == live  # the refused writer touched nothing
        assert store.writer_active(db)
    assert not store.writer_active(db)


def test_a_killed_ingest_is_reported_as_interrupted_by_status(tmp_path):
    from kinmon.ingest import read_journal
    from kinmon.queries.status import source_status

    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True):
        pass
    script = textwrap.dedent(f"""
        import os, signal
        from kinmon.ingest import Window, run
        def load(con, window):
            os.kill(os.getpid(), signal.SIGKILL)
        run({str(db)!r}, "parliament", Window(), load)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL
    (killed,) = read_journal(db)
    assert (killed.source, killed.status, killed.finished_at) == ("parliament", "interrupted", None)
    row = source_status(db).set_index("source").loc["parliament"]
    assert row["last_failure"].endswith("(interrupted)")
    assert "killed or interrupted" in row["last_error"]


def test_a_new_reader_sees_a_publish_while_an_older_reader_is_still_open(tmp_path):
    # duckdb.connect(path) would share the older connection's database instance and serve the old file
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        con.execute("INSERT INTO glossary VALUES ('SGO', 'old', 't', 'https://x.test')")
    old = store.connect_readonly(db)
    with store.writer(db) as con:
        con.execute("UPDATE glossary SET definition = 'new'")
    new = store.connect_readonly(db)
    assert new.execute("SELECT definition FROM glossary").fetchone()[0] == "new"
    assert store.cursor(new).execute("SELECT definition FROM glossary").fetchone()[0] == "new"
    assert old.execute("SELECT definition FROM glossary").fetchone()[0] == "old"  # a reader keeps its version
    old.close()
    new.close()


def test_a_run_killed_after_it_published_is_not_reported_as_interrupted(tmp_path):
    from kinmon.ingest import read_journal

    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True):
        pass
    script = textwrap.dedent(f"""
        import os, signal
        from kinmon.ingest import Counts, Window, run
        from kinmon.store import journal
        real = journal.append_journal
        def append(db, result):
            if result.status == "succeeded":  # the store is published: die before the outcome is journaled
                os.kill(os.getpid(), signal.SIGKILL)
            return real(db, result)
        journal.append_journal = append
        run({str(db)!r}, "parliament", Window(), lambda con, window: Counts(added=1))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL
    (run,) = read_journal(db)
    assert run.status == "succeeded" and run.finished_at


def test_the_schema_is_the_numbered_sql_files_beside_the_package():
    from kinmon.store import schema

    files = sorted(p.name for p in schema.SCHEMA_DIR.glob("*.sql"))
    assert files and files[0] == "001_initial.sql"
    assert [int(name[:3]) for name in files] == list(range(1, len(files) + 1))
    assert store.SCHEMA_VERSION == len(files) == len(store.MIGRATIONS)
    assert store.MIGRATIONS[0] == (schema.SCHEMA_DIR / "001_initial.sql").read_text(encoding="utf-8")


def test_schema_files_out_of_order_are_refused(tmp_path):
    from kinmon.store import schema

    (tmp_path / "001_a.sql").write_text("SELECT 1;")
    (tmp_path / "003_c.sql").write_text("SELECT 1;")
    with pytest.raises(store.StoreError, match="not numbered"):
        schema.migration_files(tmp_path)


def test_a_store_at_an_older_schema_version_is_migrated_by_the_next_writer(tmp_path):
    """A store built by a kinmon that knew only migration 1 keeps its rows and gains the later columns."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    con.execute(store.MIGRATIONS[0])
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.execute("INSERT INTO written_question (id, uin, heading, source_id, retrieved_at) "
                "VALUES (7, 'HL1', 'Kinship allowance', 's', now())")
    con.execute("INSERT INTO ingest_run (run_id, source, started_at, finished_at, status, cursor) "
                "VALUES ('r1', 'parliament', now(), now(), 'succeeded', '2024-05-01')")
    con.close()
    with pytest.raises(store.StoreError, match="schema version 1, this kinmon expects"):
        store.connect_readonly(db)
    assert store.last_cursor(db, "parliament") == "2024-05-01"  # read before the run migrates its copy
    with store.writer(db) as con:
        assert store.current_version(con) == store.SCHEMA_VERSION
    ro = store.connect_readonly(db)
    try:
        assert ro.execute("SELECT id, heading, tabled_month FROM written_question").fetchall() == [
            (7, "Kinship allowance", None)]
        assert ro.execute("SELECT notes FROM ingest_run").fetchall() == [(None,)]
        assert [v for (v,) in ro.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()] == list(
            range(1, store.SCHEMA_VERSION + 1))
    finally:
        ro.close()


def test_last_cursor_of_a_missing_or_unreadable_store_is_none(tmp_path):
    assert store.last_cursor(tmp_path / "none.duckdb", "parliament") is None
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a duckdb file" * 100)
    assert store.last_cursor(bad, "parliament") is None


def test_the_row_builders_name_every_column_of_the_migrated_store():
    con = duckdb.connect(":memory:")
    store.migrate(con)
    for table, columns in store.rows.COLUMNS.items():
        stored = tuple(r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table]).fetchall())
        assert stored == columns + store.rows.GENERATED.get(table, ()), table
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables - set(store.rows.COLUMNS) == {"schema_version"}
    with pytest.raises(ValueError, match="no column"):
        store.rows.written_question(id=1, headline="a typo")


def test_the_batch_writer_matches_columns_by_name_and_refuses_unknown_ones():
    con = duckdb.connect(":memory:")
    store.migrate(con)
    rows = [store.rows.glossary("SGO", "special guardianship order", "t", "https://x.test"),
            dict(source_url="https://y.test", term="CAO", definition="child arrangements order", source_title="u")]
    assert store.insert_rows(con, "glossary", rows) == 2
    assert con.execute("SELECT term, definition, source_title, source_url FROM glossary ORDER BY term").fetchall() == [
        ("CAO", "child arrangements order", "u", "https://y.test"), ("SGO", "special guardianship order", "t",
                                                                     "https://x.test")]
    with pytest.raises(duckdb.ConstraintException):
        store.insert_rows(con, "glossary", rows[:1])
    store.insert_rows(con, "glossary", [dict(rows[0], definition="kept")], on_conflict="ignore")
    store.insert_rows(con, "glossary", [dict(rows[1], definition="replaced")], on_conflict="replace")
    assert dict(con.execute("SELECT term, definition FROM glossary").fetchall()) == {
        "SGO": "special guardianship order", "CAO": "replaced"}
    with pytest.raises(ValueError, match=r"glossary has no column\(s\) \['nope'\]"):
        store.insert_rows(con, "glossary", [dict(rows[0], nope=1)])


def test_every_write_still_works_after_a_column_is_added_to_every_table(tmp_path):
    """ALTER TABLE ... ADD COLUMN in the middle of each table's life: the snapshot, the derived rows, a live
    upsert, a source and a run are all written by column name, so they still land where they belong."""
    from kinmon import snapshot
    from kinmon.store.write import upsert_rows

    snap = snapshot.read_snapshot()
    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True) as con:
        for table in store.rows.COLUMNS:
            con.execute(f"ALTER TABLE {table} ADD COLUMN added_later VARCHAR DEFAULT 'default'")
        counts = snapshot.write(con, snap)
        store.upsert_source(con, "s-new", publisher="P", title="T", url=None, licence="OGL", licence_url=None,
                            retrieved_at=store.utcnow())
        first = snap.tables["written_question"][0]
        assert upsert_rows(con, "written_question", "id", [dict(first, heading="Changed heading")]) == (0, 1)
        store.record_run(con, run_id="r", source="test", started_at=store.utcnow(), finished_at=store.utcnow(),
                         rows_added=1)
        for table in ("written_question", "commitment", "status_change", "observation", "evidence", "priority_tag",
                      "source", "ingest_run", "geography"):
            assert con.execute(f"SELECT count(*) FROM {table} WHERE added_later IS DISTINCT FROM 'default'"
                               ).fetchone()[0] == 0, table
        assert con.execute("SELECT heading FROM written_question WHERE id = ?", [first["id"]]).fetchone()[0] == (
            "Changed heading")
        assert con.execute("SELECT count(*) FROM written_question").fetchone()[0] == counts["written_question"]
        assert counts["commitment"] == len(snap.tables["commitment"]) > 0
        assert counts["priority_tag"] > 0 and counts["suggested_evidence"] > 0


def test_tags_and_evidence_of_a_version_3_store_keep_their_rows_and_gain_typed_keys(tmp_path):
    db = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    for number, sql in enumerate(store.MIGRATIONS[:3], start=1):
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
    con.execute("INSERT INTO priority_tag VALUES ('question', '-4', 2, 'hand', 'v1', 'curated'), "
                "('debate', 'AAAA-1', 3, 'r', 'v1', 'rule'), ('contribution', 'C9', 1, 'r', 'v1', 'rule')")
    con.execute("INSERT INTO evidence VALUES ('c1', 'question', '1700006', 'curated', 'asks when'), "
                "('c1', 'event', 'e-2024-01', 'curated', NULL)")
    con.close()
    with store.writer(db):
        pass
    ro = store.connect_readonly(db)
    try:
        assert ro.execute("SELECT item_type, item_id, priority_id, rule_id, rules_version, method, item_num, item_ref "
                          "FROM priority_tag ORDER BY ALL").fetchall() == [
            ("contribution", "C9", 1, "r", "v1", "rule", None, "C9"),
            ("debate", "AAAA-1", 3, "r", "v1", "rule", None, "AAAA-1"),
            ("question", "-4", 2, "hand", "v1", "curated", -4, None)]
        assert ro.execute("SELECT item_id, note, item_num, item_ref FROM evidence ORDER BY ALL").fetchall() == [
            ("1700006", "asks when", 1700006, None), ("e-2024-01", None, None, "e-2024-01")]
        assert dict(ro.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'priority_tag'"
                               ).fetchall())["item_num"] == "BIGINT"
    finally:
        ro.close()


def test_the_parliamentary_item_view_holds_every_question_statement_and_debate_with_typed_keys():
    con = duckdb.connect(":memory:")
    store.migrate(con)
    con.execute("INSERT INTO written_question (id, heading, question_text, answer_text, date_tabled, source_id, "
                "retrieved_at, url) VALUES (17, NULL, 'To ask about kinship allowances', 'None yet', '2024-02-01', "
                "'s', now(), 'https://q.test'), (18, 'Untagged', 'x', NULL, NULL, 's', now(), NULL)")
    con.execute("INSERT INTO statement (id, date_made, title, text, source_id, retrieved_at) "
                "VALUES (-2, '2024-03-01', 'Kinship statement', 'Text', 's', now())")
    con.execute("INSERT INTO debate (debate_id, date, title, notes, url, source_id, retrieved_at) "
                "VALUES ('17', '2024-04-01', 'A debate whose id looks like a number', 'n', 'https://d.test', 's', now())")
    con.execute("INSERT INTO priority_tag VALUES ('question', '17', 2, 'r', 'v', 'rule'), "
                "('question', '17', 7, 'r', 'v', 'rule'), ('statement', '-2', 4, 'r', 'v', 'rule'), "
                "('debate', '17', 5, 'r', 'v', 'rule')")
    items = con.execute("SELECT item_type, item_id, item_num, item_ref, date, title, body FROM parliamentary_item "
                        "ORDER BY item_type, item_id").fetchall()
    assert items == [
        ("debate", "17", None, "17", date(2024, 4, 1), "A debate whose id looks like a number",
         "A debate whose id looks like a number n"),
        ("question", "17", 17, None, date(2024, 2, 1), "To ask about kinship allowances",
         "To ask about kinship allowances None yet"),
        ("question", "18", 18, None, None, "Untagged", "Untagged x"),
        ("statement", "-2", -2, None, date(2024, 3, 1), "Kinship statement", "Kinship statement Text")]
    # a debate whose key is the text '17' is not question 17: each tag meets its own item only
    assert con.execute("SELECT item_type, item_id, priority_id FROM parliamentary_item_priority ORDER BY ALL"
                       ).fetchall() == [("debate", "17", 5), ("question", "17", 2), ("question", "17", 7),
                                        ("statement", "-2", 4)]


def test_no_read_query_casts_an_id_to_text_to_join_it():
    """priority_tag and evidence carry typed keys (item_num, item_ref): no query compares an id cast to text."""
    import re
    from pathlib import Path

    import kinmon

    root = Path(kinmon.__file__).parent
    files = sorted((root / "queries").glob("*.py")) + [root / "evidence.py"]
    pattern = re.compile(r"CAST\(\s*\w+\.(id|question_id)\s+AS\s+VARCHAR\s*\)\s*=|=\s*CAST\(\s*\w+\.(id|question_id)\s+AS "
                         r"VARCHAR\s*\)|CAST\(\{key\} AS VARCHAR\)", re.I)
    found = [f"{p.name}: {m.group(0)}" for p in files for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def test_a_bug_in_an_ingest_run_is_journaled_with_its_traceback_and_an_expected_failure_without(tmp_path):
    from kinmon.ingest import IngestError, Window, read_journal, run

    db = tmp_path / "k.duckdb"
    with store.writer(db, fresh=True):
        pass
    before = sha256(db)

    def buggy(con, window):
        return {}["missing"]

    def refused(con, window):
        raise ValueError("bad.csv, line 2: time_period is empty")

    with pytest.raises(IngestError) as failed:
        run(db, "file", Window(), buggy)
    assert failed.value.bug and isinstance(failed.value.__cause__, KeyError)
    assert str(failed.value) == (f"file ingest failed, store left unchanged: a bug in kinmon, KeyError: 'missing' "
                                 f"(the traceback is in {store.journal_path(db)})")
    with pytest.raises(IngestError) as refused_run:
        run(db, "file", Window(), refused)
    assert not refused_run.value.bug
    assert str(refused_run.value) == ("file ingest failed, store left unchanged: ValueError: bad.csv, line 2: "
                                      "time_period is empty")
    bug_run, bad_run = read_journal(db)
    assert bug_run.status == bad_run.status == "failed"
    assert "Traceback (most recent call last)" in bug_run.traceback and "in buggy" in bug_run.traceback
    assert bad_run.traceback is None
    assert sha256(db) == before
