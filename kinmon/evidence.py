"""Suggested evidence: link each commitment to the parliamentary records that probably speak to it.

A record is suggested for a commitment when it is tagged to one of the commitment's priorities, is dated
on or after the commitment was announced, and shares a distinctive word with the commitment's title
(for example "allowance", "ambassador", "guidance"). Suggestions are stored with method 'suggested' and
never replace a curated link; the page says which is which.
"""

from __future__ import annotations

import re

import duckdb

from kinmon.store import evidence as evidence_store

MAX_SUGGESTIONS = 5
MIN_WORD = 5
# Words too common in this field to tell one commitment from another.
STOPWORDS = frozenset("""
kinship care carer carers children child families family support local authority authorities government
national strategy million funding fund england their which would about through under other being these those
where there into from with will have been more first years year new published publish announced
""".split())


def distinctive_words(title: str) -> list[str]:
    words = re.findall(r"[a-z]+", title.lower())
    return sorted({w for w in words if len(w) >= MIN_WORD and w not in STOPWORDS})


def suggest(con: duckdb.DuckDBPyConnection, limit: int = MAX_SUGGESTIONS) -> int:
    """Replace all suggested links with fresh ones; returns how many there are. When nothing they are read from
    has changed since the last time (the items, tags, commitments and curated links), they are left as they are."""
    digest = evidence_store.fingerprint(con, repr((limit, MIN_WORD, sorted(STOPWORDS), 1)))
    if evidence_store.current(con, digest):
        return evidence_store.count_suggestions(con)
    evidence_store.forget_suggestions(con)
    written = 0
    for cid, title, announced, prios in evidence_store.commitments_with_priorities(con):
        words = distinctive_words(title)
        if not words:
            continue
        pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")"
        found = evidence_store.candidates(con, cid, pattern, announced, prios, limit)
        written += evidence_store.add_suggestions(con, cid, [
            (item_type, item_id, f"shares {hits} mention(s) of: {', '.join(words)}") for item_type, item_id, hits, _ in found])
    evidence_store.remember(con, digest)
    return written
