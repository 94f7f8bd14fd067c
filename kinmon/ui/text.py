"""Text a page shows: upstream text escaped for st.markdown (md_escape, text_or, link_target), missing
values, counts, sizes and dates in words, and abbreviations spelled out the first time a page uses them."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import streamlit as st

from kinmon import sanitize

# Markdown that upstream text must not trigger: emphasis, code, links and images (via [ ]), tables, strike,
# maths ($), and block syntax at a line's start (headings, quotes, lists). URLs stay readable.
_MD_INLINE = re.compile(r"([\\`*\[\]|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_MD_BLOCK = re.compile(r"(?m)^(\s*)([#>+\-=])")
_MD_ORDERED = re.compile(r"(?m)^(\s*\d+)([.)])")
# A web address in upstream text, up to a space or a closing bracket, less trailing punctuation.
_URL = re.compile(r"https?://[^\s<>\"'\]\[]+[^\s<>\"'\]\[.,;:!?)]")
_TARGET_ESCAPES = {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", "\\": "%5C", "`": "%60"}


def blank(value: Any) -> bool:
    """True for a missing value of any kind: None, NaN, NA, NaT or empty text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def md_escape(text: Any) -> str:
    """Upstream text shown through st.markdown: no markup, no HTML, no links it did not ask for. A missing
    value is empty text (never "nan"). A web address on an official host (sanitize.OFFICIAL_HOSTS) stays a
    working link, markdown escapes kept out of it; any other address is shown as text, not linked."""
    if blank(text):
        return ""
    out, last = [], 0
    raw = str(text)
    for m in _URL.finditer(raw):
        out.append(_escape_plain(raw[last:m.start()]))
        url = m.group(0)
        official = sanitize.is_official(url) and sanitize.safe_href(url)
        out.append(f"[{_escape_plain(url)}]({link_target(url)})" if official else _escape_plain(url))
        last = m.end()
    out.append(_escape_plain(raw[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    escaped = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    escaped = _MD_BLOCK.sub(r"\1\\\2", escaped)
    return sanitize.unlink_bare_urls(_MD_ORDERED.sub(r"\1\\\2", escaped))


def link_target(url: str) -> str:
    """A URL as a markdown link target: characters markdown would read as syntax are percent-encoded."""
    return "".join(_TARGET_ESCAPES.get(c, c) for c in url)


def text_or(value: Any, default: str = "not recorded") -> str:
    """Escaped upstream text, or the plain default when the value is missing."""
    return default if blank(value) else md_escape(value)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 result', '2 results', '0 results' (with a given plural for irregular words)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def priority_list(value: Any) -> str:
    """A record's priorities as stored ("2;6") in words: 'priority 2', 'priorities 2 and 6', 'priorities 1, 2 and 5';
    empty when there are none."""
    ids = [p.strip() for p in str(value).split(";") if p.strip()] if not blank(value) else []
    if not ids:
        return ""
    if len(ids) == 1:
        return f"priority {ids[0]}"
    return "priorities " + ", ".join(ids[:-1]) + " and " + ids[-1]


def flag(value: Any) -> bool:
    """A nullable boolean from a DataFrame: missing (NA) counts as False."""
    return False if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else bool(value)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} GB"


def fmt_date(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "date unknown"
    try:
        return pd.Timestamp(value).strftime("%-d %b %Y")
    except (ValueError, TypeError):
        return str(value)


# Abbreviations a reader may not know, spelled out the first time a page uses them.
ABBREVIATIONS = {
    "SHBoL": "Stable Homes, Built on Love (SHBoL, the 2023 children's social care strategy)",
    "ASGSF": "Adoption and Special Guardianship Support Fund (ASGSF)",
    "CWS Act": "Children's Wellbeing and Schools Act (CWS Act)",
    "APPG": "All-Party Parliamentary Group (APPG)",
    "SGO": "special guardianship order (SGO)",
    "CAO": "child arrangements order (CAO)",
    "FGDM": "family group decision-making (FGDM)",
    "EOI": "expression of interest (EOI)",
    "WMS": "written ministerial statement (WMS)",
    "EES": "Explore Education Statistics (EES)",
    "DfE": "Department for Education (DfE)",
}
_ABBREV = re.compile(r"(?<!\()\b(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b")
_SECTION = re.compile(r"\b(Act) s(\d+[A-Z]*)\b")


def expand_terms(text: str) -> str:
    """Spell out each known abbreviation the first time this page shows it ('CWS Act s6' becomes
    "Children's Wellbeing and Schools Act (CWS Act) section 6"). Plain text in, plain text out."""
    if blank(text):
        return ""
    seen = st.session_state.setdefault("_kinmon_terms_seen", set())
    seen.update(t for t in ABBREVIATIONS if f"({t}" in str(text))  # already spelled out by the text itself

    def spell(m: re.Match) -> str:
        term = m.group(1)
        if term in seen:
            return term
        seen.add(term)
        return ABBREVIATIONS[term]

    return _ABBREV.sub(spell, _SECTION.sub(r"\1 section \2", str(text)))
