"""The keep filter measured on real records: 5,896 written questions of July to September 2024, every one
judged by hand, and the 122 kinship questions shipped in the snapshot."""

from __future__ import annotations

import json

from kinmon.config import DATA_DIR
from kinmon.ingest import parliament as ingest
from kinmon.sanitize import to_text
from kinmon.sources.questions import clean_text
from real_sample import KINSHIP_IN_SAMPLE, NOT_KINSHIP, sample_texts


def text_of(record: dict) -> str:
    # As the ingest reads a question: heading, question and answer (HTML made plain), zero-width characters gone.
    parts = (clean_text(record.get("heading")), clean_text(record.get("questionText")),
             to_text(clean_text(record.get("answerText"))))
    return "\n\n".join(p for p in parts if p)


def test_the_filter_keeps_exactly_the_kinship_questions_of_the_real_sample(capsys):
    config = ingest.load_search_config()
    records = sample_texts()
    kept = {r["id"] for r in records if config.keeps(text_of(r))}
    false_keeps = sorted(kept - set(KINSHIP_IN_SAMPLE))
    missed = sorted(set(KINSHIP_IN_SAMPLE) - kept)
    with capsys.disabled():
        print(f"\nkeep filter on the real sample: {len(records)} questions, {len(KINSHIP_IN_SAMPLE)} judged about "
              f"kinship care; kept {len(kept)}, false keeps {len(false_keeps)}, missed {len(missed)}")
    assert len(records) == 5896
    assert false_keeps == [] and missed == []
    assert not (set(NOT_KINSHIP) & kept)
    assert set(NOT_KINSHIP) <= {r["id"] for r in records}


def test_the_filter_keeps_every_shipped_kinship_question():
    config = ingest.load_search_config()
    records = [json.loads(line) for line in (DATA_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    dropped = [q["id"] for q in records
               if not config.keeps("\n\n".join(filter(None, [q.get("heading"), q["questionText"], q.get("answerText")])))]
    assert len(records) == 122 and dropped == []


def test_a_zero_width_character_inside_a_word_does_not_hide_it():
    config = ingest.load_search_config()
    assert not config.keeps("kin\u200bship carers")  # the raw text would slip past
    assert config.keeps(clean_text("kin\u200bship carers"))  # which is why the client removes them
