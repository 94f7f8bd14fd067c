"""Chart images for publication: PNG and SVG with the title, source and data date drawn inside.

Rendering uses kaleido 1.x, which drives a local Chrome or Chromium (Debian's `chromium` package here).
Starting that browser takes seconds, so one kaleido browser is kept alive for the life of the process
(`kaleido.start_sync_server`) and every render reuses it: the first image asked for pays the start-up
(about 2 s), the next ones take well under a second. It is not started before an image is asked for: a
page render never waits on it, and a server nobody exports from does not hold its memory. The render page is built without MathJax, which kaleido would otherwise fetch from a CDN (offline, a wait).
Where no browser is installed the dashboard still offers PNG from the chart's own camera button, which
draws the same title and source line.
"""

from __future__ import annotations

import shutil
import threading
from functools import lru_cache

import plotly.graph_objects as go

from kinmon.charts.core import restamp

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
IMAGE_WIDTH, IMAGE_HEIGHT, PNG_SCALE = 1100, 620, 2
MIN_HEIGHT = 360
RENDER_TIMEOUT_S = 60
_LOCK = threading.Lock()  # kaleido's sync server answers one caller at a time


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
    """A copy of the figure with a data-date line under its source line, so an exported image says when
    its data is from."""
    return restamp(go.Figure(fig), text)


def _server_running() -> bool:
    import kaleido

    return kaleido._global_server.is_running()  # noqa: SLF001 - kaleido has no public "is running"


def start_server() -> None:
    """Start the shared kaleido browser if it is not running (idempotent, thread-safe)."""
    import kaleido

    with _LOCK:
        if not _server_running():
            kaleido.start_sync_server(mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True)


def to_image(fig: go.Figure, fmt: str) -> bytes:
    """The figure as PNG (2x) or SVG at the export size, drawn by the shared kaleido browser."""
    import kaleido

    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    if not available():
        raise ImageUnavailable("no Chrome or Chromium found for rendering images (apt-get install chromium)")
    start_server()
    height = max(fig.layout.height or IMAGE_HEIGHT, MIN_HEIGHT)
    opts = dict(format=fmt, width=IMAGE_WIDTH, height=height, scale=PNG_SCALE if fmt == "png" else 1)
    with _LOCK:
        return kaleido.calc_fig_sync(fig.to_dict(), opts=opts)
