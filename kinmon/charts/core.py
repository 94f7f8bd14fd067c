"""Figures for priorities, commitments and the timeline. Pure plotly: data in, figure out."""

from __future__ import annotations

import re
import textwrap
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kinmon.sanitize import plotly_text

STATUS_COLOURS = {
    "delivered": "#1b7837",
    "partly_delivered": "#7fbf7b",
    "in_progress": "#4393c3",
    "announced": "#92c5de",
    "not_yet_rateable": "#bababa",
    "stalled": "#f4a582",
    "dropped": "#b2182b",
}
KIND_COLOURS = {"written questions": "#4c72b0", "debates": "#dd8452", "statements": "#55a868"}
FONT = dict(family="Arial, Helvetica, sans-serif", size=13)
# Text is wrapped for the narrowest screen a chart is read on (a 390 px phone); wider screens and the
# 1100 px export keep the same lines, so the browser and the image show the same chart.
TITLE_WRAP = 38  # characters per title line at 16 px: a 390 px phone leaves about 350 px for it
SOURCE_WRAP = 50  # characters per source line at 10 px: fits the plot area beside a phone's axis labels
LABEL_WRAP = 24  # characters per category label line
TITLE_LINE_PX, TITLE_PAD_PX = 21, 14
AXIS_STANDOFF_PX = 16  # between the x tick labels and the axis title (and the source under it)
SOURCE_STYLE = "font-size:10px;color:#555"
MAX_YEAR_TICKS = 6  # year labels on a whole-year axis: evenly spaced, few enough for a phone
ANNUAL_MIN_GAP_DAYS = 300


def wrap_label(text, width: int = LABEL_WRAP) -> str:
    """A category label wrapped onto short lines, so long names do not squeeze the plot on a phone."""
    return "<br>".join(plotly_text(line) for line in textwrap.wrap(str(text), width)) or plotly_text(str(text))


# the parts of a trace plotly draws as text (tick labels come from x/y; hover labels substitute customdata)
_TRACE_TEXT = ("x", "y", "text", "hovertext", "labels", "customdata", "name")


def _escaped(value):
    if isinstance(value, str):
        return plotly_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.vectorize(plotly_text, otypes=[object])(value) if value.size else value
    return value


def escape_text(fig: go.Figure) -> go.Figure:
    """Every upstream string a figure draws (categories, hover text, trace names, tick text) made plotly-safe:

    plotly turns <a href> in a label into a live SVG link (found by the reliability suite: a member's name
    on the Members page), so text is escaped by sanitize.plotly_text before the figure reaches a browser."""
    for trace in fig.data:
        for attr in _TRACE_TEXT:
            if attr in trace and trace[attr] is not None:
                trace[attr] = _escaped(trace[attr])
    for key in fig.layout:
        if key.startswith(("xaxis", "yaxis")):
            axis = fig.layout[key]
            for attr in ("ticktext", "categoryarray"):
                if axis[attr] is not None:
                    axis[attr] = _escaped(axis[attr])
    return fig


def _axis_title(base: str | None, source: str, stamp: str | None) -> str:
    lines = [plotly_text(line) for line in textwrap.wrap(source, SOURCE_WRAP)] + ([stamp] if stamp else [])
    note = f"<span style='{SOURCE_STYLE}'>" + "<br>".join(lines) + "</span>"
    return (f"{base}<br><br>" if base else "") + note


def with_source(fig: go.Figure, title: str, source: str) -> go.Figure:
    """The one place a chart's furniture is decided, for the page and the exported image alike:

    - the title wraps and sits above the plot in its own reserved space;
    - the source line (and the data date, see images.stamp) sit under the x axis as part of its title,
      so automatic margins keep them clear of every tick label at any width;
    - the legend sits at the very bottom, below the plot and the source, so it never covers data;
    - a time axis with one point, or with annual points, becomes a category or whole-year axis.
    """
    title_lines = [plotly_text(line) for line in textwrap.wrap(title, TITLE_WRAP)] or [""]
    base = fig.layout.xaxis.title.text if fig.layout.xaxis.title and fig.layout.xaxis.title.text else None
    settle_time_axis(fig)
    fig.update_layout(
        title=dict(text="<br>".join(title_lines), x=0, xref="container", xanchor="left", y=1, yref="container",
                   yanchor="top", pad=dict(t=TITLE_PAD_PX, l=10), font=dict(size=16)),
        font=FONT,
        margin=dict(l=10, r=16, t=TITLE_PAD_PX + 16 + TITLE_LINE_PX * len(title_lines), b=10, autoexpand=True),
        plot_bgcolor="white",
        legend=dict(orientation="h", xref="paper", x=0, xanchor="left", yref="container", y=0, yanchor="bottom",
                    font=dict(size=11), title=None),
        meta=dict(kinmon_axis=base, kinmon_source=source),
    )
    fig.update_xaxes(automargin=True, title=dict(text=_axis_title(base, source, None), standoff=AXIS_STANDOFF_PX))
    fig.update_yaxes(automargin=True)
    return fig


