"""Fuzzed query strings over every page's URL parameters: 0 tracebacks, every run ends.

Each visit opens one page (a websocket session, tests/reliability/wsclient.py) with a query string built from
the page's real parameter names and hostile values: nonsense, huge, unicode, control characters, repeated keys,
dates that are not dates, numbers out of range, SQL and HTML. Sample: 60 visits; full: 10,000.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import servers
import wsclient
from suite import Tally, record, rng, size

PARAMS = ("q", "doc", "priority", "types", "house", "party", "member", "dept", "status", "kind", "named", "since",
          "from", "to", "tabled_from", "tabled_to", "answered_from", "answered_to", "measure", "level", "place",
          "breakdown", "vintages", "year", "series", "feed", "by", "show", "table", "activity", "councils", "evidence",
          "ratings", "questions", "commitments", "new", "results", "db")
VALUES = ("", "0", "-1", "8", "99999999999999999999", "1e308", "nan", "NaN", "None", "null", "true", "1", "2",
          "2024-02-30", "0000-00-00", "9999-12-31", "2024-13-01", "yesterday", "question:", "question:abc",
          "question:-1", "question:99999999999", "debate:", "statement:1", "contribution:'", ":", "::",
          "' OR 1=1 --", "\"; DROP TABLE written_question; --", "<script>alert(1)</script>", "%00", "\x00", "\r\n",
          "\u202e\u0627\u0644", "🙂" * 50, "a" * 5000, "*" * 300, '"unclosed', "OR", "NOT", "-", "(", ")",
          "special guardianship", "E92000001", "National", "Local authority", "cla_in_kinship_foster_care_pct_of_all_cla",
          "Commons", "Lords", "Labour", "answered", "holding", "yes", "no", "all", "../../etc/passwd")


def query_string(r) -> str:
    parts = []
    for _ in range(r.randint(1, 5)):
        name = r.choice(PARAMS) if r.random() < 0.9 else r.choice(("x", "__proto__", "embed", "q[]", ""))
        value = r.choice(VALUES) if r.random() < 0.8 else "".join(chr(r.randint(1, 0x2FFF)) for _ in range(r.randint(1, 40)))
        parts.append(f"{quote(name)}={quote(value)}")
    return "&".join(parts)


def test_fuzzed_query_strings_never_give_a_traceback(snapshot_store, tmp_path):
    count = size(15, 10_000, "fuzz")
    r = rng("fuzz")
    pages = [p for p in servers.PAGES]
    plan = [(r.choice(pages), query_string(r)) for _ in range(count)]
    server = servers.start(snapshot_store, tmp_path / "server.log")
    try:
        with ThreadPoolExecutor(4) as pool:
            visits = list(pool.map(lambda pq: wsclient.visit(server.url, *pq, timeout=90), plan))
    finally:
        server.stop()
    bad = [(v.page, v.query[:80], v.exceptions[:1], v.failure) for v in visits if not v.ok]
    tracebacks = server.tracebacks()
    record(Tally(f"fuzz: {count:,} query strings over every page's parameters", count, count - len(bad),
                 tracebacks=tracebacks + sum(len(v.exceptions) for v in visits), size=f"{count:,} visits"))
    assert bad == []
    assert tracebacks == 0, server.log.read_text()[-3000:]
