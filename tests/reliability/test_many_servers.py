"""Serving many readers: three dashboard servers on one published store keep answering while an ingest publishes,
and every one of them shows the new data (README, "Serving many readers")."""

from __future__ import annotations

import threading
import time

import servers
import wsclient
from kinmon import store
from kinmon.queries import tables
from kinmon.ingest.statistics import ingest_file
from suite import Tally, record, size

HEADER = "time_period,time_identifier,geographic_level,country_code,country_name,multi_server_marker"


def test_three_servers_on_one_store_answer_through_publishes_with_the_new_data(fresh_server, tmp_path):
    # The suite's fresh server (conftest.py) and two more started on its store: the first-start part has built it
    if fresh_server.fresh:  # run on its own: the first visit builds the store
        assert wsclient.visit(fresh_server.server.url, "about", "", timeout=120).ok
    shared, db = fresh_server.take(), fresh_server.db
    fleet = [shared, *servers.start_many(db, [tmp_path / f"server{k}.log" for k in range(2)])]
    since = shared.mark()
    publishes = size(1, 5)
    visits: list[wsclient.Visit] = []
    stop = threading.Event()

    def readers(server) -> None:
        while not stop.is_set():
            for page in ("data", "statistics"):  # the data page shows the store's row counts
                visits.append(wsclient.visit(server.url, page, "", timeout=90))
                if stop.is_set():
                    break
                time.sleep(0.2)  # a reader reads: three servers drawing without a pause would starve the writer
    threads = [threading.Thread(target=readers, args=(s,), daemon=True) for s in fleet]
    try:
        for t in threads:
            t.start()
        for n in range(publishes):
            csv = tmp_path / "multi_server.csv"
            csv.write_text(f"{HEADER}\n2024,Financial year,National,E92000001,England,{7000 + n}\n")
            ingest_file(db, csv)
            time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        # every server now serves the last publish
        latest = [wsclient.visit(s.url, "data", "", timeout=90) for s in fleet]
    finally:
        stop.set()
        for s in fleet[1:]:
            s.stop()
    bad = [(v.page, v.exceptions[:1], v.failure) for v in visits + latest if not v.ok]
    tracebacks = shared.tracebacks(since) + sum(s.tracebacks() for s in fleet[1:])
    con = store.connect_readonly(db)
    observations = len(tables.frame(con, "observations"))
    con.close()
    shown = f"(`observations`): {observations:,} rows"  # the Data page's count of the newest store
    fresh = [any(shown in t for t in v.texts) for v in latest]
    record(Tally(f"3 servers on one store, {publishes} publishes while serving", len(visits) + len(latest),
                 len(visits) + len(latest) - len(bad), tracebacks=tracebacks,
                 size=f"{len(visits)} visits during publishes; new data on {sum(fresh)} of 3 servers"))
    assert bad == [] and tracebacks == 0
    assert all(fresh), (shown, [[t for t in v.texts if "observations" in t] for v in latest])
