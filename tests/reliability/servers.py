"""Real dashboard servers for the reliability tests: `streamlit run dashboard.py` on a free loopback port,
its output kept in a log file so a test can count the tracebacks the server printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kinmon.config import PROJECT_ROOT

# Every page's url_path (dashboard.py) with a query string that exercises its filters.
PAGES = {
    "": "", "priorities": "priority=2", "search": "q=%22special+guardianship%22", "parliament": "",
    "statistics": "", "members": "", "timeline": "priority=3", "changelog": "", "data": "", "about": "",
}

# Every URL parameter a page reads (tests/reliability/test_fuzz.py checks the pages for new ones): the fuzz and
# XSS parts set them.
PAGE_PARAMS = ("q", "doc", "priority", "types", "house", "party", "member", "dept", "status", "kind", "named",
               "since", "from", "to", "tabled_from", "tabled_to", "answered_from", "answered_to", "measure", "level",
               "place", "breakdown", "vintages", "year", "series", "feed", "by", "show", "table", "activity",
               "councils", "evidence", "ratings", "questions", "commitments", "new", "results", "db", "find",
               "undated", "tab", "topic")


def page_params() -> set[str]:
    """The URL parameters the pages read, found in their source: the keys of ui.url_* widgets, of tabs bound to
    the address, and of the Search page's facet and date tables."""
    import re

    found: set[str] = set()
    for page in sorted((PROJECT_ROOT / "pages").glob("*.py")):
        text = page.read_text(encoding="utf-8")
        found |= set(re.findall(r'url_\w+\([^\n]*?key="([a-z_]+)"', text))
        found |= set(re.findall(r'key="([a-z_]+)", bind="query-params"', text))
        found |= set(re.findall(r'^\s*\("([a-z_]+)", "[A-Z][a-z]', text, re.M))  # FACETS rows
        found |= set(re.findall(r'\(c\d, "([a-z_]+)", "[A-Z]', text))  # the date filters' loop
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen
    url: str
    log: Path

    def serving_log(self, since: int = 0) -> str:
        """The log up to the server's shutdown: what readers could have met (not the interpreter's exit, where
        a chart-image browser's profile folder may still be in use while its temp folder is removed); from
        `since` (a mark()) on, for one test's share of a server that several tests use."""
        return self.log.read_text(errors="replace")[since:].split("\n  Stopping...", 1)[0]

    def mark(self) -> int:
        """Where the log ends now (the server writes it unbuffered): tracebacks(since=mark) counts what follows."""
        return len(self.log.read_text(errors="replace"))

    def tracebacks(self, since: int = 0) -> int:
        return self.serving_log(since).count("Traceback (most recent call last)")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def start(db: Path, log: Path, *, extra_env: dict | None = None) -> Server:
    """A dashboard on its own port reading `db` (built from the snapshot by the first start if missing)."""
    return healthy(launch(db, log, extra_env=extra_env))


def start_many(db: Path, logs: list[Path], *, extra_env: dict | None = None) -> list[Server]:
    """Several dashboards on one store, started together (each then waited for)."""
    launched = [launch(db, log, extra_env=extra_env) for log in logs]
    try:
        return [healthy(s) for s in launched]
    except RuntimeError:
        for s in launched:
            s.stop()
        raise


def launch(db: Path, log: Path, *, extra_env: dict | None = None) -> Server:
    """`streamlit run dashboard.py` on a free loopback port, not yet waited for."""
    port = free_port()
    # unbuffered: a test that shares a running server counts the tracebacks its own visits caused
    env = {**os.environ, "KINMON_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    fh = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=PROJECT_ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, text=True)
    fh.close()
    return Server(proc, f"http://127.0.0.1:{port}", log)


def healthy(server: Server) -> Server:
    """`server` once it answers its health check; stopped, with its log's end in the error, if it never does."""
    proc, log = server.proc, server.log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    server.stop()
    raise RuntimeError(f"the dashboard did not start: {log.read_text()[-2000:]}")
