"""The store: migrations, read-only opening, and build-then-publish writes that never half-happen."""

import os
import signal
import subprocess
import sys
import textwrap

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
    from kinmon.status import source_status

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
        from kinmon import ingest
        from kinmon.ingest import Counts, Window, run
        real = ingest._append_journal
        def journal(db, result):
            if result.status == "succeeded":  # the store is published: die before the outcome is journaled
                os.kill(os.getpid(), signal.SIGKILL)
            return real(db, result)
        ingest._append_journal = journal
        run({str(db)!r}, "parliament", Window(), lambda con, window: Counts(added=1))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL
    (run,) = read_journal(db)
    assert run.status == "succeeded" and run.finished_at