def restamp(fig: go.Figure, stamp: str) -> go.Figure:
    """Add the data date under the source line (charts built by with_source keep their parts in meta)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else None
    if not meta or "kinmon_source" not in meta:
        return fig
    fig.update_xaxes(title=dict(text=_axis_title(meta.get("kinmon_axis"), meta["kinmon_source"], stamp),
                                standoff=AXIS_STANDOFF_PX))
    return fig


def _dates(values) -> list[pd.Timestamp]:
    out = []
    for v in values if values is not None else []:
        if v is None or (isinstance(v, float) and v != v):
            continue
        try:
            out.append(pd.Timestamp(v))
        except (ValueError, TypeError):
            return []
    return out


def _is_time_axis(fig: go.Figure) -> bool:
    if fig.layout.xaxis.type == "date":
        return True
    if fig.layout.xaxis.type not in (None, "-"):
        return False
    sample = [x for t in fig.data if getattr(t, "x", None) is not None for x in t.x[:3]]
    return bool(sample) and all(isinstance(x, (pd.Timestamp, date, datetime)) or hasattr(x, "astype") and
                                str(getattr(x, "dtype", "")).startswith("datetime") for x in sample)


def settle_time_axis(fig: go.Figure) -> go.Figure:
    """Never a datetime axis for one point: one date becomes a category; annual dates get a tick per
    year labelled with the year (a whole-year axis); anything else keeps its time axis."""
    if not _is_time_axis(fig):
        return fig
    points = sorted({d for t in fig.data if getattr(t, "x", None) is not None for d in _dates(t.x)})
    if not points:
        return fig
    annual = len({(d.month, d.day) for d in points}) == 1
    fmt = "%Y" if annual else ("%b %Y" if all(d.day == 1 for d in points) else "%-d %b %Y")
    if len(points) == 1:
        label = points[0].strftime(fmt)
        for t in fig.data:
            if getattr(t, "x", None) is not None:
                t.x = [label if _dates([x]) else x for x in t.x]
            if getattr(t, "hovertemplate", None):
                t.hovertemplate = re.sub(r"%\{x\|[^}]*\}", "%{x}", t.hovertemplate)
        for a in fig.layout.annotations or []:
            if a.xref == "x" and _dates([a.x]):
                a.x = label
        fig.update_xaxes(type="category", tickangle=0)
        return fig
    gaps = [(b - a).days for a, b in zip(points, points[1:])]
    if annual and min(gaps) >= ANNUAL_MIN_GAP_DAYS:
        first, last = points[0].year, points[-1].year
        step = max(1, -(-(last - first + 1) // MAX_YEAR_TICKS))
        month, day = points[0].month, points[0].day
        ticks = [pd.Timestamp(year=y, month=month, day=min(day, 28 if month == 2 else day))
                 for y in range(last, first - 1, -step)][::-1]
        pad = pd.Timedelta(days=120)
        fig.update_xaxes(type="date", tickmode="array", tickvals=ticks, ticktext=[d.strftime("%Y") for d in ticks],
                         range=[points[0] - pad, points[-1] + pad], tickangle=0)
    else:
        fig.update_xaxes(type="date")
    return fig


def whole_number_axis(values) -> dict:
    """Axis settings for counts: whole-number ticks, a tick per unit when the counts are small."""
    top = max([v for v in values if v == v] or [0])
    return dict(tickformat=",d", rangemode="tozero", **({"dtick": 1} if top <= 8 else {}))


def status_mix(mix: pd.DataFrame, titles: dict[int, str], scale: pd.DataFrame, source: str) -> go.Figure:
    """Stacked horizontal bars: each priority's commitments by current status, best first."""
    fig = go.Figure()
    labels = [wrap_label(f"{pid}. {titles[pid]}") for pid in sorted(titles)]
    for _, s in scale.sort_values("rank", ascending=False).iterrows():
        counts = [int(mix[(mix.priority_id == pid) & (mix.status == s["status"])]["commitments"].sum())
                  for pid in sorted(titles)]
        if not any(counts):
            continue
        fig.add_bar(y=labels, x=counts, name=s["label"], orientation="h",
                    marker_color=STATUS_COLOURS.get(s["status"], "#999"),
                    hovertemplate="%{y}<br>" + s["label"] + ": %{x}<extra></extra>")
    totals = mix.groupby("priority_id")["commitments"].sum()
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"), height=460 + 12 * len(labels),
                      legend=dict(traceorder="reversed"),
                      xaxis=dict(title=dict(text="commitments"), **whole_number_axis(totals)))
    return with_source(fig, "Government commitments by current status, for each priority", source)


