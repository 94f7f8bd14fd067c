"""A truncated or corrupt store, a newer schema, a read-only data folder, a full disk: a clear one-line
message from the CLI and the dashboard, and the last good data kept.

The full disk is a small tmpfs (mounted when the tests run as root; skipped otherwise), sized so the published
store fits but a writer's private copy does not. The read-only folder is the same tmpfs remounted read-only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import wsclient
from helpers import rows, sha256
from hostile import CSV
from kinmon import cli, store
from kinmon.ingest import IngestError
from kinmon.ingest.statistics import ingest_file
from suite import Tally, record

RESULTS: list[tuple[str, bool]] = []


def cli_error(capsys, *argv) -> str:
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert code == 1, (argv, err)
    assert err.startswith("kinmon: error: ") and err.count("\n") == 1, err
    return err


def damage(db: Path, how: str, good: bytes) -> None:
    db.write_bytes(good)
    if how == "truncated":
        db.write_bytes(good[: len(good) // 3])
    elif how == "corrupt":
        data = bytearray(good)
        data[4096:4096 + 20000] = os.urandom(20000)
        data[:16] = os.urandom(16)
        db.write_bytes(bytes(data))
    elif how == "newer schema":
        with store.writer(db) as con:
            con.execute("INSERT INTO schema_version VALUES (999, now())")


@pytest.mark.parametrize("how", ["truncated", "corrupt", "newer schema"])
def test_a_damaged_or_newer_store_gets_a_clear_message(snapshot_store, tmp_path, capsys, how):
    db = tmp_path / "kinmon.duckdb"
    damage(db, how, snapshot_store.read_bytes())
    before = sha256(db)
    for argv in (["status"], ["export", "questions", "--output", str(tmp_path / "q.csv")]):
        err = cli_error(capsys, *argv, "--db", str(db))
        assert "cannot be opened" in err or "schema version 999" in err
    csv = tmp_path / "x.csv"
    csv.write_text(CSV)
    with pytest.raises(IngestError) as failed:
        ingest_file(db, csv)
    assert "\n" not in str(failed.value)
    assert sha256(db) == before  # nothing is overwritten: a copy of the damaged file is kept as it was
    RESULTS.append((how, True))


def test_the_dashboard_says_so_for_a_damaged_store(fresh_server):
    # The suite's fresh server (conftest.py), its store built by the earlier parts (or by the first visit here)
    if fresh_server.fresh:
        assert wsclient.visit(fresh_server.server.url, "about", "", timeout=120).ok
    server, db = fresh_server.take(), fresh_server.db
    since = server.mark()
    good = db.read_bytes()
    try:
        messages = []
        for how in ("truncated", "corrupt", "newer schema"):
            damage(db, how, good)
            v = wsclient.visit(server.url, "", "", timeout=90)
            assert v.finished and not v.exceptions, (how, v.exceptions, v.failure)
            assert any("kinmon could not open its store" in e for e in v.errors), (how, v.errors)
            messages.append(v.errors[0])
    finally:
        db.write_bytes(good)  # restored: the dashboard serves again
    v = wsclient.visit(server.url, "", "", timeout=90)
    assert v.ok and not v.errors
    assert server.tracebacks(since) == 0, server.serving_log(since)[-3000:]
    RESULTS.append(("dashboard on a damaged store", True))


@pytest.fixture
def tmpfs(tmp_path):
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    size_mb = 24
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): run as root for the full-disk part")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(folder: Path, leave: int) -> None:
    """Fill the filesystem of `folder` until only `leave` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    if free > leave:
        with open(folder / "ballast", "wb") as fh:
            fh.truncate(0)
            fh.write(b"\0" * (free - leave))


def test_a_full_disk_and_a_read_only_folder_keep_the_last_good_data(snapshot_store, tmpfs, tmp_path, capsys):
    db = tmpfs / "kinmon.duckdb"
    shutil.copyfile(snapshot_store, db)
    fill(tmpfs, leave=1_000_000)  # the private copy of a 13 MB store cannot be made
    before = sha256(db)
    csv = tmp_path / "x.csv"
    csv.write_text(CSV)
    err = cli_error(capsys, "ingest", "file", str(csv), "--db", str(db))
    assert "No space left on device" in err
    assert sha256(db) == before and store.temp_files(db) == []
    assert rows(db, "SELECT count(*) FROM written_question")[0][0] > 0  # still readable
    RESULTS.append(("full disk", True))
    (tmpfs / "ballast").unlink()
    assert subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)]).returncode == 0
    err = cli_error(capsys, "ingest", "file", str(csv), "--db", str(db))
    assert "Read-only file system" in err
    assert sha256(db) == before
    code = cli.main(["status", "--db", str(db)])
    assert code == 0 and "parliament" in capsys.readouterr().out  # the last good data is still served
    RESULTS.append(("read-only folder", True))


def test_zz_record_store_faults():
    if RESULTS:
        record(Tally("store faults: truncated, corrupt, newer schema, dashboard, full disk, read-only",
                     len(RESULTS), sum(ok for _, ok in RESULTS), size=", ".join(h for h, _ in RESULTS)))
