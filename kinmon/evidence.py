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
    """Bring the suggested links up to date; returns how many there are.

    When nothing they are read from changed (the items, tags, commitments and curated links), they are left
    as they are. When only items changed (new, edited, re-tagged or gone), a commitment whose suggestions
    include none of those items keeps its best unchanged candidates, so only the changed items and its
    current suggestions are compared (the best five of the rest cannot have changed); any other commitment,
    and every one when a commitment or curated link changed, is worked out over every item."""
    code = repr((limit, MIN_WORD, sorted(STOPWORDS), 2))
    digest = evidence_store.fingerprint(con, code)
    if evidence_store.current(con, digest):
        return evidence_store.count_suggestions(con)
    shared = evidence_store.shared_fingerprint(con, code)
    changes = evidence_store.changed_items(con)
    if changes is None or not evidence_store.current(con, shared, evidence_store.SHARED_STATE):
        changes = None
        evidence_store.forget_suggestions(con)
    else:
        evidence_store.pool(con, changes[0])
    for cid, title, announced, prios in evidence_store.commitments_with_priorities(con):
        words = distinctive_words(title)
        if not words:
            continue
        source = "parliamentary_item"
        if changes is not None:
            if not evidence_store.suggested(con, cid) & (changes[0] | changes[1]):
                source = evidence_store.POOL
            evidence_store.forget_suggestions_of(con, cid)
        pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")"
        found = evidence_store.candidates(con, cid, pattern, announced, prios, limit, source)
        evidence_store.add_suggestions(con, cid, [
            (item_type, item_id, f"shares {hits} mention(s) of: {', '.join(words)}") for item_type, item_id, hits, _ in found])
    evidence_store.remember_items(con)
    evidence_store.remember(con, shared, evidence_store.SHARED_STATE)
    evidence_store.remember(con, digest)
    return evidence_store.count_suggestions(con)
