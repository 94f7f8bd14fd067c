"""Filters bound to the page's URL: url_selectbox, url_multiselect, url_text, url_toggle, url_date and
url_date_text, so every view is a permalink.

Every filter lives in the page's URL as a plain value (?priority=2&types=funding&types=report), is
restored from it, and a stale or nonsense value falls back to the default with a short notice. The
widget keeps its own key (<param>__w) so the URL can be read and written by the page each run.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

import streamlit as st

from kinmon.ui.text import fmt_date, md_escape


def _notice(label: str, bad: list[str]) -> None:
    shown = ", ".join(b[:40] for b in bad)[:120]
    st.info(f"Ignored the link's {label.lower()} {md_escape(shown)}: not one of the choices. Showing the default.",
            icon=":material/link_off:")


def _write_param(key: str, value: str | list[str] | None) -> None:
    current = st.query_params.get_all(key)
    wanted = [] if value in (None, "", []) else ([value] if isinstance(value, str) else list(value))
    if current != wanted:
        if wanted:
            st.query_params[key] = wanted if len(wanted) > 1 else wanted[0]
        elif key in st.query_params:
            del st.query_params[key]


def url_selectbox(label: str, options: list, key: str, *, index: int = 0, format_func: Callable = str,
                  help: str | None = None) -> Any:
    """A selectbox whose value is the URL parameter `key` (the option's plain value)."""
    values = [str(o) for o in options]
    raw = st.query_params.get(key)
    if raw is not None and raw not in values:
        _notice(label, [raw])
        raw = None
    wkey = f"{key}__w"
    if raw is not None and wkey not in st.session_state:
        st.session_state[wkey] = options[values.index(raw)]
    choice = st.selectbox(label, options, index=index, format_func=format_func, key=wkey, help=help)
    _write_param(key, None if choice == options[index] else str(choice))
    return choice


def url_multiselect(label: str, options: list, key: str, *, format_func: Callable = str,
                    placeholder: str = "Any") -> list:
    values = [str(o) for o in options]
    raw = st.query_params.get_all(key)
    bad = [v for v in raw if v not in values]
    if bad:
        _notice(label, bad)
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = [options[values.index(v)] for v in raw if v in values]
    picked = st.multiselect(label, options, key=wkey, format_func=format_func, placeholder=placeholder)
    _write_param(key, [str(p) for p in picked])
    return picked


def url_text(label: str, key: str, *, help: str | None = None, placeholder: str | None = None,
             max_chars: int = 200) -> str:
    raw = (st.query_params.get(key) or "")[:max_chars]
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = raw
    text = st.text_input(label, key=wkey, help=help, placeholder=placeholder, max_chars=max_chars)
    _write_param(key, text.strip() or None)
    return text.strip()


def url_toggle(label: str, key: str, *, help: str | None = None) -> bool:
    raw = st.query_params.get(key)
    if raw not in (None, "", "1", "0"):
        _notice(label, [raw])
        raw = None
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = raw == "1"
    on = st.toggle(label, key=wkey, help=help)
    _write_param(key, "1" if on else None)
    return on


def _date_param(label: str, key: str, as_widget_value: Callable[[date], Any]) -> str:
    """The date in the URL parameter `key` (a notice if it is not a date), put into the widget's state the
    first time; returns the widget's key."""
    raw = st.query_params.get(key)
    parsed = parse_iso_date(raw)
    if raw and parsed is None:
        _notice(label, [raw])
    wkey = f"{key}__w"
    if parsed is not None and wkey not in st.session_state:
        st.session_state[wkey] = as_widget_value(parsed)
    return wkey


def url_date(label: str, key: str, *, default: date | None = None) -> date | None:
    wkey = _date_param(label, key, lambda d: d)
    value = st.date_input(label, value=default, key=wkey, format="YYYY-MM-DD")
    _write_param(key, None if value == default or value is None else value.isoformat())
    return value


def parse_iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def url_date_text(label: str, key: str, *, default: date) -> date:
    """A date typed as YYYY-MM-DD that applies when Enter is pressed (a text box, unlike the calendar
    widget, commits on Enter), bound to the URL like the other filters. A date that cannot be read keeps
    the default, with a short notice."""
    wkey = _date_param(label, key, date.isoformat)
    text = st.text_input(label, key=wkey, placeholder=default.isoformat(), max_chars=10,
                         help="Type a date such as 2025-01-31 and press Enter.").strip()
    value = parse_iso_date(text) if text else None
    if text and value is None:
        st.warning(f"{md_escape(text)} is not a date in the form YYYY-MM-DD: showing changes since "
                   f"{fmt_date(default)}.")
    value = value or default
    _write_param(key, None if value == default else value.isoformat())
    return value