def attention(quarterly: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Parliamentary items per quarter, stacked by kind."""
    fig = go.Figure()
    for kind, colour in KIND_COLOURS.items():
        part = quarterly[quarterly["kind"] == kind]
        if len(part):
            agg = part.groupby("quarter", as_index=False)["items"].sum()
            fig.add_bar(x=agg["quarter"], y=agg["items"], name=kind, marker_color=colour)
    per_quarter = quarterly.groupby("quarter")["items"].sum() if len(quarterly) else []
    fig.update_layout(barmode="stack", height=420, yaxis=dict(title="items", **whole_number_axis(per_quarter)),
                      xaxis=dict(type="date", tickformat="%b %Y"))
    return with_source(fig, title, source)


def timeline(events: pd.DataFrame, title: str, source: str) -> go.Figure:
    """One marker per event on a date axis, a row per type; hover shows the title."""
    fig = go.Figure()
    for kind, part in events.groupby("type"):
        fig.add_scatter(x=part["date"], y=[kind] * len(part), mode="markers", name=kind,
                        marker=dict(size=11, line=dict(width=1, color="white")),
                        text=part["title"], hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>")
    fig.update_layout(height=250 + 40 * max(1, events["type"].nunique()), showlegend=False,
                      xaxis=dict(type="date", showgrid=True, gridcolor="#eee"))
    return with_source(fig, title, source)


def status_history(history: pd.DataFrame, scale: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Each commitment's status over time as a step line on the ordinal scale."""
    ranks = dict(zip(scale["status"], scale["rank"]))
    labels = dict(zip(scale["rank"], scale["label"]))
    fig = go.Figure()
    for _, part in history.groupby("commitment_id", sort=False):
        part = part.sort_values("seq")
        fig.add_scatter(x=part["changed_on"], y=[ranks.get(s) for s in part["status"]], mode="lines+markers",
                        line_shape="hv", name=textwrap.shorten(str(part["title"].iloc[0]), 44, placeholder=" ..."),
                        text=part["status_label"] + ": " + part["reason"],
                        hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>")
    # one legend row per commitment on a phone: the figure grows with them so the plot keeps its height
    n = history["commitment_id"].nunique()
    fig.update_layout(height=420 + 24 * n,
                      yaxis=dict(tickmode="array", tickvals=list(labels), ticktext=list(labels.values())),
                      xaxis=dict(type="date"))
    return with_source(fig, title, source)


MAX_GAP_DAYS = 400  # annual series: a longer gap between points means years with no value held


def with_gaps(part: pd.DataFrame) -> pd.DataFrame:
    """Insert an empty point where years are missing, so a line never implies values nobody published."""
    dates = pd.to_datetime(part["period_end"])
    gaps = dates.diff().dt.days > MAX_GAP_DAYS
    if not gaps.any():
        return part
    blanks = part[gaps].assign(value=None, period_end=(dates[gaps] - pd.Timedelta(days=1)).values, time_period="")
    return pd.concat([part, blanks]).sort_values("period_end", kind="stable")


def _year_of(period_end, time_period) -> float | None:
    if period_end is not None and not pd.isna(period_end):
        return pd.Timestamp(period_end).year + pd.Timestamp(period_end).day_of_year / 366
    m = re.search(r"(19|20)\d\d", str(time_period or ""))
    return float(m.group(0)) + 0.999 if m else None


def indicator(values: pd.DataFrame, title: str, source: str) -> go.Figure:
    """A published series over time, one line per geography; suppressed or worded values are not plotted
    as numbers (the table beside the chart shows them as published). Where some periods have no end date
    ("2021 (Census-based)"), every period is placed by its year on a category axis of the published labels,
    so no row of the table is left out of the chart."""
    fig = go.Figure()
    values = values.assign(_year=[_year_of(e, t) for e, t in zip(values["period_end"], values["time_period"])])
    plotted = values[values["value"].notna() & values["_year"].notna()]
    categorical = bool(plotted["period_end"].isna().any())
    order = []
    for geo, part in plotted.groupby("geography_name"):
        part = part.sort_values("_year")
        if categorical:
            x = [wrap_label(t, 16) for t in part["time_period"]]
            order += [v for v in x if v not in order]
        else:
            part = with_gaps(part.sort_values("period_end"))
            x = part["period_end"]
        fig.add_scatter(x=x, y=part["value"], mode="lines+markers", name=geo, connectgaps=False,
                        text=part["time_period"], hovertemplate="%{text}: %{y:,}<extra>" + str(geo) + "</extra>")
    unit = values["unit"].dropna().iloc[0] if values["unit"].notna().any() else ""
    xaxis = dict(type="category", categoryorder="array", categoryarray=order, tickangle=0) if categorical \
        else dict(type="date")
    fig.update_layout(height=420, yaxis=dict(title=unit, rangemode="tozero"), xaxis=xaxis,
                      showlegend=plotted["geography_name"].nunique() > 1)
    return with_source(fig, title, source)
