"""Chart figures built once and shared (kinmon.ui.figures): the same builder and data give the kept figure,
any change in the data, its order or the stamp builds a new one, and a second reader's render of a page
builds no figure at all."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from streamlit.testing.v1 import AppTest

from kinmon.charts import core as charts
from kinmon.config import PROJECT_ROOT
from kinmon.ui import figures

BUILT: list[str] = []


def bars(frame: pd.DataFrame, title: str) -> go.Figure:
    BUILT.append(title)
    return go.Figure(go.Bar(x=list(frame["x"]), y=list(frame["y"])), layout={"title": title})


def _shown(frame, title="t", stamp="as of 1") -> go.Figure:
    return figures.shown(figures.figure(bars, frame, title), stamp, lambda f: f)


def test_the_same_data_gives_the_kept_figure_and_any_change_a_new_one():
    BUILT.clear()
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = _shown(frame)
    assert _shown(frame.copy()) is first and BUILT == ["t"]
    changed = frame.assign(y=[1, 3])
    reordered = frame.iloc[::-1]
    for other in (lambda: _shown(changed), lambda: _shown(reordered), lambda: _shown(frame, title="u"),
                  lambda: _shown(frame, stamp="as of 2")):
        assert other() is not first
    assert len(BUILT) == 5
    assert list(_shown(changed).data[0].y) == [1, 3]


def test_arguments_that_cannot_be_fingerprinted_are_built_every_time():
    BUILT.clear()
    frame = pd.DataFrame({"x": ["a"], "y": [1], "cells": [[1, 2]]})
    assert figures.fingerprint(figures.figure(bars, frame, "t"), "s") is None
    _shown(frame), _shown(frame)
    assert BUILT == ["t", "t"]


def test_a_second_readers_render_builds_no_figure(snapshot_store, use_store, monkeypatch):
    use_store(snapshot_store)
    calls = []
    real = charts.attention

    def attention(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "attention", attention)
    for _ in range(2):  # two readers, each a session of its own
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90).run()
        assert not at.exception and len(at.get("plotly_chart")) == 2
    assert calls == [1]


def test_clearing_streamlits_caches_empties_the_kept_figures():
    import streamlit as st

    BUILT.clear()
    frame = pd.DataFrame({"x": ["a"], "y": [9]})
    _shown(frame)
    assert figures.built() >= 1
    st.cache_resource.clear()
    assert figures.built() == 0
    _shown(frame)
    assert BUILT == ["t", "t"]
