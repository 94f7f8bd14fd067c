"""A Streamlit session without a browser: one websocket to /_stcore/stream, one page run, what it showed.

Speaks Streamlit's own protocol (BackMsg / ForwardMsg protobufs from the installed streamlit), so
tens of sessions and thousands of query strings cost seconds, not minutes of Chromium. A visit
records every exception element (what a reader would see as a traceback box), every st.error, and
every text the page showed, so a test can check the data it served.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)


@dataclass
class Visit:
    page: str
    query: str
    finished: bool = False
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception element
    errors: list[str] = field(default_factory=list)  # st.error bodies
    texts: list[str] = field(default_factory=list)  # markdown, captions, headings, html bodies
    page_not_found: bool = False
    seconds: float = 0.0
    failure: str | None = None  # the session could not run at all (connection refused, timeout)
    base_url: str = ""  # the server visited

    @property
    def ok(self) -> bool:
        return self.finished and not self.exceptions and self.failure is None


def _collect(visit: Visit, msg: ForwardMsg) -> None:
    if msg.WhichOneof("type") != "delta":
        return
    delta = msg.delta
    if delta.WhichOneof("type") != "new_element":
        return
    el = delta.new_element
    kind = el.WhichOneof("type")
    if kind == "exception":
        visit.exceptions.append(f"{el.exception.type}: {el.exception.message}")
    elif kind == "alert":
        if el.alert.format == Alert.ERROR:
            visit.errors.append(el.alert.body)
        visit.texts.append(el.alert.body)
    elif kind in ("markdown", "heading", "html", "code"):
        body = getattr(el, kind)
        visit.texts.append(getattr(body, "body", "") or getattr(body, "code_text", ""))


def visit(base_url: str, page: str = "", query: str = "", timeout: float = 60.0,
          together: threading.Barrier | None = None) -> Visit:
    """Open one session on `page` (its url_path, '' for the home page) with `query` (no '?'). With `together`,
    the page is asked for only once every session of the barrier is connected: all of them at the same moment."""
    out = Visit(page, query, base_url=base_url)
    started = time.monotonic()
    ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
    try:
        with connect(ws_url, subprotocols=["streamlit"], open_timeout=timeout, close_timeout=2,
                     max_size=None, ping_interval=None) as ws:
            back = BackMsg()
            back.rerun_script.query_string = query
            back.rerun_script.page_name = page
            if together is not None:
                together.wait(timeout)
            ws.send(back.SerializeToString())
            deadline = started + timeout
            while time.monotonic() < deadline:
                raw = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                if isinstance(raw, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "page_not_found":
                    out.page_not_found = True
                elif kind == "script_finished" and msg.script_finished in DONE:
                    out.finished = True
                    break
                else:
                    _collect(out, msg)
            else:
                out.failure = f"no end of script run within {timeout:.0f} s"
    except TimeoutError:
        out.failure = f"no end of script run within {timeout:.0f} s"
    except OSError as exc:
        out.failure = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - websockets' own errors (closed, handshake) end the visit
        out.failure = f"{type(exc).__name__}: {exc}"
    out.seconds = time.monotonic() - started
    return out
