"""Concurrent sessions over every page of a freshly started server while an ingest publishes new stores.

Each session (a websocket client speaking Streamlit's protocol, tests/reliability/wsclient.py) opens every page
in its own order; meanwhile `ingest file` publishes a new store several times (atomic renames under the
readers); a session that has seen its pages before the last publish keeps visiting them until it is done, so
every publish lands under readers. Sample: 3 sessions over 3 pages, 2 publishes, on the suite's fresh server
after the first-start part (conftest.py); full: 20 sessions over every page, 5 publishes, on a server of its own
started on an empty store (the first visitor builds it). 0 exceptions on any page, 0
tracebacks in the server's log.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import servers
import wsclient
from kinmon.ingest.statistics import ingest_file
from suite import FULL, Tally, record, rng, size

HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,children"


def publisher(db, folder, times: int, done: list, errors: list, finished: threading.Event) -> None:
    try:
        deadline = time.monotonic() + 120
        while not db.exists() and time.monotonic() < deadline:  # the server's first start builds it
            time.sleep(0.2)
        time.sleep(0.3)
        publish(db, folder, times, done, errors)
    finally:
        finished.set()


def publish(db, folder, times: int, done: list, errors: list) -> None:
    for n in range(times):
        csv = folder / "kinship_load.csv"
        csv.write_text(f"{HEADER}\n2024,Financial year,National,E92000001,England,{1000 + n}\n")
        try:
            ingest_file(db, csv)
            done.append(n)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(repr(exc))
        time.sleep(0.3)


def test_sessions_over_every_page_while_an_ingest_publishes(fresh_server, tmp_path):
    sessions, publishes = size(3, 20), size(2, 5)
    if FULL:  # a server of its own, fresh, on an empty store (the first visitor builds it)
        db = tmp_path / "kinmon.duckdb"
        server = servers.start(db, tmp_path / "server.log")
    else:  # the suite's fresh server, its store built by the first-start part's visitors (or by these)
        db, server = fresh_server.db, fresh_server.take()
    since = server.mark()
    done: list = []
    errors: list = []
    finished = threading.Event()
    pub = threading.Thread(target=publisher, args=(db, tmp_path, publishes, done, errors, finished), daemon=True)
    pub.start()
    pages = list(servers.PAGES.items()) if FULL else [(p, servers.PAGES[p]) for p in ("", "data", "statistics")]
    try:
        def session(k: int) -> list[wsclient.Visit]:
            order = pages[:]
            rng(f"load{k}").shuffle(order)
            seen = [wsclient.visit(server.url, page, query, timeout=120) for page, query in order]
            stay = time.monotonic() + 300
            while not finished.is_set() and time.monotonic() < stay:  # readers stay on until the last publish
                page, query = order[len(seen) % len(order)]
                seen.append(wsclient.visit(server.url, page, query, timeout=120))
            return seen
        with ThreadPoolExecutor(sessions) as pool:
            visits = [v for vs in pool.map(session, range(sessions)) for v in vs]
        pub.join(timeout=180)
    finally:
        if FULL:
            server.stop()
    bad = [(v.page, v.exceptions[:1], v.failure) for v in visits if not v.ok]
    tracebacks = server.tracebacks(since)
    record(Tally(f"load: {sessions} sessions x every page, {publishes} publishes, fresh server", len(visits),
                 len(visits) - len(bad), tracebacks=tracebacks + sum(len(v.exceptions) for v in visits),
                 size=f"{sessions} sessions, {len(pages)} pages, {len(done)} publishes"))
    assert errors == [] and len(done) == publishes
    assert bad == []
    assert tracebacks == 0, server.serving_log(since)[-3000:]
