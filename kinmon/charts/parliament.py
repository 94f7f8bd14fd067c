"""Figures for the Parliament page: questions over time, breakdowns and answer times. Pure plotly."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kinmon.charts.core import whole_number_axis, with_source, wrap_label

TABLED, ANSWERED = "#4c72b0", "#55a868"
BAR = "#4c72b0"
LONGEST = "#c44e52"
ROW_HEIGHT = 28
MARGINS = 260  # the title above, the source note and legend below the plot (see charts.core.with_source)
MIN_BAR_CHART = 240
MAX_MONTH_LABELS = 6  # few enough to stand apart on a phone


def month_labels(months: pd.Series) -> list[str]:
    """'Jan 2024' per month: a category axis puts each label under its own bars."""
    return [pd.Timestamp(m).strftime("%b %Y") for m in months]


def _sourced(fig: go.Figure, title: str, source: str, height: int) -> go.Figure:
    """with_source at a given height (the source line sits a fixed number of pixels below the plot)."""
    fig = with_source(fig, title, source)
    fig.update_layout(height=height)
    return fig


def _thinned_month_axis(months: list[str]) -> dict:
    step = max(1, math.ceil(len(months) / MAX_MONTH_LABELS))
    shown = months[::step]
    return dict(type="category", tickangle=0, tickmode="array", tickvals=shown,
                ticktext=[m.replace(" ", "<br>") for m in shown])


def questions_over_time(monthly: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Grouped monthly bars: questions tabled and questions answered, every month shown as a bar slot."""
    fig = go.Figure()
    months = month_labels(monthly["month"])
    fig.add_bar(x=months, y=monthly["tabled"], name="Tabled", marker_color=TABLED,
                hovertemplate="%{x}: %{y} tabled<extra></extra>")
    fig.add_bar(x=months, y=monthly["answered"], name="Answered", marker_color=ANSWERED,
                hovertemplate="%{x}: %{y} answered<extra></extra>")
    fig.update_layout(barmode="group", yaxis=dict(title="written questions",
                                                  **whole_number_axis(list(monthly["tabled"]) + list(monthly["answered"]))),
                      legend=dict(orientation="h", y=1.08, x=0), xaxis=_thinned_month_axis(months))
    return _sourced(fig, title, source, 460)


def breakdown(counts: pd.DataFrame, by: str, title: str, source: str) -> go.Figure:
    """Horizontal bars of questions per house, party or department, largest first."""
    fig = go.Figure()
    fig.add_bar(y=counts[by], x=counts["questions"], orientation="h", marker_color=BAR,
                customdata=counts["answered"], text=counts["questions"], textposition="outside",
                hovertemplate="%{y}: %{x} questions, %{customdata} answered<extra></extra>")
    fig.update_traces(y=[wrap_label(v) for v in counts[by]])
    fig.update_layout(yaxis=dict(autorange="reversed", title=None), xaxis=dict(rangemode="tozero"))
    return _sourced(fig, title, source, max(MIN_BAR_CHART, MARGINS + 40 + ROW_HEIGHT * len(counts)))


def answer_times(by_department: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Median days from tabling to answer, per department, with how many answers each rests on."""
    fig = go.Figure()
    fig.add_bar(y=by_department["department"], x=by_department["median_days"], orientation="h", marker_color=BAR,
                customdata=by_department[["answered", "longest_days"]].to_numpy(),
                text=[f"{d:g} days ({n} answers)" for d, n in zip(by_department["median_days"],
                                                                 by_department["answered"])],
                textposition="auto",
                hovertemplate="%{y}: median %{x} days over %{customdata[0]} answers "
                              "(longest %{customdata[1]})<extra></extra>")
    fig.update_layout(yaxis=dict(autorange="reversed", title=None), xaxis=dict(rangemode="tozero"))
    return _sourced(fig, title, source, max(MIN_BAR_CHART, MARGINS + 40 + ROW_HEIGHT * len(by_department)))


def answer_time_trend(by_month: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Median and longest days to answer, by month tabled, on a time axis (months without answers are gaps)."""
    fig = go.Figure()
    fig.add_scatter(x=by_month["month"], y=by_month["median_days"], name="Median days", mode="lines+markers",
                    line=dict(color=BAR), customdata=by_month["answered"],
                    hovertemplate="%{x|%b %Y}: median %{y} days (%{customdata} answers)<extra></extra>")
    fig.add_scatter(x=by_month["month"], y=by_month["longest_days"], name="Longest", mode="markers",
                    marker=dict(color=LONGEST, symbol="diamond"),
                    hovertemplate="%{x|%b %Y}: longest %{y} days<extra></extra>")
    fig.update_layout(yaxis=dict(title="days from tabling to answer", rangemode="tozero"),
                      xaxis=dict(tickformat="%b %Y"), legend=dict(orientation="h", y=1.08, x=0))
    return _sourced(fig, title, source, 440)
