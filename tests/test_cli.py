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
