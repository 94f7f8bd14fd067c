"""What is new in an answer: which of its sentences an earlier answer on kinship care already said, and which are new.

Ministers repeat stock paragraphs ("The department funds the charity Kinship to deliver over 140 peer
support groups..."), often with a word or two changed. Every stored answer is split into sentences; each
sentence is normalised (case, punctuation, typography and spacing ignored), hashed, and cut into
three-word shingles. Then set operations in SQL mark each sentence:

- "repeated": the same normalised sentence occurs in an earlier answer;
- "reworded": at least REWORDED_SHARE of its shingles occur in one sentence of an earlier answer
  ("This government is also extending the delivery of over 140 peer support groups..." after "This
  government is extending the delivery of over 140 peer support groups...");
- "new": neither; this answer is the first to say it. A changed figure usually makes a sentence new;
- "short": fewer than MIN_WORDS words ("Yes."), judged neither way.

"Earlier" orders answers by the day they were answered (else tabled, else the month tabled) and then by
id; answers with no known date come after every dated one. Every stored answer is on kinship care (the
keep filter decided that), so the topic is kinship care as a whole. Holding answers are left out. The
derived table `answer_passage` is rebuilt after every load, with the search index.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import duckdb

from kinmon.store import novelty as passage_store

MIN_WORDS = 5
SHINGLE = 3
REWORDED_SHARE = 0.6

_PARAGRAPH = re.compile(r"\n\s*\n")
# A sentence ends at . ! or ? followed by space and a capital, digit, quote or bracket; abbreviations such
# as "e.g." or "No. 5" followed by lower case do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)]?\s+(?=[A-Z0-9\"'\u2018\u201c(£])")
_NOT_WORD = re.compile(r"[^\w£%]+")
# What the passages depend on besides the answers: a change here rebuilds answer_passage on the next run.
_CODE = repr((MIN_WORDS, SHINGLE, REWORDED_SHARE, _PARAGRAPH.pattern, _SENTENCE_END.pattern, _NOT_WORD.pattern, 2))  # 2: answers' sentences cached


def sentences(text: str | None) -> list[tuple[int, str]]:
    """(paragraph number, sentence) for each sentence of a plain-text answer, in order."""
    out = []
    for number, paragraph in enumerate(p for p in _PARAGRAPH.split(text or "") if p.strip()):
        for line in paragraph.splitlines():  # table rows and list items are lines of their own
            out.extend((number, s.strip()) for s in _SENTENCE_END.split(line) if s.strip())
    return out


def normalised(sentence: str) -> str:
    text = unicodedata.normalize("NFKC", sentence).lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def passage_hash(sentence: str) -> str:
    return _hash(normalised(sentence))


def shingles(sentence: str) -> set[str]:
    words = normalised(sentence).split()
    return {_hash(" ".join(words[i:i + SHINGLE])) for i in range(max(len(words) - SHINGLE + 1, 1))}


def rebuild_passages(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild answer_passage from every stored answer; returns the number of sentences. When the answers (and
    these rules) are as they were at the last rebuild, the table is left as it is.

    Only answers that are new or changed are split (each answer's sentences are kept in answer_sentence, their
    shingles in answer_shingle); a sentence said in many answers (a stock paragraph) is normalised, hashed and
    cut into shingles once. Then every sentence is marked again in SQL, since an earlier answer can change
    what a later one repeats."""
    state = passage_store.fingerprint(con, _CODE)
    if passage_store.current(con, state):
        return passage_store.count(con)
    rows, cut_of = [], {}
    seen: dict[str, tuple[str, int, frozenset]] = {}
    for qid, answer_hash, answer in passage_store.answers_to_split(con, _CODE):
        for seq, (paragraph, sentence) in enumerate(sentences(answer)):
            known = seen.get(sentence)
            if known is None:
                words = normalised(sentence).split()
                known = seen[sentence] = (_hash(" ".join(words)), len(words), frozenset(
                    _hash(" ".join(words[i:i + SHINGLE])) for i in range(max(len(words) - SHINGLE + 1, 1))))
            digest, n_words, cut = known
            rows.append((qid, answer_hash, seq, paragraph, sentence, digest, n_words, len(cut)))
            cut_of.setdefault(digest, cut)
    passage_store.add_sentences(con, rows, [(d, h) for d, cut in cut_of.items() for h in sorted(cut)])
    passage_store.write_cached_passages(con, min_words=MIN_WORDS, reworded_share=REWORDED_SHARE)
    passage_store.remember(con, state)
    return passage_store.count(con)
