"""Figures for priorities, commitments and the timeline. Pure plotly: data in, figure out."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

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
SOURCE_WRAP = 95  # characters per line of the source note: fits a chart in a half-width column
TITLE_WRAP = 60
SOURCE_OFFSET = 58  # pixels from the bottom of the plot area to the source note
SOURCE_MARGIN = 110


def with_source(fig: go.Figure, title: str, source: str) -> go.Figure:
    """Put the title and the source line inside the figure, so an exported image carries both."""
    title_lines = textwrap.wrap(title, TITLE_WRAP) or [""]
    fig.update_layout(
        title=dict(text="<br>".join(title_lines), x=0, xanchor="left", font=dict(size=16)),
        font=FONT,
        margin=dict(l=10, r=10, t=40 + 22 * len(title_lines), b=SOURCE_MARGIN),
        plot_bgcolor="white",
    )
    # pinned in pixels below the plot area, clear of tick labels and the axis title
    fig.add_annotation(
        text="<br>".join(textwrap.wrap(source, SOURCE_WRAP)), xref="paper", yref="paper", x=0, y=0,
        yshift=-SOURCE_OFFSET, xanchor="left", yanchor="top", showarrow=False, align="left",
        font=dict(size=10, color="#555"),
    )
    return fig


def whole_number_axis(values) -> dict:
    """Axis settings for counts: whole-number ticks, a tick per unit when the counts are small."""
    top = max([v for v in values if v == v] or [0])
    return dict(tickformat=",d", rangemode="tozero", **({"dtick": 1} if top <= 8 else {}))


def status_mix(mix: pd.DataFrame, titles: dict[int, str], scale: pd.DataFrame, source: str) -> go.Figure:
    """Stacked horizontal bars: each priority's commitments by current status, best first."""
    fig = go.Figure()
    labels = [f"{pid}. {titles[pid]}" for pid in sorted(titles)]
    for _, s in scale.sort_values("rank", ascending=False).iterrows():
        counts = [int(mix[(mix.priority_id == pid) & (mix.status == s["status"])]["commitments"].sum())
                  for pid in sorted(titles)]
        if not any(counts):
            continue
        fig.add_bar(y=labels, x=counts, name=s["label"], orientation="h",
                    marker_color=STATUS_COLOURS.get(s["status"], "#999"),
                    hovertemplate="%{y}<br>" + s["label"] + ": %{x}<extra></extra>")
    totals = mix.groupby("priority_id")["commitments"].sum()
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"), height=380,
                      legend=dict(orientation="h", y=1.08, x=0), xaxis_title="commitments",
                      xaxis=whole_number_axis(totals))
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
    fig.update_layout(barmode="stack", height=320, yaxis=dict(title="items", **whole_number_axis(per_quarter)),
                      xaxis=dict(type="date"),
                      legend=dict(orientation="h", y=1.1, x=0))
    return with_source(fig, title, source)


def timeline(events: pd.DataFrame, title: str, source: str) -> go.Figure:
    """One marker per event on a date axis, a row per type; hover shows the title."""
    fig = go.Figure()
    for kind, part in events.groupby("type"):
        fig.add_scatter(x=part["date"], y=[kind] * len(part), mode="markers", name=kind,
                        marker=dict(size=11, line=dict(width=1, color="white")),
                        text=part["title"], hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>")
    fig.update_layout(height=120 + 40 * max(1, events["type"].nunique()), showlegend=False,
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
                        line_shape="hv", name=textwrap.shorten(str(part["title"].iloc[0]), 50),
                        text=part["status_label"] + ": " + part["reason"],
                        hovertemplate="%{x|%d %b %Y}<br>%{text}<extra></extra>")
    fig.update_layout(height=360, yaxis=dict(tickmode="array", tickvals=list(labels), ticktext=list(labels.values())),
                      xaxis=dict(type="date"), legend=dict(font=dict(size=10)))
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


def indicator(values: pd.DataFrame, title: str, source: str) -> go.Figure:
    """A published series over time, one line per geography; suppressed or worded values are not plotted
    as numbers (the table beside the chart shows them as published)."""
    fig = go.Figure()
    plotted = values[values["value"].notna() & values["period_end"].notna()]
    for geo, part in plotted.groupby("geography_name"):
        part = with_gaps(part.sort_values("period_end"))
        fig.add_scatter(x=part["period_end"], y=part["value"], mode="lines+markers", name=geo, connectgaps=False,
                        text=part["time_period"], hovertemplate="%{text}: %{y:,}<extra>" + str(geo) + "</extra>")
    unit = values["unit"].dropna().iloc[0] if values["unit"].notna().any() else ""
    fig.update_layout(height=340, yaxis=dict(title=unit, rangemode="tozero"), xaxis=dict(type="date"),
                      showlegend=plotted["geography_name"].nunique() > 1)
    return with_source(fig, title, source)
