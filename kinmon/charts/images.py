"""Chart images for publication: PNG and SVG with the title, source and data date drawn inside.

Rendering uses kaleido, which drives a local Chrome or Chromium (Debian's `chromium` package here). Where
none is installed the dashboard still offers PNG from the chart's own camera button, which draws the same
title and source line.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

import plotly.graph_objects as go

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
IMAGE_WIDTH, IMAGE_HEIGHT, PNG_SCALE = 1100, 620, 2


class ImageUnavailable(RuntimeError):
    """No browser for kaleido to render with."""


@lru_cache(maxsize=1)
def available() -> bool:
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return any(shutil.which(b) for b in BROWSERS)


def stamp(fig: go.Figure, text: str) -> go.Figure:
    """Add a data-date line under the source line, so an exported image says when its data is from."""
    fig = go.Figure(fig)
    below = [a for a in fig.layout.annotations
             if a.yref == "paper" and a.y is not None and (a.y < 0 or (a.y == 0 and (a.yshift or 0) < 0))]
    if below:
        source = below[-1]
        source.text = f"{source.text}<br>{text}"
        fig.update_layout(margin=dict(b=(fig.layout.margin.b or 80) + 16))
    else:
        fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=-0.12, xanchor="left", yanchor="top",
                           showarrow=False, font=dict(size=10, color="#555"))
    return fig


def to_image(fig: go.Figure, fmt: str) -> bytes:
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    if not available():
        raise ImageUnavailable("no Chrome or Chromium found for rendering images (apt-get install chromium)")
    height = fig.layout.height or IMAGE_HEIGHT
    return fig.to_image(format=fmt, width=IMAGE_WIDTH, height=max(height, 360),
                        scale=PNG_SCALE if fmt == "png" else 1)
