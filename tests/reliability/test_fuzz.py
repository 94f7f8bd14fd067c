"""Fuzzed query strings over every page's URL parameters: 0 tracebacks, every run ends.

Each visit opens one page (a websocket session, tests/reliability/wsclient.py) with a query string built from
the page's real parameter names and hostile values: nonsense, huge, unicode, control characters, repeated keys,
dates that are not dates, numbers out of range, SQL and HTML. Sample: one visit of every page, each query string
setting every parameter name at once (470 fuzzed values in 10 visits); full: 10,000 query strings of 1 to 5
parameters each.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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


def test_fuzzed_query_strings_never_give_a_traceback(snapshot_store, tmp_path):
    count = size(0, 10_000, "fuzz")
    r = rng("fuzz")
    pages = [p for p in servers.PAGES]
    if count:
        plan = [(r.choice(pages), query_string(r)) for _ in range(count)]
    else:  # the sample: every page once, every parameter fuzzed in each visit
        plan = [(page, every_parameter(r)) for page in pages]
    values = sum(q.count("&") + 1 for _, q in plan)
    server = servers.start(snapshot_store, tmp_path / "server.log")
    try:
        with ThreadPoolExecutor(4) as pool:
            visits = list(pool.map(lambda pq: wsclient.visit(server.url, *pq, timeout=90), plan))
    finally:
        server.stop()
    bad = [(v.page, v.query[:80], v.exceptions[:1], v.failure) for v in visits if not v.ok]
    tracebacks = server.tracebacks()
    record(Tally(f"fuzz: {len(plan):,} query strings over every page's parameters", len(plan), len(plan) - len(bad),
                 tracebacks=tracebacks + sum(len(v.exceptions) for v in visits),
                 size=f"{len(plan):,} visits, {values:,} fuzzed values"))
    assert bad == []
    assert tracebacks == 0, server.log.read_text()[-3000:]
