"""The chart builder (kinmon/charts/core.py) and the server-side images (kinmon/charts/images.py):
axis types, legend and text placement, and an exported PNG that carries its title, source and date and
is rendered in under two seconds once the shared browser is running."""

from __future__ import annotations

import struct
import time

import pandas as pd
import plotly.graph_objects as go
import pytest

from kinmon.charts import core, images

SOURCE = ("Source: Department for Education, Children looked after in England including adoptions, reporting "
          "year 2025 (published 20 Nov 2025). Open Government Licence v3.0.")
MAX_RENDER_S = 2.0


def _scatter(dates, values):
    fig = go.Figure(go.Scatter(x=pd.to_datetime(dates), y=values, hovertemplate="%{x|%d %b %Y}: %{y}"))
    fig.update_layout(xaxis=dict(type="date"))
    return fig


def test_one_point_never_gets_a_datetime_axis():
    fig = core.with_source(_scatter(["2024-03-31"], [5]), "One value", SOURCE)
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].x) == ["2024"] and "%{x}" in fig.data[0].hovertemplate


def test_annual_data_gets_a_tick_per_year_labelled_with_the_year():
    fig = core.with_source(_scatter(["2021-03-31", "2022-03-31", "2023-03-31"], [1, 2, 3]), "Annual", SOURCE)
    assert fig.layout.xaxis.type == "date"
    assert list(fig.layout.xaxis.ticktext) == ["2021", "2022", "2023"]


def test_monthly_data_keeps_its_time_axis():
    fig = core.with_source(_scatter(["2024-01-01", "2024-02-01", "2024-03-01"], [1, 2, 3]), "Monthly", SOURCE)
    assert fig.layout.xaxis.type == "date" and fig.layout.xaxis.ticktext is None


def test_title_wraps_and_legend_and_source_sit_below_the_plot():
    title = "Children who ceased to be looked after because of a special guardianship order, England"
    fig = core.with_source(_scatter(["2021-03-31", "2022-03-31"], [1, 2]), title, SOURCE)
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= core.TITLE_WRAP for line in lines)
    assert fig.layout.margin.t >= core.TITLE_LINE_PX * len(lines)
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0  # the bottom of the figure
    assert fig.layout.xaxis.automargin and "Department for Education" in fig.layout.xaxis.title.text
    stamped = images.stamp(fig, "kinmon · data as of 2026-11-25")
    assert stamped.layout.xaxis.title.text.endswith("kinmon · data as of 2026-11-25</span>")
    assert "data as of" not in fig.layout.xaxis.title.text  # stamp works on a copy


def test_an_indicator_plots_every_row_even_without_period_end_dates():
    values = pd.DataFrame({
        "time_period": ["2011-03-27", "2021 (Census-based)", "2022 (Kinship survey release)"],
        "period_end": [pd.Timestamp("2011-03-27"), pd.NaT, pd.NaT],
        "geography_name": ["England", "England and Wales", "England and Wales"],
        "value": [152_910.0, 164_000.0, 162_000.0], "unit": ["children"] * 3,
    })
    fig = core.indicator(values, "Estimated children in kinship care", SOURCE)
    assert sum(len(t.x) for t in fig.data) == 3
    assert fig.layout.xaxis.type == "category"


@pytest.mark.skipif(not images.available(), reason="no Chromium for kaleido (apt-get install chromium)")
def test_the_server_png_carries_its_text_and_is_fast_once_the_browser_is_running():
    mix = pd.DataFrame({"priority_id": [1, 1, 2], "status": ["delivered", "in_progress", "stalled"],
                        "commitments": [4, 1, 2]})
    scale = pd.DataFrame({"status": ["delivered", "in_progress", "stalled"], "rank": [7, 5, 2],
                          "label": ["Delivered", "In progress", "Stalled"]})
    fig = images.stamp(core.status_mix(mix, {1: "A clear legal framework", 2: "Support for every family"},
                                       scale, SOURCE), "kinmon · data as of 2026-11-25")
    images.to_image(fig, "svg")  # starts the shared browser (the dashboard does this at start-up)
    started = time.perf_counter()
    png = images.to_image(fig, "png")
    took = time.perf_counter() - started
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (images.IMAGE_WIDTH * images.PNG_SCALE, fig.layout.height * images.PNG_SCALE)
    assert took < MAX_RENDER_S, f"a PNG took {took:.2f} s"
    svg = images.to_image(fig, "svg").decode("utf-8")
    for text in ("Government commitments by current", "Department for Education", "data as of 2026-11-25",
                 "Delivered"):
        assert text in svg
