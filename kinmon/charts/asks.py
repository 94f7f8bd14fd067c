"""Figures for the Asks of MPs page: the members most engaged on kinship care, and questions per quarter by
the asker's party. Pure plotly: DataFrames in, figures out."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from kinmon.charts.core import whole_number_axis, with_source, wrap_label

QUESTIONS, DEBATES = "#4c72b0", "#dd8452"


def members_engaged(top: pd.DataFrame, title: str, source: str) -> go.Figure:
    """A horizontal stacked bar per member (`member`, `questions`, `debates`), most engaged at the top."""
    long = top.assign(member=[wrap_label(m, 22) for m in top["member"]]).melt(
        id_vars="member", value_vars=["questions", "debates"], var_name="activity", value_name="n")
    long["activity"] = long["activity"].map({"questions": "written questions", "debates": "debates"})
    fig = px.bar(long, x="n", y="member", color="activity", orientation="h", barmode="stack",
                 color_discrete_map={"written questions": QUESTIONS, "debates": DEBATES})
    fig.update_layout(yaxis=dict(autorange="reversed", title=None), xaxis_title="items",
                      height=300 + 30 * len(top))
    fig.update_xaxes(**whole_number_axis(top["questions"] + top["debates"]))
    return with_source(fig, title, source)


def questions_by_party(by_party: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Stacked bars of written questions per quarter (`quarter`, `party`, `questions`)."""
    fig = px.bar(by_party, x="quarter", y="questions", color="party", barmode="stack")
    fig.update_layout(xaxis=dict(type="date", title=None, tickformat="%b %Y"), yaxis_title="questions",
                      height=420)
    fig.update_yaxes(**whole_number_axis(by_party.groupby("quarter")["questions"].sum()))
    return with_source(fig, title, source)
