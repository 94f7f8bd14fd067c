"""Text shown to readers: upstream text through Markdown (no markup, HTML or links it did not ask for, yet
readable, and web addresses that still work), missing values, plurals, abbreviations and table labels."""

import math

import pandas as pd
import pytest

from kinmon.ui import (blank, flag, for_display, human_size, md_escape, plain_label, plural, primary_first, priority_list,
                       text_or)

GUIDANCE = "https://assets.publishing.service.gov.uk/media/Kinship_Care_-_statutory_guidance.pdf"


@pytest.mark.parametrize("raw, shown", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[click](javascript:alert(2))", "\\[click\\](javascript:alert(2))"),
    ("*bold* and _em_ and `code` and $x$ and a|b and ~~s~~", "\\*bold\\* and \\_em\\_ and \\`code\\` and \\$x\\$ and a\\|b and \\~\\~s\\~\\~"),
    ("# Heading\n> quote\n- item\n1. first", "\\# Heading\n&gt; quote\n\\- item\n1\\. first"),
    ("£40 million, 2024-25 (England)", "£40 million, 2024-25 (England)"),
    (None, ""),
    (float("nan"), ""),
    (pd.NA, ""),
])
def test_md_escape(raw, shown):
    assert md_escape(raw) == shown


def test_a_web_address_in_upstream_text_stays_a_working_link():
    # a bare address would carry the markdown escapes (Kinship_Care\_-\_statutory) into the link
    shown = md_escape(f"See the guidance at {GUIDANCE}. Thank you.")
    target = shown.split("](", 1)[1].split(")", 1)[0]
    assert target == GUIDANCE
    assert shown.startswith("See the guidance at [") and shown.endswith(". Thank you.")
    assert md_escape("(see https://www.gov.uk/a(b))").count("%28") == 1  # brackets cannot end the link early
    assert "javascript" not in md_escape("javascript:alert(1) https://www.gov.uk/x").split("](")[1]
    # an address on any other host is shown as text, not linked (#13: upstream text cannot hand readers links)
    assert "](" not in md_escape("see https://example.org/a(b)") and "example.org/a(b)" in md_escape("see https://example.org/a(b)")


def test_missing_values_and_plurals():
    assert [blank(v) for v in (None, float("nan"), pd.NA, pd.NaT, "", "  ", "x", 0)] == \
        [True, True, True, True, True, True, False, False]
    assert text_or(float("nan")) == "not recorded" and text_or("a_b ") == "a_b "
    assert [plural(n, "result") for n in (0, 1, 2)] == ["0 results", "1 result", "2 results"]
    assert plural(1, "debate") == "1 debate" and plural(1200, "row") == "1,200 rows"


def test_tables_show_a_dash_for_a_gap_and_plain_column_names():
    df = pd.DataFrame({"n": [1.0, math.nan], "who": ["a", None], "when": pd.to_datetime(["2024-01-02", None]),
                       "whole": ["x", "y"]})
    shown, converted = for_display(df)
    assert converted == {"n", "who", "when"}
    assert list(shown["n"]) == ["1", "—"] and list(shown["who"]) == ["a", "—"]
    assert list(shown["when"]) == ["2024-01-02", "—"] and list(shown["whole"]) == ["x", "y"]
    assert plain_label("member_name") == "Member" and plain_label("licence_url") == "Licence text"
    assert plain_label("member_from") == "Member from"


def test_primary_sources_come_first():
    src = pd.DataFrame({"publisher": ["Adoption UK", "UK Parliament", "kinmon", "Department for Education"],
                        "title": ["FAQ 2017", "Questions", "Register", "Release"]})
    assert list(primary_first(src)["publisher"]) == ["Department for Education", "UK Parliament", "kinmon",
                                                     "Adoption UK"]


def test_abbreviations_are_spelled_out_once_per_page():
    import streamlit as st

    from kinmon.ui import expand_terms

    st.session_state["_kinmon_terms_seen"] = set()
    first = expand_terms("CWS Act s6: councils must act; the ASGSF pays")
    assert first.startswith("Children's Wellbeing and Schools Act (CWS Act) section 6")
    assert "Adoption and Special Guardianship Support Fund (ASGSF)" in first
    assert expand_terms("CWS Act s5 again") == "CWS Act section 5 again"


def test_small_helpers():
    assert [flag(v) for v in (None, pd.NA, float("nan"), True, 0, "x")] == [False, False, False, True, False, True]
    assert [human_size(n) for n in (512, 2048, 5 * 1024 * 1024)] == ["512 bytes", "2.0 KB", "5.0 MB"]


def test_a_records_priorities_read_as_words():
    assert priority_list("2;6") == "priorities 2 and 6"
    assert priority_list("1;2;5") == "priorities 1, 2 and 5"
    assert priority_list("7") == "priority 7"
    for nothing in (None, float("nan"), "", " ; "):
        assert priority_list(nothing) == ""
