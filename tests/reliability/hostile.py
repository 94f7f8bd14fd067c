"""A deliberately bad HTTP server on loopback: trickling, endless, huge, bombing and redirecting answers.

Unlike tests/replay.py (which sends whole, well-formed replies), each mode here writes the raw socket
itself, so a client meets what a broken or hostile server really does. Every mode ends by itself: the
endless ones stop after `limit_seconds`, so no test can leave a runaway thread behind.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CSV = ("time_period,time_identifier,geographic_level,country_code,country_name,number\n"
       "2024,Financial year,National,E92000001,England,120\n")


@functools.lru_cache(maxsize=4)
def gzip_bomb(unpacked_mb: int) -> bytes:
    """A small gzip (about 1 KB per MB) that unpacks to `unpacked_mb` MB: a CSV header, then zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"0" * 1_000_000
    parts = [packer.compress(CSV.encode())] + [packer.compress(block) for _ in range(unpacked_mb)]
    return b"".join(parts) + packer.flush()


class HostileServer:
    def __init__(self, limit_seconds: float = 30.0, bomb_mb: int = 300) -> None:
        self.limit = limit_seconds
        self.bomb_mb = bomb_mb  # unpacked size of the server's gzip bombs
        self.other_url = ""  # a second local server, for 'redirect to another local port'
        owner = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    owner.serve(self, self.path.split("?")[0].strip("/"))
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _head(self, h, status=200, headers=None) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()

    def serve(self, h, mode: str) -> None:
        """Answer `mode` (the request path) in its hostile way, for at most self.limit seconds."""
        ends = time.monotonic() + self.limit
        modes = {
            "ok.csv": self._ok, "trickle.csv": self._trickle, "endless.csv": self._endless, "huge.csv": self._huge,
            "liar.csv": self._liar, "bomb.csv.gz": self._bomb, "bomb-encoded.csv": self._bomb_encoded,
            "to-file": lambda h, ends: self._redirect(h, "file:///etc/passwd"),
            "to-other-port": lambda h, ends: self._redirect(h, f"{self.other_url}/ok.csv"),
            "loop": lambda h, ends: self._redirect(h, "/loop"),
            "html": self._html, "reset": self._reset,
        }
        modes.get(mode, self._not_found)(h, ends)

    def _ok(self, h, ends: float) -> None:
        body = CSV.encode()
        self._head(h, headers={"Content-Type": "text/csv", "Content-Length": str(len(body))})
        h.wfile.write(body)

    def _trickle(self, h, ends: float) -> None:  # 1 byte every 0.5 s
        self._head(h, headers={"Content-Type": "text/csv", "Content-Length": str(10_000_000)})
        for byte in (CSV * 100000).encode():
            if time.monotonic() > ends:
                break
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.5)

    def _endless(self, h, ends: float) -> None:  # chunked, never ending
        self._head(h, headers={"Content-Type": "text/csv", "Transfer-Encoding": "chunked"})
        chunk = (CSV.splitlines()[1] + "\n").encode() * 1000
        while time.monotonic() < ends:
            h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")

    def _huge(self, h, ends: float) -> None:  # honest Content-Length of 1 GB
        self._head(h, headers={"Content-Type": "text/csv", "Content-Length": str(10**9)})
        block = b"0" * 65536
        while time.monotonic() < ends:
            h.wfile.write(block)

    def _liar(self, h, ends: float) -> None:  # says nothing of its size, sends 1 GB
        self._head(h, headers={"Content-Type": "text/csv", "Connection": "close"})
        block = (CSV.splitlines()[1] + "\n").encode() * 1000
        for _ in range(20000):
            if time.monotonic() > ends:
                break
            h.wfile.write(block)

    def _bomb(self, h, ends: float) -> None:
        body = gzip_bomb(self.bomb_mb)
        self._head(h, headers={"Content-Type": "application/gzip", "Content-Length": str(len(body))})
        h.wfile.write(body)

    def _bomb_encoded(self, h, ends: float) -> None:  # the same bomb as Content-Encoding: requests unpacks it
        body = gzip_bomb(self.bomb_mb)
        self._head(h, headers={"Content-Type": "text/csv", "Content-Encoding": "gzip",
                               "Content-Length": str(len(body))})
        h.wfile.write(body)

    def _redirect(self, h, location: str) -> None:
        self._head(h, 302, {"Location": location, "Content-Length": "0"})

    def _html(self, h, ends: float) -> None:
        body = b"<!doctype html><html><body><h1>Service unavailable</h1></body></html>"
        self._head(h, headers={"Content-Type": "text/html", "Content-Length": str(len(body))})
        h.wfile.write(body)

    def _reset(self, h, ends: float) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        h.close_connection = True  # the handler ends and closes its files: the reset goes out now, not at
        h.connection.close()       # the client's timeout (the socket stays open while rfile/wfile hold it)

    def _not_found(self, h, ends: float) -> None:
        self._head(h, 404, {"Content-Length": "0"})
