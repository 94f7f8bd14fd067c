"""Figures for published statistics: a series over time and councils ranked. Pure plotly, no streamlit.

A suppressed value is never drawn as a number: it appears as its code ("c") above the period it
belongs to, or beside the council's name, and the source line under the chart explains the code.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from kinmon.charts.core import with_source

LINE_COLOUR = "#1d4e89"
EARLIER_COLOUR = "#9e9e9e"
HIGHLIGHT_COLOUR = "#d95f02"
BAR_COLOUR = "#6a8fbf"
CODE_COLOUR = "#8a1c1c"
BAR_HEIGHT_PX = 18

# What each EES symbol means, in the words of DfE's guidance for statistics producers.
SUPPRESSION_MEANINGS = {
    "c": "confidential, suppressed to protect individuals",
    "k": "rounds to 0 but is not 0",
    "low": "rounds to 0 but is not 0",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
    ":": "not available",
}


def suppression_note(codes: list[str] | pd.Series) -> str:
    """'c = confidential, ...; z = not applicable' for the codes present, '' when there are none."""
    present = sorted({str(c) for c in codes if isinstance(c, str) and c})
    return "; ".join(f"{c} = {SUPPRESSION_MEANINGS.get(c, 'see the publisher')}" for c in present)


def chart_title(series_title: str, place: str, start: date | None = None, end: date | None = None) -> str:
    """A plain-language title: what, where, and over which years."""
    span = ""
    if start and end:
        span = f", {start.year}" if start.year == end.year else f", {start.year} to {end.year}"
    return f"{series_title}: {place}{span}"


def releases_line(releases: pd.DataFrame, codes: list[str] | pd.Series = ()) -> str:
    """'Source: Department for Education: <release> (published 26 Nov 2025); <older release> (published
    14 Nov 2024). Open Government Licence v3.0.' for exactly the releases given (newest first, as
    kinmon.queries.statistics.releases_shown orders them); a release without a date says so."""
    by_publisher: dict[str, list[str]] = {}
    for _, r in releases.iterrows():
        published = r["published_on"]
        when = (f"published {pd.Timestamp(published):%-d %b %Y}" if published is not None and not pd.isna(published)
                else "publication date not recorded")
        if isinstance(r.get("published_note"), str) and "lastPublished" in r["published_note"]:
            when += " per the EES API"
        by_publisher.setdefault(r["source_publisher"] or "unknown publisher", []).append(
            f"{r['release_title']} ({when})" if r["release_title"] else when)
    parts = ["Source: " + "; ".join(f"{p}: {', '.join(t)}" if len(t) == 1 else f"{p}: " + "; ".join(t)
                                    for p, t in by_publisher.items()) + "." if by_publisher else "Source: not recorded."]
    licences = sorted({str(x) for x in releases["licence"].dropna()}) if len(releases) else []
    if licences:
        parts.append("; ".join(licences) + ".")
    note = suppression_note(codes)
    if note:
        parts.append(f"Codes: {note}.")
    return " ".join(parts)


def series_over_time(values: pd.DataFrame, title: str, source: str, unit: str | None = None) -> go.Figure:
    """The shown vintage as a line; earlier releases' values, if present, as grey rings; codes on top.

    `values` is kinmon.queries.statistics.series_values (its `display` column gives each code)."""
    fig = go.Figure()
    dated = values[values["period_end"].notna()]
    shown = dated[dated["is_shown_vintage"]] if "is_shown_vintage" in dated else dated
    earlier = dated[~dated["is_shown_vintage"]] if "is_shown_vintage" in dated else dated.iloc[0:0]
    numbers = shown[shown["value"].notna()].sort_values("period_end")
    if len(earlier[earlier["value"].notna()]):
        part = earlier[earlier["value"].notna()]
        fig.add_scatter(x=part["period_end"], y=part["value"], mode="markers", name="earlier releases",
                        marker=dict(symbol="circle-open", size=9, color=EARLIER_COLOUR),
                        text=part["release_title"], hovertemplate="%{x|%Y}: %{y:,}<br>%{text}<extra></extra>")
    fig.add_scatter(x=numbers["period_end"], y=numbers["value"], mode="lines+markers", name="latest release",
                    line=dict(color=LINE_COLOUR, width=2.5), marker=dict(size=7),
                    text=numbers["time_period"], customdata=numbers["release_title"],
                    hovertemplate="%{text}: %{y:,}<br>%{customdata}<extra></extra>")
    for _, r in shown[shown["value"].isna()].iterrows():
        code = r["display"]
        fig.add_annotation(x=r["period_end"], y=1.0, xref="x", yref="paper", yanchor="bottom", text=str(code),
                           showarrow=False, font=dict(color=CODE_COLOUR, size=13),
                           hovertext=f"{r['time_period']}: {code}, no number published")
    fig.update_layout(height=380, yaxis=dict(title=unit or "", rangemode="tozero", gridcolor="#eee"),
                      xaxis=dict(type="date", gridcolor="#eee"), legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      showlegend=bool(len(earlier)))
    return with_source(fig, title, source)


def councils_ranked(comparison: pd.DataFrame, title: str, source: str, unit: str | None = None,
                    highlight: str | None = None) -> go.Figure:
    """Horizontal bars, highest first; a suppressed council keeps its row and shows its code, no bar."""
    ordered = comparison.iloc[::-1]  # plotly draws the first category at the bottom
    names = list(ordered["geography_name"])
    colours = [HIGHLIGHT_COLOUR if c == highlight else BAR_COLOUR for c in ordered["geography_code"]]
    fig = go.Figure()
    fig.add_bar(y=names, x=ordered["value"], orientation="h", marker_color=colours,
                customdata=ordered["display"], hovertemplate="%{y}: %{customdata}<extra></extra>")
    for name, display, value in zip(names, ordered["display"], ordered["value"]):
        if pd.isna(value):
            fig.add_annotation(x=0, y=name, xref="x", yref="y", xanchor="left", text=f" {display}", showarrow=False,
                               font=dict(color=CODE_COLOUR))
    fig.update_layout(height=max(300, 190 + BAR_HEIGHT_PX * len(names)), showlegend=False,
                      xaxis=dict(title=unit or "", gridcolor="#eee", rangemode="tozero"),
                      yaxis=dict(type="category", tickfont=dict(size=11)))
    return with_source(fig, title, source)
