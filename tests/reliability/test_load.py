"""Concurrent sessions over every page of a freshly started server while an ingest publishes new stores.

Each session (a websocket client speaking Streamlit's protocol, tests/reliability/wsclient.py) opens every page
in its own order; meanwhile `ingest file` publishes a new store several times (atomic renames under the
readers). Sample: 4 sessions, 2 publishes; full: 20 sessions, 5 publishes. 0 exceptions on any page, 0
tracebacks in the server's log.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import servers
import wsclient
from kinmon.ingest.statistics import ingest_file
from suite import Tally, record, rng, size

HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,children"


def publisher(db, folder, times: int, done: list, errors: list) -> None:
    deadline = time.monotonic() + 120
    while not db.exists() and time.monotonic() < deadline:  # the server's first start builds it
        time.sleep(0.2)
    time.sleep(1.0)
    for n in range(times):
        csv = folder / "kinship_load.csv"
        csv.write_text(f"{HEADER}\n2024,Financial year,National,E92000001,England,{1000 + n}\n")
        try:
            ingest_file(db, csv)
            done.append(n)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        time.sleep(0.5)


def test_sessions_over_every_page_while_an_ingest_publishes(tmp_path):
    sessions, publishes = size(2, 20), size(2, 5)
    db = tmp_path / "kinmon.duckdb"
    server = servers.start(db, tmp_path / "server.log")
    done: list = []
    errors: list = []
    pub = threading.Thread(target=publisher, args=(db, tmp_path, publishes, done, errors), daemon=True)
    pub.start()
    pages = list(servers.PAGES.items()) if size(0, 1) else [(p, servers.PAGES[p]) for p in ("", "data", "statistics")]
    try:
        def session(k: int) -> list[wsclient.Visit]:
            order = pages[:]
            rng(f"load{k}").shuffle(order)
            return [wsclient.visit(server.url, page, query, timeout=120) for page, query in order]
        with ThreadPoolExecutor(sessions) as pool:
            visits = [v for vs in pool.map(session, range(sessions)) for v in vs]
        pub.join(timeout=180)
    finally:
        server.stop()
    bad = [(v.page, v.exceptions[:1], v.failure) for v in visits if not v.ok]
    tracebacks = server.tracebacks()
    record(Tally(f"load: {sessions} sessions x every page, {publishes} publishes, fresh server", len(visits),
                 len(visits) - len(bad), tracebacks=tracebacks + sum(len(v.exceptions) for v in visits),
                 size=f"{sessions} sessions, {len(pages)} pages, {len(done)} publishes"))
    assert errors == [] and len(done) == publishes
    assert bad == []
    assert tracebacks == 0, server.log.read_text()[-3000:]
