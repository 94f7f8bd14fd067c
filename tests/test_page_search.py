"""The Search page (AppTest) on the shipped snapshot: what is new in an answer, why a record carries its
priorities, and the researcher's filters."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT

PAGE = str(PROJECT_ROOT / "pages" / "explore.py")
TASK = '"special guardian" allowance OR allowances'


@pytest.fixture(autouse=True)
def _on_snapshot_store(snapshot_store, use_store):
    use_store(snapshot_store)


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def count(at: AppTest) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " result" in m.value)
    return int(line.strip("*").split()[0])


def test_a_record_shows_what_is_new_sentence_by_sentence_and_why_its_priorities(snapshot_store):
    # -19's answer repeats -4's (answered 19 Dec 2025) paragraph for paragraph
    at = open_page(q="kinship", doc="question:-19")
    text = markdown(at)
    assert "**What is new in this answer:** 0 of 6 sentences are new; 6 were said in an earlier answer." in text
    sentences = "\n".join(h.proto.body for h in at.get("html"))
    assert sentences.count("<b>Said before, word for word</b>") == 6
    assert ("first in <a href='https://questions-statements.parliament.uk/written-questions/detail/2025-12-10/99083' "
            "rel='noopener noreferrer nofollow'>Kinship Care</a>, 19 Dec 2025)") in sentences
    why = next(m.value for m in at.markdown if m.value.startswith("**Why these priorities**"))
    assert why.splitlines()[1].startswith("2. Support for every kinship family: Money and legal help for kinship families")
    assert "(`p2-financial-support`, rules 2026-12-01.1)" in why


def test_an_override_shows_its_reason(snapshot_store):
    at = open_page(q="levels", doc="question:-7")
    why = next(m.value for m in at.markdown if m.value.startswith("**Why these priorities**"))
    assert len(why.splitlines()) == 2 and "(`override`, rules 2026-12-01.1)" in why
    assert "Curated: Asks about the adequacy of 'existing levels of kinship care': how many, not support" in why


def test_only_answers_that_say_something_new(snapshot_store):
    everything, fresh = count(open_page(kind="question")), count(open_page(kind="question", new="1"))
    assert (everything, fresh) == (122, 91)


def test_the_researchers_filters_keep_undated_questions_on_request(snapshot_store):
    assert count(open_page(q=TASK, kind="question", tabled_from="2023-12-01")) == 2
    assert count(open_page(q=TASK, kind="question", tabled_from="2023-12-01", undated="1")) == 5
