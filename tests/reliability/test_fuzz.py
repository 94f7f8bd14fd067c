"""Fuzzed query strings over every page's URL parameters: 0 tracebacks, every run ends.

Each visit opens one page (a websocket session, tests/reliability/wsclient.py) with a query string built from
the page's real parameter names and hostile values: nonsense, huge, unicode, control characters, repeated keys,
dates that are not dates, numbers out of range, SQL and HTML. Sample: one visit of every page, each query string
setting every parameter name at once (470 fuzzed values in 10 visits); full: 10,000 query strings of 1 to 5
parameters each, spread over several servers (one per core) on the same store.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from urllib.parse import quote

import servers
import wsclient
from suite import Tally, record, rng, size

PARAMS = servers.PAGE_PARAMS
VALUES = ("", "0", "-1", "8", "99999999999999999999", "1e308", "nan", "NaN", "None", "null", "true", "1", "2",
          "2024-02-30", "0000-00-00", "9999-12-31", "2024-13-01", "yesterday", "question:", "question:abc",
          "question:-1", "question:99999999999", "debate:", "statement:1", "contribution:'", ":", "::",
          "' OR 1=1 --", "\"; DROP TABLE written_question; --", "<script>alert(1)</script>", "%00", "\x00", "\r\n",
          "\u202e\u0627\u0644", "🙂" * 50, "a" * 5000, "*" * 300, '"unclosed', "OR", "NOT", "-", "(", ")",
          "special guardianship", "E92000001", "National", "Local authority", "cla_in_kinship_foster_care_pct_of_all_cla",
          "Commons", "Lords", "Labour", "answered", "holding", "yes", "no", "all", "../../etc/passwd")


def fuzz_value(r) -> str:
    return r.choice(VALUES) if r.random() < 0.8 else "".join(chr(r.randint(1, 0x2FFF)) for _ in range(r.randint(1, 40)))


def query_string(r) -> str:
    parts = []
    for _ in range(r.randint(1, 5)):
        name = r.choice(PARAMS) if r.random() < 0.9 else r.choice(("x", "__proto__", "embed", "q[]", ""))
        parts.append(f"{quote(name)}={quote(fuzz_value(r))}")
    return "&".join(parts)


def every_parameter(r) -> str:
    """One query string setting every parameter name (and a few that no page reads) to a fuzzed value."""
    names = [*PARAMS, "x", "__proto__", "embed", "q[]", ""]
    return "&".join(f"{quote(name)}={quote(fuzz_value(r))}" for name in r.sample(names, len(names)))


def test_the_fuzz_sets_every_parameter_a_page_reads():
    assert servers.page_params() - set(PARAMS) == set(), "a page reads a URL parameter the fuzz does not set"


def fleet_size() -> int:
    """Servers the full fuzz spreads its visits over: one per core (a Streamlit server runs its sessions' scripts
    in threads of one process, so one server draws at most one core's worth of pages)."""
    given = os.environ.get("KINMON_RELIABILITY_FUZZ_SERVERS", "")
    return int(given) if given.isdigit() and int(given) > 0 else max(1, os.cpu_count() or 1)


def visit_all(fleet: list, plan: list[tuple[str, str]], per_server: int) -> list[wsclient.Visit]:
    """Every (page, query) of `plan`, each a fresh session (its own websocket, so no widget state carries over
    from an earlier visit), `per_server` sessions at a time on each server of `fleet`, taking the next
    address from one shared queue (a slower server simply takes fewer)."""
    todo = iter(enumerate(plan))
    lock = threading.Lock()
    out: list = [None] * len(plan)

    def worker(server) -> None:
        while True:
            with lock:
                job = next(todo, None)
            if job is None:
                return
            k, (page, query) = job
            out[k] = wsclient.visit(server.url, page, query, timeout=120)
    threads = [threading.Thread(target=worker, args=(s,), daemon=True) for s in fleet for _ in range(per_server)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# Streamlit's forced full garbage collection after every script run, off on the full fuzz's servers: half of a
# fuzzed page run's CPU on this machine (0.29 s against 0.145 s a visit, 200 visits each way), and nothing a page
# shows or raises depends on it (Python still collects as it allocates).
NO_POST_RUN_GC = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"}


def test_fuzzed_query_strings_never_give_a_traceback(hostile_store, hostile_server, tmp_path):
    """On the suite's hostile store (every upstream field carrying payloads, conftest.py). The sample's 10 visits
    go to the shared server, configured as deployed; the full fuzz's to servers of its own on that store, one per
    core (KINMON_RELIABILITY_FUZZ_SERVERS), 3 sessions at a time each, with NO_POST_RUN_GC."""
    count = size(0, 10_000, "fuzz")
    r = rng("fuzz")
    pages = [p for p in servers.PAGES]
    if count:
        plan = [(r.choice(pages), query_string(r)) for _ in range(count)]
    else:  # the sample: every page once, every parameter fuzzed in each visit
        plan = [(page, every_parameter(r)) for page in pages]
    values = sum(q.count("&") + 1 for _, q in plan)
    since = hostile_server.mark()
    fleet = [hostile_server]
    if count:
        fleet = servers.start_many(hostile_store[0], [tmp_path / f"server{k}.log" for k in range(fleet_size())],
                                   extra_env=NO_POST_RUN_GC)
    began = time.monotonic()
    try:
        visits = visit_all(fleet, plan, per_server=3 if count else 4)
        took = time.monotonic() - began
    finally:
        for s in fleet:
            if s is not hostile_server:
                s.stop()
    bad = [(v.page, v.query[:80], v.exceptions[:1], v.failure) for v in visits if not v.ok]
    tracebacks = sum(s.tracebacks(since if s is hostile_server else 0) for s in fleet)
    shares = Counter(v.base_url for v in visits)
    spread = f"{len(fleet)} servers ({' + '.join(f'{shares[s.url]:,}' for s in fleet)} visits), post-run GC off"
    record(Tally(f"fuzz: {len(plan):,} query strings over every page's parameters", len(plan), len(plan) - len(bad),
                 tracebacks=tracebacks + sum(len(v.exceptions) for v in visits),
                 size=f"{len(plan):,} visits, {values:,} fuzzed values in {took:.0f} s" + (f"; {spread}" if count else "")))
    assert bad == []
    assert tracebacks == 0, "\n".join(s.serving_log()[-3000:] for s in fleet)
