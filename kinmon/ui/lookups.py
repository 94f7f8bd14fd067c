"""Live look-ups a page makes upstream, cached for a day and shared by every session: which constituency a
postcode is in (kinmon.sources.constituencies, the Members API's constituency search)."""

from __future__ import annotations

import streamlit as st

from kinmon.sources import constituencies
from kinmon.sources.constituencies import Constituency, LookupUnavailable, normalise_postcode

__all__ = ["Constituency", "LookupUnavailable", "constituencies_of", "normalise_postcode"]


@st.cache_data(ttl=86_400, show_spinner=False, max_entries=256)
def constituencies_of(postcode: str) -> list[Constituency]:
    """The constituencies the Members API finds for a postcode; LookupUnavailable if it cannot be reached."""
    return constituencies.search(postcode)
