"""What every part of the reliability suite shares: its size (sample or full), the tally it reports, and a
fault-injecting proxy that sits between an ingest and the replayed upstream API.

Sizes: the default test run takes a short sample of each part; `KINMON_RELIABILITY=full` runs each part
at the size the issue names. Each part adds one row to the tally file named by KINMON_RELIABILITY_REPORT
(tests/reliability/run.py sets it and prints the table); in a plain pytest run the tally is not kept,
but every part still asserts its own zeros.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FULL = os.environ.get("KINMON_RELIABILITY", "").strip().lower() == "full"
SEED = int(os.environ.get("KINMON_RELIABILITY_SEED", "13"))


def size(sample: float, full: float, part: str = "") -> float:
    """A part's size: the sample, or the full size; KINMON_RELIABILITY_<PART>=N sets one part's size (to run a
    part smaller than full when time is short: the table then states the size that was run)."""
    override = os.environ.get(f"KINMON_RELIABILITY_{part.upper()}", "") if part else ""
    if override.isdigit():
        return int(override)
    return full if FULL else sample


def rng(part: str) -> random.Random:
    return random.Random(f"{SEED}:{part}")


@dataclass
class Tally:
    part: str
    tried: int
    survived: int
    rows_lost: int = 0
    executions: int = 0
    tracebacks: int = 0
    size: str = ""


def record(tally: Tally) -> None:
    path = os.environ.get("KINMON_RELIABILITY_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({**asdict(tally), "size": tally.size or ("full" if FULL else "sample")}) + "\n")


# ---------------------------------------------------------------- the fault proxy

FAULTS = ("500", "500-always", "429", "429-retry-after", "reset", "reset-always", "read-timeout", "truncated-json",
          "wrong-shape", "html-200", "short-page", "huge-body")
READ_TIMEOUT = 0.25  # the ingest's KINMON_HTTP_TIMEOUT during fault runs; "read-timeout" waits longer than this


class FaultProxy:
    """Forwards every request to `upstream`, counting them; `plan(index, fault)` makes request `index` (and,
    for the *-always faults, every later one) fail that way instead. Ends with the test: no thread outlives it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.count = 0
        self.index: int | None = None
        self.fault: str | None = None
        self.delay = 0.0  # seconds added to every answer (to spread an ingest out over time)
        self.listings: set[int] = set()  # indices of the answers a short-page fault would shorten
        self._lock = threading.Lock()
        owner = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Nagle off: a body written after its headers otherwise waits for the client's delayed ACK,
                # 40 ms a request (most of a faulted run's time).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.handle(self, "GET")

            def do_POST(self) -> None:
                owner.handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def plan(self, index: int | None, fault: str | None) -> None:
        with self._lock:
            self.count, self.index, self.fault = 0, index, fault
            if fault is None:
                self.listings = set()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _fault_for(self) -> tuple[int, str | None]:
        """This request's index, and the fault planned for it (None: forward it as it is)."""
        with self._lock:
            i = self.count
            self.count += 1
        if self.fault is None or self.index is None:
            return i, None
        if i == self.index or (self.fault.endswith("-always") and i > self.index):
            return i, self.fault
        return i, None

    def _forward(self, h, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection", "accept-encoding")}
        conn.request(method, h.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in ("content-length", "transfer-encoding",
                                                                          "connection")]
        conn.close()
        return resp.status, out, data

    def _send(self, h, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def handle(self, h, method: str) -> None:
        index, fault = self._fault_for()
        if self.delay:
            time.sleep(self.delay)
        try:
            if self._fail_before_answering(h, method, fault):
                return
            status, headers, body = self._forward(h, method)
            if fault is None and self.fault is None and _short_page(body) != body:
                self.listings.add(index)  # a clean run's listing requests: where a short page can be served
            self._send(h, *_altered(fault, status, headers, body))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _fail_before_answering(self, h, method: str, fault: str | None) -> bool:
        """The faults that replace the upstream's answer (a reset, a 500, a 429, a read timeout): True if
        `fault` is one of them and has been served."""
        if fault in ("reset", "reset-always"):
            if int(h.headers.get("Content-Length") or 0):
                h.rfile.read(int(h.headers["Content-Length"]))
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            h.close_connection = True
            h.connection.close()
        elif fault in ("500", "500-always"):
            self._forward(h, method)  # the upstream saw it; the answer is lost
            self._send(h, 500, [("Content-Type", "application/json")], b'{"status":500,"title":"Internal Server Error"}')
        elif fault in ("429", "429-retry-after"):
            self._forward(h, method)
            extra = [("Retry-After", "1")] if fault == "429-retry-after" else []
            self._send(h, 429, [("Content-Type", "application/json"), *extra], b'{"status":429,"title":"Too Many Requests"}')
        elif fault == "read-timeout":
            time.sleep(READ_TIMEOUT * 3)
            h.close_connection = True
        else:
            return False
        return True


def _altered(fault: str | None, status: int, headers: list[tuple[str, str]], body: bytes):
    """The upstream's answer as the faults that corrupt it pass it on (truncated, wrong shape, an HTML page
    with 200, a short page, a huge body); unchanged for any other fault."""
    if fault == "truncated-json":
        body = body[: max(1, len(body) // 2)]
    elif fault == "wrong-shape":
        body = b'{"items": [], "count": "many"}'
    elif fault == "html-200":
        status, headers = 200, [("Content-Type", "text/html")]
        body = b"<!doctype html><html><body><h1>Sorry, something went wrong</h1></body></html>"
    elif fault == "short-page":
        body = _short_page(body)
    elif fault == "huge-body":
        body = b"[" + b"1," * (size(2_500_000, 25_000_000))  # never closed: 5 MB sampled, 50 MB full
    return status, headers, body

def _short_page(body: bytes) -> bytes:
    """The same listing with the second half of its results dropped, totals unchanged: a capped page."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body
    if isinstance(payload, dict):
        for key in ("results", "Results"):
            items = payload.get(key)
            if isinstance(items, list) and len(items) > 1:
                payload[key] = items[: len(items) // 2]
                return json.dumps(payload).encode()
    return body
