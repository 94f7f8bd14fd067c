"""The command line, run as a user runs it: `python -m kinmon ...` in a subprocess, with real exit codes."""

import csv
import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from kinmon.config import PROJECT_ROOT
from helpers import copy_snapshot, sha256


def kinmon(*args, env=None, cwd=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "kinmon", *args], capture_output=True, text=True,
                          cwd=cwd or PROJECT_ROOT, env=full_env, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "k.duckdb"
    r = kinmon("init", "--db", str(path))
    assert r.returncode == 0, r.stderr
    assert "built" in r.stdout
    return path


def test_help_everywhere():
    for args in ([], ["init"], ["ingest"], ["status"], ["export"], ["classify"]):
        r = kinmon(*args, "--help")
        assert r.returncode == 0, (args, r.stderr)
        assert "usage: python -m kinmon" in r.stdout


def test_bad_usage_exits_2():
    assert kinmon("frobnicate").returncode == 2
    assert kinmon("export", "nonsense", "--output", "x.csv").returncode == 2
    r = kinmon("ingest", "parliament", "--since", "2024-13-01", "--db", "/nonexistent/k.duckdb")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = kinmon("ingest", "parliament", "--since", "2025-01-02", "--until", "2025-01-01")
    assert r.returncode == 2 and "--since is after --until" in r.stderr


def test_init_twice_fails_cleanly_then_force_rebuilds(db):
    r = kinmon("init", "--db", str(db))
    assert r.returncode == 1
    assert r.stderr.startswith("kinmon: error: a store already exists") and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert kinmon("init", "--db", str(db), "--force").returncode == 0


def test_kinmon_db_environment_variable(tmp_path):
    path = tmp_path / "env.duckdb"
    r = kinmon("init", env={"KINMON_DB": str(path)})
    assert r.returncode == 0, r.stderr
    assert path.exists()


def test_status_lists_each_source(db):
    r = kinmon("status", "--db", str(db))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"store: {db}"
    assert [ln.split()[0] for ln in lines[2:]] == ["snapshot", "parliament", "statistics", "file"]
    assert "never" in lines[3]


def test_status_of_a_missing_store_is_a_one_line_error(tmp_path):
    r = kinmon("status", "--db", str(tmp_path / "none.duckdb"))
    assert r.returncode == 1
    assert r.stderr.strip() == f"kinmon: error: no store at {tmp_path / 'none.duckdb'}: run `python -m kinmon init` to build it"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_export_commitments_in_every_format(db, tmp_path, fmt):
    out = tmp_path / f"c.{fmt}"
    r = kinmon("export", "commitments", "--format", fmt, "--output", str(out), "--db", str(db))
    assert r.returncode == 0, r.stderr
    n = len(pd.read_csv(PROJECT_ROOT / "data" / "commitments.csv"))
    if fmt == "csv":
        df = pd.read_csv(out)
    elif fmt == "xlsx":
        df = pd.read_excel(out, sheet_name="commitments")
        readme = pd.read_excel(out, sheet_name="README", header=None)
        assert "Cite as" in set(readme[0])
    elif fmt == "parquet":
        df = pd.read_parquet(out)
    else:
        df = pd.DataFrame(json.loads(out.read_text()))
    assert len(df) == n
    assert {"commitment_id", "status", "status_since", "source_url"} <= set(df.columns)


def test_export_to_stdout(db):
    r = kinmon("export", "priorities", "--output", "-", "--db", str(db))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["priority_id"] for row in rows] == ["1", "2", "3", "4", "5", "6", "7"]


def test_export_into_a_missing_folder_fails_cleanly(db, tmp_path):
    r = kinmon("export", "priorities", "--output", str(tmp_path / "no" / "p.csv"), "--db", str(db))
    assert r.returncode == 1 and "does not exist" in r.stderr


def test_failed_init_from_a_bad_snapshot_keeps_the_old_store(tmp_path, db):
    # a broken snapshot, found via a copy of the package pointed at a broken data dir, must not replace the store
    data = copy_snapshot(tmp_path / "data")
    (data / "glossary.csv").write_text("term,definition\nx,y\n", encoding="utf-8")
    before = sha256(db)
    code = (f"import sys; from pathlib import Path; from kinmon import snapshot; "
            f"snapshot.build(Path({str(db)!r}), force=True, data_dir=Path({str(data)!r}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert r.returncode != 0 and "glossary.csv:1: columns are" in r.stderr
    assert sha256(db) == before


def test_a_bug_is_one_line_on_stderr_and_its_traceback_is_kept_beside_the_store(db, monkeypatch, capsys):
    from kinmon import cli
    from kinmon.queries import status

    def broken(path):
        raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")

    monkeypatch.setattr(status, "source_status", broken)
    log = db.parent / (db.name + ".errors.log")
    log.unlink(missing_ok=True)
    assert cli.main(["status", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("kinmon: error: a bug in kinmon, TypeError: unsupported operand type(s) for +")
    assert f"the traceback is in {log}" in err
    kept = log.read_text(encoding="utf-8")
    assert "python -m kinmon status --db" in kept and "Traceback (most recent call last)" in kept
    assert "in broken" in kept and kept.rstrip().endswith("TypeError: unsupported operand type(s) for +: 'int' and 'str'")


def test_expected_failures_stay_one_line_without_a_bug_report(tmp_path, capsys):
    from kinmon import cli

    assert cli.main(["status", "--db", str(tmp_path / "none.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kinmon: error: no store at") and "bug" not in err
    assert not list(tmp_path.iterdir())  # no error log for an expected failure


def test_errors_are_classified_by_type_never_by_text():
    import duckdb

    from kinmon.errors import BadInput, IngestError, KinmonError, StoreError, UpstreamError, is_bug
    from kinmon.snapshot import SnapshotError
    from kinmon.tidy import TidyError

    assert UpstreamError("https://x.test/q/1", "HTTP 404: gone", 404).not_found
    assert not UpstreamError("https://x.test/q/1", "HTTP 404 in the words but a 500", 500).not_found
    assert not UpstreamError("https://x.test/q/1", "no response after 3 attempts").not_found
    bad = SnapshotError("data/glossary.csv", 3, "term is empty")
    assert isinstance(bad, BadInput) and isinstance(bad, ValueError) and str(bad) == "glossary.csv:3: term is empty"
    assert issubclass(TidyError, BadInput)
    for expected in (UpstreamError("u", "r"), bad, StoreError("s"), IngestError("i"), ValueError("v"),
                     OSError(28, "No space left on device"), duckdb.IOException("io")):
        assert not is_bug(expected), expected
        assert isinstance(expected, (KinmonError, ValueError, OSError, duckdb.Error))
    for bug in (KeyError("k"), TypeError("t"), AttributeError("a"), IndexError("i"), ZeroDivisionError()):
        assert is_bug(bug), bug
