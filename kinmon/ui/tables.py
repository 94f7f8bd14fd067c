"""Tables a reader can read: st.dataframe with a plain name on every column (COLUMN_LABELS) and each
missing value shown as a dash, never None or nan."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from kinmon.ui.text import blank

MISSING = "—"  # how a missing value is shown in a table
LONG_TEXT = 30  # characters: a text column with longer values is given a medium width

# Plain names for the store's column names, used wherever a page does not name a column itself.
COLUMN_LABELS = {
    "member_name": "Member", "member": "Member", "role": "Role", "as_of": "As of", "source_title": "Source",
    "source_url": "Source link", "notes": "Notes", "note": "Note", "method": "How it was linked", "kind": "Kind",
    "licence": "Licence", "licence_url": "Licence text", "sources": "Sources", "publishers": "Publishers",
    "display": "Value", "is_latest": "Latest release", "table": "Table", "rows": "Rows", "date": "Date",
    "what": "What", "url": "Link", "priorities": "Priorities", "title": "Title", "type": "Kind",
    "label": "Status", "definition": "What it means", "item_type": "Kind", "house": "House", "party": "Party",
    "department": "Department", "status": "Status", "score": "Relevance", "is_named_day": "Named day",
    "date_tabled": "Tabled", "date_answered": "Answered", "error": "Error", "finished_at": "Finished (UTC)",
    "uin": "UIN (question number)", "heading": "Heading", "location": "Where", "participants": "Members (as recorded)",
    "item_id": "Record id", "source_id": "Source id", "source": "Source", "item_title": "Record",
    "commitment": "Commitment", "publisher": "Publisher", "retrieved_at": "Retrieved",
}


def plain_label(column: str) -> str:
    """A column's plain name: from COLUMN_LABELS, else its words ('member_from' -> 'Member from')."""
    return COLUMN_LABELS.get(column) or column.replace("_", " ").strip().capitalize()


def _shown_text(value: Any) -> str:
    if blank(value):
        return MISSING
    if isinstance(value, pd.Timestamp) or isinstance(value, date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def for_display(df: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The frame as a reader sees it: a column with missing values becomes text with a dash for each gap
    (so no table says None or nan). Returns the frame and the columns turned into text."""
    out, converted = df.copy(), set()
    for col in out.columns:
        series = out[col]
        if series.isna().any() or series.dtype == object:
            if series.dtype == object and not series.isna().any() and all(isinstance(v, str) for v in series):
                continue
            out[col] = [_shown_text(v) for v in series]
            converted.add(col)
    return out, converted


def table(df: pd.DataFrame, column_config: dict | None = None, **kwargs: Any) -> None:
    """st.dataframe with a plain name on every column and missing values shown as a dash."""
    shown, converted = for_display(df)
    config: dict[str, Any] = {}
    for col in shown.columns:
        given = (column_config or {}).get(col)
        if given is None or isinstance(given, str):
            label = given or plain_label(col)
            # long text gets a medium column, so a phone shows more than the first column
            text = shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col])
            wide = bool(text and len(shown) and shown[col].astype(str).str.len().max() > LONG_TEXT)
            config[col] = st.column_config.TextColumn(label, width="medium") if wide else label
        elif col in converted and not _is_link(given):
            config[col] = st.column_config.TextColumn(_config_label(given) or plain_label(col))
        else:
            config[col] = given
    kwargs.setdefault("hide_index", True)
    st.dataframe(shown, column_config=config, **kwargs)


def _config_label(cfg: Any) -> str | None:
    return cfg.get("label") if isinstance(cfg, dict) else None


def _is_link(cfg: Any) -> bool:
    return isinstance(cfg, dict) and (cfg.get("type_config") or {}).get("type") == "link"
