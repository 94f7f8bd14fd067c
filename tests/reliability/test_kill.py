"""kill -9 at points spread over a Parliament ingest: the store opens with the previous data, the killed run
shows in `status`, and the next run leaves no temp file behind.

The ingest runs in a child process against FakeParliament behind a FaultProxy that slows every answer a little,
so the run lasts long enough for the kill points to fall in every phase (listing, detail fetches, members,
writing, indexing, publishing). Sample: 1 point, when half of a clean run's answers have been read (the run
then holds its private copy, a temp file, and the lock), placed by counting the proxy's answers, not by a
clock; full: 20 points spread over the measured span of a run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from helpers import rows, sha256
from kinmon import store
from kinmon.http import Client
from kinmon.ingest import parliament as parliament_ingest
from kinmon.ingest import read_journal
from kinmon.queries.status import source_status
from replay import ReplayServer
from suite import FaultProxy, Tally, record, size
from test_parliament_ingest import SERVICES, SINCE, UNTIL, FakeParliament

CHILD = textwrap.dedent("""
    import sys
    from datetime import date
    from kinmon.http import Client
    from kinmon.ingest import parliament
    print("ready", flush=True)
    parliament.ingest_parliament(sys.argv[1], date(2024, 1, 1), date(2024, 3, 31), client=Client(sleep=lambda s: None))
    print("done", flush=True)
""")


def child(db, env):
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, time.monotonic()


def test_kill_minus_nine_at_points_over_an_ingest(tmp_path, monkeypatch):
    upstream = ReplayServer().start()
    proxy = FaultProxy(upstream.url)
    points = size(1, 20, "kills")
    proxy.delay = 0.03 if points > 1 else 0.0  # spread out over time only when the points are placed by a clock
    try:
        env = {**os.environ, "KINMON_HTTP_MIN_INTERVAL": "0", **{name: proxy.url for name in SERVICES}}
        for name in SERVICES:
            monkeypatch.setenv(name, proxy.url)
        FakeParliament(upstream)
        db = tmp_path / "kinmon.duckdb"
        with store.writer(db, fresh=True):
            pass
        # The previous data: one clean run, published.
        proxy.plan(None, None)
        parliament_ingest.ingest_parliament(db, SINCE, UNTIL, client=Client(sleep=lambda s: None))
        requests = proxy.count
        previous = rows(db, "SELECT count(*) FROM written_question")[0][0]
        duration = 0.0
        if points > 1:  # how long a run lasts, measured in a child like the killed ones
            timing = tmp_path / "timing.duckdb"
            timing.write_bytes(db.read_bytes())
            proc, began = child(timing, env)
            assert proc.stdout.readline().strip() == "done"  # the ingest's own span, not the interpreter's exit
            duration = time.monotonic() - began
            proc.wait(timeout=120)
        survived = inside = kills = left_behind = 0
        problems = []
        for k in range(points):
            before = sha256(db)
            runs_before = len(read_journal(db))
            proxy.plan(None, None)
            proc, began = child(db, env)
            if points > 1:
                time.sleep(0.9 * duration * (k + 0.5) / points)  # runs vary: keep the points inside the span
            else:
                deadline = time.monotonic() + 60
                while proxy.count < requests // 2 and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.005)  # half the answers read: the run holds its private copy and the lock
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            killed = proc.returncode == -signal.SIGKILL
            finished_first = proc.returncode == 0  # the run beat the kill: it must simply have succeeded
            left_behind += bool(store.temp_files(db))  # what the next run must clean up
            journal = read_journal(db)
            journaled = len(journal) > runs_before
            inside += journaled and killed
            kills += killed
            # Killed before the rename: the previous store, byte for byte, and `status` says interrupted.
            # Killed after it (while journaling): the run's whole new store, which records the run as succeeded.
            published = journaled and rows(db, "SELECT count(*) FROM ingest_run WHERE run_id = ?",
                                           [journal[-1].run_id])[0][0] == 1
            kept = sha256(db) == before or published
            ok = (killed or finished_first) and kept and rows(db, "SELECT count(*) FROM written_question")[0][0] == previous
            if finished_first:
                ok = ok and published and journal[-1].status == "succeeded"
            elif journaled and not published:
                status = source_status(db).set_index("source").loc["parliament"]
                ok = ok and journal[-1].status == "interrupted" and status["last_failure"].endswith("(interrupted)")
            elif published:
                ok = ok and journal[-1].status == "succeeded"
            # the next run, not killed, publishes and cleans up what the killed one left
            parliament_ingest.ingest_parliament(db, SINCE, UNTIL, client=Client(sleep=lambda s: None))
            ok = ok and store.temp_files(db) == [] and read_journal(db)[-1].status == "succeeded"
            if not ok:
                problems.append((k, killed, journaled))
            survived += ok
        where = f"over {duration:.1f} s" if duration else f"after {requests // 2} of {requests} answers"
        record(Tally(f"kill -9 over a Parliament ingest ({inside} of {points} inside the run)", points, survived,
                     size=f"{points} kill points {where}; {left_behind} left temp files for the next run to remove"))
        assert problems == []
        assert inside >= max(1, points // 2)  # most points fall inside the run (runs vary in length)
        assert left_behind >= 1  # at least one kill left a temp file, and the next run removed it
    finally:
        proxy.stop()
        upstream.stop()
