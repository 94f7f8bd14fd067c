"""Faults at every request index of a Parliament and an EES ingest: each run either fails with the store byte
for byte as it was, or succeeds with exactly a clean run's rows.

The ingest talks to a FaultProxy in front of the usual replays (FakeParliament, the EES fixtures). A clean run
counts the requests; then, for each fault kind and each request index, the fault replaces that request's answer
(the *-always kinds: that one and every later one). Sample: one seeded request index per fault kind (a short
page on a listing), 12 runs per ingest; full (KINMON_RELIABILITY=full): every pair.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import rows, sha256
from kinmon import store
from kinmon.http import Client
from kinmon.ingest import IngestError, read_journal
from kinmon.ingest import parliament as parliament_ingest
from kinmon.ingest.statistics import ingest_statistics
from replay import ReplayServer
from suite import FAULTS, READ_TIMEOUT, FaultProxy, Tally, record, rng, size
from test_parliament_ingest import SERVICES, SINCE, UNTIL, FakeParliament

PARLIAMENT_KEYS = {"written_question": "id", "statement": "id", "contribution": "contribution_id",
                   "debate": "debate_id", "member": "member_id", "priority_tag": "item_type, item_id, priority_id"}
EES_KEYS = {"observation": "series_id, time_period, geographic_level, geography_code, filter_key, release_id, "
                           "value, suppression", "release": "release_id", "series": "series_id"}


def keys(db: Path, tables: dict[str, str]) -> dict[str, set]:
    return {t: set(rows(db, f"SELECT {cols} FROM {t}")) for t, cols in tables.items()}


def no_sleep(seconds: float) -> None:
    pass


@pytest.fixture
def fast_http(monkeypatch):
    monkeypatch.setenv("KINMON_HTTP_TIMEOUT", str(READ_TIMEOUT))
    monkeypatch.setenv("KINMON_HTTP_RETRIES", "2")
    monkeypatch.setenv("KINMON_HTTP_MIN_INTERVAL", "0")


def choose(name: str, requests: int, listings: list[int], n: int) -> list[tuple[int, str]]:
    """`n` (index, fault) pairs of `requests` x FAULTS, every fault kind in turn, each at request indices in a
    seeded order, so a sample as small as one pair per kind still tries each kind. A short page is tried on a
    listing answer (elsewhere it changes nothing); every pair once n reaches len(pairs)."""
    r = rng(name)
    orders = {}
    for fault in FAULTS:
        where = listings if fault == "short-page" and listings else list(range(requests))
        rest = [i for i in range(requests) if i not in where]
        orders[fault] = r.sample(where, len(where)) + r.sample(rest, len(rest))
    chosen = []
    for k in range(requests):
        for fault in FAULTS:
            if len(chosen) < n:
                chosen.append((orders[fault][k], fault))
    return chosen


def sweep(name: str, start_db: Path, tmp_path: Path, proxy: FaultProxy, ingest, key_tables: dict[str, str]):
    """Run the clean ingest, then every planned fault; return the tally (asserting nothing was lost)."""
    clean_db = tmp_path / "clean.duckdb"
    shutil.copyfile(start_db, clean_db)
    proxy.plan(None, None)
    ingest(clean_db)
    requests = proxy.count
    clean = keys(clean_db, key_tables)
    assert requests > 5 and any(clean.values())
    pairs = [(i, f) for f in FAULTS for i in range(requests)]
    chosen = choose(name, requests, sorted(proxy.listings), size(len(FAULTS), len(pairs), "faults"))
    assert {f for _, f in chosen} == set(FAULTS) or len(chosen) < len(FAULTS)
    before = sha256(start_db)
    survived = lost = 0
    problems = []
    for index, fault in chosen:
        db = tmp_path / "run.duckdb"
        shutil.copyfile(start_db, db)
        journal = Path(str(db) + ".runs.jsonl")
        journal.unlink(missing_ok=True)
        proxy.plan(index, fault)
        try:
            ingest(db)
        except IngestError:
            ok = sha256(db) == before and read_journal(db)[-1].status == "failed" and not store.temp_files(db)
            if not ok:
                problems.append((index, fault, "failed but the store changed"))
        else:
            got = keys(db, key_tables)
            missing = sum(len(clean[t] - got[t]) for t in clean)
            extra = sum(len(got[t] - clean[t]) for t in clean)
            lost += missing
            ok = missing == 0 and extra == 0
            if not ok:
                problems.append((index, fault, f"succeeded with {missing} rows missing, {extra} extra"))
        survived += ok
    tally = Tally(f"faults: {name} ingest ({requests} requests x {len(FAULTS)} faults)", len(chosen), survived,
                  rows_lost=lost, size=f"{len(chosen)} of {len(pairs)} (index, fault) pairs")
    record(tally)
    assert problems == []
    return tally


def test_faults_at_every_request_of_a_parliament_ingest(tmp_path, monkeypatch, fast_http):
    upstream = ReplayServer().start()
    proxy = FaultProxy(upstream.url)
    try:
        for name in SERVICES:
            monkeypatch.setenv(name, proxy.url)
        FakeParliament(upstream)
        start = tmp_path / "start.duckdb"
        with store.writer(start, fresh=True):
            pass

        def ingest(db):
            return parliament_ingest.ingest_parliament(db, SINCE, UNTIL, client=Client(sleep=no_sleep))
        sweep("Parliament", start, tmp_path, proxy, ingest, PARLIAMENT_KEYS)
    finally:
        proxy.stop()
        upstream.stop()


def test_faults_at_every_request_of_an_ees_ingest(tmp_path, monkeypatch, fast_http):
    from fixtures_ees import serve_ceased, serve_cin, write_registry

    upstream = ReplayServer().start()
    proxy = FaultProxy(upstream.url)
    try:
        monkeypatch.setenv("KINMON_EES_API", proxy.url)
        serve_ceased(upstream, versions=("1.0",))
        serve_cin(upstream)
        registry = write_registry(tmp_path / "series.json")
        start = tmp_path / "start.duckdb"
        with store.writer(start, fresh=True):
            pass

        def ingest(db):
            return ingest_statistics(db, registry_path=registry, client=Client(sleep=no_sleep))
        sweep("EES", start, tmp_path, proxy, ingest, EES_KEYS)
    finally:
        proxy.stop()
        upstream.stop()
