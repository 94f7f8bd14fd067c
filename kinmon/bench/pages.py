"""Page timings for the benchmark: kinmon's pages and a bare Streamlit page, rendered by Streamlit's AppTest.

This is the one module outside pages/, dashboard.py and kinmon/ui that imports streamlit: the benchmark
has to render pages to time them. Each page is opened through the real navigation (dashboard.py), its
first render timed with every Streamlit cache emptied, then a warm rerun; the bare page (a title, a line
of text and a 20-row table) is timed the same way in the same process. The bytes a page would send are
the sum of its elements' protobuf messages, as the server would serialise them.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.logger import set_log_level
from streamlit.testing.v1 import AppTest

from kinmon.config import PROJECT_ROOT

TIMEOUT = 900
BARE_PAGE = '''
import pandas as pd
import streamlit as st

st.title("A bare page")
st.write("One line of text and a small table, for comparison.")
st.dataframe(pd.DataFrame({"n": range(20), "word": ["kinship"] * 20}))
'''


@dataclass
class PageTiming:
    label: str
    first: float | None = None
    warm: float | None = None
    sent_bytes: int | None = None
    error: str | None = None


set_log_level("error")  # AppTest's "missing ScriptRunContext" warnings are not the benchmark's output


def _clear() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def sent_bytes(at: AppTest) -> int:
    """The size of what the last run would send to the browser: every element's message."""
    def walk(node) -> int:
        total = 0
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            total += sum(walk(c) for c in children.values())
        return total
    return walk(at._tree)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bare_page() -> PageTiming:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_PAGE, encoding="utf-8")
        AppTest.from_file(str(script), default_timeout=TIMEOUT).run()  # the interpreter's imports, not timed
        _clear()
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        first = _timed(at.run)
        warm = _timed(at.run)
        return PageTiming("bare page", first, warm, sent_bytes(at))


def kinmon_page(label: str, path: str, params: dict) -> PageTiming:
    """First render (caches empty) and warm rerun of one page, opened through dashboard.py's navigation."""
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    at.run()  # the Home page, as a visitor arrives: the interpreter's imports, not timed
    if at.exception:
        return PageTiming(label, error=str(at.exception[0].value)[:120])
    _clear()
    if path == "pages/home.py":
        for k, v in params.items():
            at.query_params[k] = v
        first = _timed(at.run)
    else:
        at.switch_page(path)
        for k, v in params.items():
            at.query_params[k] = v
        first = _timed(at.run)
    if at.exception:
        return PageTiming(label, first, error=str(at.exception[0].value)[:120])
    warm = _timed(at.run)
    return PageTiming(label, first, warm, sent_bytes(at))


# ---------------------------------------------------------------- a reader of a real server, without a browser


@dataclass
class ServerVisit:
    page: str
    query: str
    seconds: float = 0.0
    received_bytes: int = 0
    exceptions: int = 0
    error: str | None = None  # the run did not finish (timeout, closed socket)


class ReaderSession:
    """One reader on a running `streamlit run dashboard.py`: one websocket to /_stcore/stream, on which each
    visit asks for a page (its url_path and query string) as the browser's navigation does, and waits for the
    end of that script run. Counts the bytes the server sent and the exception elements it showed."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT):
        from websockets.sync.client import connect

        self.timeout = timeout
        url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self._ws = connect(url, subprotocols=["streamlit"], open_timeout=timeout, close_timeout=2, max_size=None,
                           ping_interval=None)

    def visit(self, page: str, query: str = "") -> ServerVisit:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        out = ServerVisit(page, query)
        back = BackMsg()
        back.rerun_script.query_string = query
        back.rerun_script.page_name = page
        t0 = time.perf_counter()
        deadline = t0 + self.timeout
        try:
            self._ws.send(back.SerializeToString())
            while True:
                raw = self._ws.recv(timeout=max(0.1, deadline - time.perf_counter()))
                if isinstance(raw, str):
                    continue
                out.received_bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "script_finished" and msg.script_finished in (
                        ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                    break
                if (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"
                        and msg.delta.new_element.WhichOneof("type") == "exception"):
                    out.exceptions += 1
        except Exception as exc:  # noqa: BLE001 - a timeout or closed socket ends the visit; the row says so
            out.error = f"{type(exc).__name__}: {str(exc)[:100]}"
        out.seconds = time.perf_counter() - t0
        return out

    def close(self) -> None:
        self._ws.close()
