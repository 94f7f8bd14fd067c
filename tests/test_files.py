"""`ingest file` gives up: a deadline, a size cap, regular files only, a column cap, http(s)-only redirects."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from kinmon.config import FileLimits
from kinmon.sources import files
from kinmon.sources.files import FileLimitError

sys.path.insert(0, str(Path(__file__).resolve().parent / "reliability"))
from hostile import CSV, HostileServer, gzip_bomb  # noqa: E402

LIMITS = FileLimits(max_bytes=5_000_000, deadline=2.0, max_columns=1000)


def within(seconds: float, fn, *args):
    """fn(*args) run in a daemon thread: its exception or result, or a failure if it is still running."""
    out: dict = {}

    def target():
        try:
            out["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc
    t = threading.Thread(target=target, daemon=True)
    started = time.monotonic()
    t.start()
    t.join(seconds)
    if t.is_alive():
        pytest.fail(f"still running after {seconds} s")
    out["seconds"] = time.monotonic() - started
    return out


@pytest.fixture(scope="module")
def hostile():
    server, other = HostileServer(limit_seconds=15, bomb_mb=20), HostileServer(limit_seconds=15)
    server.other_url = other.url
    yield server
    server.stop()
    other.stop()


def read(address):
    return files.read_address(address, None, LIMITS)


def test_a_good_download_and_a_good_file_are_read(hostile, tmp_path):
    assert read(f"{hostile.url}/ok.csv") == (f"{hostile.url}/ok.csv", "ok.csv", CSV.encode())
    path = tmp_path / "x.csv"
    path.write_text(CSV)
    assert read(str(path)) == (str(path.resolve()), "x.csv", CSV.encode())


@pytest.mark.parametrize("mode", ["trickle.csv", "endless.csv"])
def test_a_trickling_or_endless_download_stops_at_the_deadline(hostile, mode):
    out = within(10, read, f"{hostile.url}/{mode}")
    assert isinstance(out.get("error"), FileLimitError), out
    assert "not read within 2 s (KINMON_FILE_DEADLINE)" in str(out["error"]) or "KINMON_FILE_MAX_BYTES" in str(out["error"])
    assert out["seconds"] < 6


@pytest.mark.parametrize("mode", ["huge.csv", "liar.csv", "bomb.csv.gz", "bomb-encoded.csv"])
def test_a_huge_download_or_gzip_bomb_stops_at_the_size_cap(hostile, mode):
    out = within(10, read, f"{hostile.url}/{mode}")
    assert isinstance(out.get("error"), FileLimitError), out
    assert "more than the limit of 5 MB" in str(out["error"]) and "KINMON_FILE_MAX_BYTES" in str(out["error"])


def test_a_local_gzip_bomb_stops_at_the_size_cap(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip_bomb(20))  # four times the cap
    with pytest.raises(FileLimitError, match="unpacks to more than the limit of 5 MB"):
        read(str(path))


@pytest.mark.parametrize("mode,message", [("to-file", "redirected to a file: address"),
                                          ("to-other-port", "redirected to a local address"),
                                          ("loop", "more than 5 redirects")])
def test_redirects_to_file_or_another_local_port_are_refused(hostile, mode, message):
    with pytest.raises(FileLimitError, match=message):
        read(f"{hostile.url}/{mode}")


def test_dev_zero_a_fifo_and_a_symlink_to_a_device_are_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", str(fifo), str(link), "/proc/self/environ", str(tmp_path)):
        out = within(5, read, path)
        assert isinstance(out.get("error"), FileLimitError), (path, out)
        assert "not a regular file" in str(out["error"])


def test_a_local_file_over_the_cap_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as fh:
        fh.truncate(6_000_000)  # sparse: no real disk used
    with pytest.raises(FileLimitError, match=r"more than the limit of 5 MB \(6 MB\)"):
        read(str(path))


def test_a_csv_with_20000_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join("1" * 20_000) + "\n")
    with pytest.raises(FileLimitError, match="20,000 columns in the header, more than the limit of 1,000"):
        read(str(path))


def test_other_schemes_are_refused():
    with pytest.raises(FileLimitError, match="only local paths and http"):
        read("file:///etc/passwd")


def test_the_cli_fails_in_one_line_and_keeps_the_store(tmp_path, monkeypatch, capsys):
    from kinmon import cli, snapshot
    from helpers import sha256

    db = tmp_path / "k.duckdb"
    snapshot.build(db, force=True)
    before = sha256(db)
    monkeypatch.setenv("KINMON_FILE_MAX_BYTES", "1000")
    big = tmp_path / "big.csv"
    big.write_text(CSV * 100)
    assert cli.main(["ingest", "file", str(big), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than the limit of 1,000 bytes (12,900 bytes)" in err
    assert sha256(db) == before
