"""Charts built once and shared by every session: `ui.chart(ui.figure(charts.attention, frame, title, source),
name)` builds the figure (then escapes its text and stamps its data date) only when no session has shown
the same figure of the same data yet.

Building a plotly figure is most of a warm rerun of a page with charts (Home: about two thirds), and a
chart's data rarely changes between reruns or readers. A chart builder (kinmon.charts) is a function of its
arguments only, so the figure is kept under a fingerprint of them: the builder's name, each DataFrame's
columns, types and a hash of every value in order (pandas' own row hashes), and the stamp line. Arguments
that cannot be fingerprinted (a cell holding a list, an unknown object) are simply not cached. The figures
kept are shared, never changed after they are built: Streamlit and the image export only read them. They
live in a st.cache_resource, so clearing Streamlit's caches empties them too.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

KEPT = 256  # figures kept (least recently shown dropped first): a few per page and filter

_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _kept() -> OrderedDict[Hashable, go.Figure]:
    """The kept figures, one dict per server process; emptied with Streamlit's other caches (st.cache_resource.clear,
    the menu's Clear caches), so a first render after that builds its figures again."""
    return OrderedDict()


@dataclass(frozen=True)
class FigureCall:
    """A chart builder and its arguments, built when a chart is shown and not found among the kept figures."""

    build: Callable[..., go.Figure]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


def figure(build: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> FigureCall:
    return FigureCall(build, args, kwargs)


class _Unkeyable(Exception):
    pass


def _print(value: Any) -> Hashable:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError as exc:  # unhashable cells (lists, dicts)
            raise _Unkeyable from exc
        shape = (tuple(map(str, value.columns)), tuple(map(str, value.dtypes))) if isinstance(value, pd.DataFrame) \
            else (str(value.name), str(value.dtype))
        return (type(value).__name__, shape, len(value), hashlib.blake2b(rows.tobytes(), digest_size=16).digest())
    if isinstance(value, dict):
        return ("dict", tuple((_print(k), _print(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_print(v) for v in value))
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value).__name__, value)
    raise _Unkeyable


def fingerprint(call: FigureCall, stamp: str) -> Hashable | None:
    """The key a figure is kept under, or None when its arguments cannot be fingerprinted."""
    try:
        return (call.build.__module__, call.build.__qualname__, _print(call.args), _print(call.kwargs), stamp)
    except _Unkeyable:
        return None


def shown(call: FigureCall, stamp: str, finish: Callable[[go.Figure], go.Figure]) -> go.Figure:
    """The finished figure (`finish(build(*args))`) for this call and stamp: kept, or built and kept."""
    key = fingerprint(call, stamp)
    kept = _kept()
    if key is not None:
        with _lock:
            fig = kept.get(key)
            if fig is not None:
                kept.move_to_end(key)
                return fig
    fig = finish(call.build(*call.args, **call.kwargs))
    if key is not None:
        with _lock:
            kept[key] = fig
            while len(kept) > KEPT:
                kept.popitem(last=False)
    return fig


def built() -> int:
    """How many figures are kept (for tests)."""
    return len(_kept())
