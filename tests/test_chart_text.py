"""Upstream text in a chart stays text: plotly's pseudo-HTML never gets a live link or a style from it."""

from __future__ import annotations

import pandas as pd
import plotly.express as px

from kinmon.charts.core import escape_text, with_source, wrap_label
from kinmon.sanitize import plotly_text

HOSTILE = "<a href='https://evil.example/x'>Jane Doe</a><span style='font-size:90px'>MP</span>"


def test_plotly_text_escapes_tags_and_keeps_kinmons_own():
    assert plotly_text(HOSTILE) == ("&lt;a href='https://evil.example/x'&gt;Jane Doe&lt;/a&gt;"
                                    "&lt;span style='font-size:90px'&gt;MP&lt;/span&gt;")
    assert plotly_text("line one<br>line two <b>bold</b> x<sup>2</sup>") == "line one<br>line two <b>bold</b> x<sup>2</sup>"
    assert plotly_text(plotly_text(HOSTILE)) == plotly_text(HOSTILE)  # idempotent
    assert plotly_text("Culture, Media & Sport") == "Culture, Media & Sport"
    assert plotly_text(3) == 3 and plotly_text(None) is None


def test_a_hostile_category_is_shown_as_text_in_every_part_plotly_draws():
    df = pd.DataFrame({"member": [HOSTILE, "Ann Smith"], "questions": [3, 2], "party": [HOSTILE, "Labour"]})
    fig = px.bar(df, x="questions", y="member", color="party", orientation="h", hover_data=["party"])
    fig.update_yaxes(categoryarray=list(df["member"]), ticktext=list(df["member"]), tickvals=[0, 1])
    fig = escape_text(with_source(fig, f"Questions by {HOSTILE}", f"Source: {HOSTILE}"))
    spec = fig.to_json()
    assert "<a " not in spec and "<span style='font-size:90px'" not in spec
    assert "&lt;a href" in spec
    ys = [y for trace in fig.data for y in trace.y]
    assert plotly_text(HOSTILE) in ys and "Ann Smith" in ys
    assert plotly_text(HOSTILE) in list(fig.layout.yaxis.categoryarray)
    # kinmon's own markup survives: the source line's span, the title's line breaks
    assert "<span style='font-size:10px;color:#555'>" in fig.layout.xaxis.title.text


def test_wrapped_labels_keep_their_breaks_and_lose_hostile_tags():
    label = wrap_label("A very long department name that wraps <a href='x'>link</a>")
    assert "<br>" in label and "<a " not in label and "&lt;a" in label
