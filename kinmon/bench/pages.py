"""Page timings for the benchmark: kinmon's pages and a bare Streamlit page, as a reader of a real server gets them.

The pages are served by `streamlit run dashboard.py` on the benchmark's store (kinmon.bench.memory.Server)
and asked for by ReaderSession, a reader without a browser: one websocket to /_stcore/stream speaking
Streamlit's own protocol, each visit a rerun with the page's url_path and query as the browser's
navigation sends, timed from the request to the end of the run with every message received. A page's
first render follows a Clear caches (what the app menu sends: every st.cache_data and st.cache_resource
emptied); its warm render is the same reader's rerun. The bare page (a title, a line of text and a 20-row
table) is served and timed the same way by a server of its own. The bytes are what the server sent.

Why a server and not AppTest (which the benchmark used before): AppTest compiles the page script afresh
on every run (a new ScriptCache each time, with Streamlit's magic rewrite of the whole AST), which a
server does once; on a 260-line page that is tens of milliseconds per rerun that no reader ever waits
for, and nothing on a six-line bare page. A server also serialises and sends every message, which a
reader does wait for, for the bare page too.

This is one of the benchmark's modules that imports streamlit: its reader speaks Streamlit's protocol.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kinmon.config import PROJECT_ROOT

TIMEOUT = 300  # seconds a visit may take before the row says it failed
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

    def clear_caches(self) -> None:
        """Empty the server's Streamlit caches (st.cache_data, st.cache_resource: every session's), as the app
        menu's "Clear caches" does; the server handles it before this session's next rerun."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        back = BackMsg()
        back.clear_cache = True
        self._ws.send(back.SerializeToString())

    def close(self) -> None:
        self._ws.close()


FIRST_TRIES, WARM_TRIES = 2, 5


def served_page(url: str, label: str, page: str, query: str) -> PageTiming:
    """A page as a reader of a running server gets it: its first render with every cache emptied (the
    fastest of FIRST_TRIES, each on a new session after a Clear caches) and a warm rerun by the same reader
    (the median of WARM_TRIES); each from the request to the end of the run, every message received. The
    bytes are those of the first render, as sent."""
    import statistics

    firsts, sent = [], 0
    for _ in range(FIRST_TRIES):
        session = ReaderSession(url)
        try:
            session.clear_caches()
            first = session.visit(page, query)
            if first.error or first.exceptions:
                return PageTiming(label, error=first.error or f"{first.exceptions} exception(s) on the page")
            firsts.append(first.seconds)
            sent = max(sent, first.received_bytes)
            warm = [session.visit(page, query) for _ in range(WARM_TRIES)]
        finally:
            session.close()
    failed = next((v for v in warm if v.error or v.exceptions), None)
    if failed is not None:
        return PageTiming(label, min(firsts), error=failed.error or "an exception on a rerun")
    return PageTiming(label, min(firsts), statistics.median(v.seconds for v in warm), sent)


def served_pages(db: Path, pages: tuple) -> tuple[dict[str, PageTiming], PageTiming]:
    """Every (label, url_path, query) of `pages` on a `streamlit run dashboard.py` reading `db`, and the bare
    page on a server of its own, timed the same way (served_page). Each server first serves one visit
    untimed: the interpreter's imports, as a running server has them."""
    from kinmon.bench.memory import Server

    with tempfile.TemporaryDirectory(prefix="kinmon-bench-pages-") as tmp:
        timings = {}
        server = Server(PROJECT_ROOT / "dashboard.py", db, Path(tmp) / "kinmon.log")
        try:
            server.wait_healthy()
            _untimed(server.url, "", "")
            for label, page, query in pages:
                timings[label] = served_page(server.url, label, page, query)
        finally:
            server.stop()
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_PAGE, encoding="utf-8")
        server = Server(script, None, Path(tmp) / "bare.log")
        try:
            server.wait_healthy()
            _untimed(server.url, "", "")
            bare = served_page(server.url, "bare page", "", "")
        finally:
            server.stop()
    return timings, bare


def _untimed(url: str, page: str, query: str) -> None:
    session = ReaderSession(url)
    try:
        session.visit(page, query)
    finally:
        session.close()
