"""Hostile `ingest file` inputs: each fails with a one-line error naming the problem and the store unchanged
(or, for a valid file in another encoding, loads nothing it should not); memory stays bounded.

Inputs: an image, JSON, random bytes, latin-1 and UTF-16 text, a CSV without the EES columns, ragged rows,
a corrupt gzip, a gzip bomb, a huge file of rows (sample 50 MB, full 500 MB, with a 100 MB cap: refused before
it is read, in bounded memory), /dev/zero, a FIFO, a symlink to a device, an HTML page served with 200, and
URLs that trickle, never end, redirect to file:// or to another local port.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from helpers import sha256
from hostile import CSV, HostileServer, gzip_bomb
from kinmon import store
from kinmon.ingest import IngestError
from kinmon.ingest.statistics import ingest_file
from suite import Tally, record, size

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
NO_EES = "name,value\nalpha,1\nbeta,2\n"


def local_inputs(folder):
    files = {
        "image.csv": PNG, "data.json": b'{"results": [1, 2, 3]}', "random.csv": os.urandom(4096),
        "latin1.csv": CSV.replace("England", "Englánd").encode("latin-1"),
        "utf16.csv": CSV.encode("utf-16"), "no-ees-columns.csv": NO_EES.encode(),
        "ragged.csv": (CSV + "2024,Financial year,National\n").encode(),
        "corrupt.csv.gz": b"\x1f\x8b\x08\x00" + os.urandom(500), "bomb.csv.gz": gzip_bomb(size(30, 1000)),
        "wide.csv": (",".join(f"c{i}" for i in range(20_000)) + "\n").encode(),
    }
    out = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out.append(str(folder / name))
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    link = folder / "zero.csv"
    link.symlink_to("/dev/zero")
    return out + ["/dev/zero", str(fifo), str(link), "/proc/self/environ"]


def test_hostile_files_fail_in_one_line_and_keep_the_store(tmp_path, monkeypatch):
    # Sample: a 1.5 s deadline (the trickle's end) and a 10 MB cap; full: 3 s and 100 MB. The bombs unpack to
    # twice the cap or more either way, so each input still meets the limit it is there for.
    monkeypatch.setenv("KINMON_FILE_DEADLINE", str(size(1.5, 3)))
    monkeypatch.setenv("KINMON_FILE_MAX_BYTES", str(size(10, 100) * 1_000_000))
    db = tmp_path / "kinmon.duckdb"
    with store.writer(db, fresh=True):
        pass
    server, other = HostileServer(limit_seconds=10, bomb_mb=size(30, 300)), HostileServer(limit_seconds=10)
    server.other_url = other.url
    inputs = local_inputs(tmp_path) + [f"{server.url}/{m}" for m in (
        "trickle.csv", "endless.csv", "huge.csv", "liar.csv", "bomb.csv.gz", "bomb-encoded.csv", "to-file",
        "to-other-port", "loop", "html", "reset")]
    before = sha256(db)
    problems = []
    try:
        for address in inputs:
            try:
                ingest_file(db, address)
                problems.append((address, "loaded"))
            except IngestError as exc:
                message = str(exc)
                if "\n" in message.strip() or "Traceback" in message or sha256(db) != before:
                    problems.append((address, message[:200]))
    finally:
        server.stop()
        other.stop()
    record(Tally("hostile ingest file inputs (one-line error, store unchanged)", len(inputs),
                 len(inputs) - len(problems), size=f"{len(inputs)} inputs"))
    assert problems == []


BIG = textwrap.dedent("""
    import resource, sys
    from kinmon.ingest.statistics import ingest_file
    from kinmon.ingest import IngestError
    try:
        ingest_file(sys.argv[1], sys.argv[2])
        print("loaded")
    except IngestError as exc:
        print("refused:", exc)
    print("maxrss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
""")


def test_a_huge_file_of_rows_is_refused_in_bounded_memory(tmp_path):
    db = tmp_path / "kinmon.duckdb"
    with store.writer(db, fresh=True):
        pass
    big = tmp_path / "huge.csv"
    row = CSV.splitlines()[1] + "\n"
    megabytes = size(30, 500)
    with open(big, "w") as fh:
        fh.write(CSV.splitlines()[0] + "\n")
        block = row * (1_000_000 // len(row))
        for _ in range(megabytes):
            fh.write(block)
    before = sha256(db)
    env = {**os.environ, "KINMON_FILE_MAX_BYTES": "20000000"}
    out = subprocess.run([sys.executable, "-c", BIG, str(db), str(big)], env=env, capture_output=True, text=True,
                         timeout=300)
    lines = out.stdout.splitlines()
    rss = int(lines[-1].split()[1])
    ok = lines[0].startswith("refused:") and "KINMON_FILE_MAX_BYTES" in lines[0] and sha256(db) == before
    record(Tally(f"huge ingest file ({megabytes} MB of rows): refused, peak memory {rss} MB", 1, int(ok and rss < 600),
                 size=f"{megabytes} MB"))
    assert ok, out.stdout + out.stderr
    assert rss < 600, f"peak memory {rss} MB"
    big.unlink()


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_other_encodings_say_so(tmp_path, encoding):
    db = tmp_path / "kinmon.duckdb"
    with store.writer(db, fresh=True):
        pass
    path = tmp_path / "x.csv"
    path.write_bytes(CSV.replace("England", "Englánd").encode(encoding))
    with pytest.raises(IngestError, match="not UTF-8 text|unreadable|missing the EES columns"):
        ingest_file(db, path)
