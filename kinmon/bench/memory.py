"""The memory of a real dashboard server with several readers, for the benchmark (issue #11's memory row).

`measure(db, sessions=5)` starts `streamlit run dashboard.py` on the store (a free loopback port, its own
process group), opens `sessions` readers at once (kinmon.bench.pages.ReaderSession: Streamlit's own
websocket protocol, no browser), and has each visit every page of the navigation in turn, each reader
starting at a different page so that all pages are asked for at the same moments. Meanwhile the memory of
the server's whole process tree (the Python server and anything it started, such as the chart-image
browser) is sampled every SAMPLE_S: the peak during the visits, and the settled figure SETTLE_S after the
last visit ends with every reader still connected. `bare_script` measures a bare page's server the same way.

Memory is counted as PSS (proportional set size, /proc/PID/smaps_rollup): each process's private pages
plus its share of pages it shares with others, so a tree's processes add up without counting a shared
library once per process. The server process's own RSS is reported beside it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kinmon.config import PROJECT_ROOT

SAMPLE_S = 0.25
SETTLE_S = 10.0
START_TIMEOUT_S = 120


@dataclass
class MemoryRun:
    sessions: int
    peak_mb: float = 0.0  # PSS of the server's process tree, the highest sample during the visits
    settled_mb: float = 0.0  # the same, SETTLE_S after the last visit
    server_peak_mb: float = 0.0  # PSS of the Python server process alone, its highest sample
    server_peak_rss_mb: float = 0.0  # its RSS
    processes: int = 0  # the most processes the tree had
    visits: int = 0
    failed: list[str] = field(default_factory=list)  # "page: why" of each visit that did not finish cleanly
    seconds: float = 0.0  # wall time of the visits


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def tree(pid: int) -> list[int]:
    """`pid` and every live descendant."""
    kids, out, stack = _children(), [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(kids.get(p, []))
    return out


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_mb(pid: int) -> float:
    return _kb(f"/proc/{pid}/smaps_rollup", "Pss:") / 1024


def tree_pss_mb(pid: int) -> tuple[float, int]:
    """(PSS of `pid` and its descendants in MB, how many processes)."""
    pids = tree(pid)
    return sum(pss_mb(p) for p in pids), len(pids)


def rss_mb(pid: int) -> float:
    return _kb(f"/proc/{pid}/status", "VmRSS:") / 1024


class Sampler:
    """Samples a process tree's PSS in a thread until stopped; keeps the peak and the last sample."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.last, self.processes = pid, 0.0, 0.0, 0
        self.server_peak = self.server_peak_rss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kinmon-bench-memory", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_S)

    def sample(self) -> float:
        pss, n = tree_pss_mb(self.pid)
        self.last, self.peak = pss, max(self.peak, pss)
        self.server_peak, self.processes = max(self.server_peak, pss_mb(self.pid)), max(self.processes, n)
        self.server_peak_rss = max(self.server_peak_rss, rss_mb(self.pid))
        return pss

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` on a free loopback port in its own process group, reading `db`."""

    def __init__(self, script: Path, db: Path | None, log: Path):
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        if db is not None:
            env["KINMON_DB"] = str(db)
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.log = log

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.log.read_text(errors='replace')[-1000:]}")

    def stop(self) -> None:
        """End the server and everything it started (its process group)."""
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        self._log.close()


def _reader(url: str, visits: list[tuple[str, str]], start: threading.Barrier, out: list, lock: threading.Lock,
            done: threading.Barrier) -> None:
    from kinmon.bench.pages import ReaderSession

    session = None
    try:
        session = ReaderSession(url)
        start.wait(START_TIMEOUT_S)
        for page, query in visits:
            v = session.visit(page, query)
            with lock:
                out.append(v)
    except Exception as exc:  # noqa: BLE001 - a reader that cannot connect is a failed visit, said in the row
        with lock:
            out.append(exc)
    finally:
        try:
            done.wait(START_TIMEOUT_S)  # stay connected until every reader is done: settled, not closed
        except threading.BrokenBarrierError:
            pass
        if session is not None:
            session.close()


def measure(db: Path | None, sessions: int = 5, script: Path | None = None,
            visits: tuple[tuple[str, str], ...] | None = None, settle_s: float = SETTLE_S) -> MemoryRun:
    """Start a server (dashboard.py on `db`, or `script`), run `sessions` readers over `visits` (every page
    of the navigation by default, kinmon.bench.workload.SERVER_VISITS) and sample the server's memory."""
    from kinmon.bench.workload import SERVER_VISITS

    visits = visits if visits is not None else SERVER_VISITS
    run = MemoryRun(sessions)
    with tempfile.TemporaryDirectory(prefix="kinmon-bench-memory-") as tmp:
        server = Server(script or PROJECT_ROOT / "dashboard.py", db, Path(tmp) / "server.log")
        try:
            server.wait_healthy()
            sampler = Sampler(server.proc.pid).start()
            results: list = []
            lock = threading.Lock()
            start, done = threading.Barrier(sessions + 1), threading.Barrier(sessions + 1)
            # each reader starts at a different page, so different pages are asked for at the same moment
            orders = [list(visits[i % len(visits):]) + list(visits[:i % len(visits)]) for i in range(sessions)]
            readers = [threading.Thread(target=_reader, args=(server.url, order, start, results, lock, done),
                                        daemon=True) for order in orders]
            for r in readers:
                r.start()
            start.wait(START_TIMEOUT_S)
            t0 = time.perf_counter()
            while any(r.is_alive() for r in readers) and done.n_waiting < sessions:
                time.sleep(0.1)
            run.seconds = time.perf_counter() - t0
            time.sleep(settle_s)
            run.settled_mb = sampler.sample()
            done.wait(START_TIMEOUT_S)
            for r in readers:
                r.join(timeout=30)
            sampler.stop()
        finally:
            server.stop()
    run.peak_mb, run.processes = sampler.peak, sampler.processes
    run.server_peak_mb, run.server_peak_rss_mb = sampler.server_peak, sampler.server_peak_rss
    for v in results:
        if isinstance(v, Exception):
            run.failed.append(f"a reader: {type(v).__name__}: {str(v)[:100]}")
            continue
        run.visits += 1
        if v.error or v.exceptions:
            run.failed.append(f"{v.page or 'home'}?{v.query}: {v.error or f'{v.exceptions} exception(s)'}")
    return run


def bare(sessions: int = 5, settle_s: float = SETTLE_S) -> MemoryRun:
    """The same readers on a bare page's server: Streamlit's own memory, the floor under any app."""
    from kinmon.bench.pages import BARE_PAGE

    with tempfile.TemporaryDirectory(prefix="kinmon-bench-bare-") as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_PAGE, encoding="utf-8")
        return measure(None, sessions, script=script, visits=(("", ""),) * 3, settle_s=settle_s)
