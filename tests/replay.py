"""A real local HTTP server that replays responses written in the upstream APIs' documented shapes.

Tests register routes by method and path. A route answers with a fixed Reply, a list of Replies used
in turn (the last one repeats), or a function of the Request. Every request is recorded so tests
can assert on query parameters and headers.
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict | None = None) -> "Reply":
        return cls(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain", headers: dict | None = None) -> "Reply":
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type, **(headers or {})})

    @classmethod
    def gzip_csv(cls, text: str) -> "Reply":
        return cls(200, gzip.compress(text.encode("utf-8")), {"Content-Type": "text/csv", "Content-Encoding": "gzip"})


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


Handler = Reply | list | Callable[[Request], Reply]


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[Request] = []
        self._counters: dict[tuple[str, str], int] = {}
        server = self

        class _H(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(method, parts.path, parse_qs(parts.query, keep_blank_values=True),
                              {k: v for k, v in self.headers.items()}, self.rfile.read(length) if length else b"")
                server.requests.append(req)
                reply = server._reply_for(req)
                body = reply.body if isinstance(reply.body, bytes) else str(reply.body).encode()
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method.upper(), path)] = handler
        self._counters[(method.upper(), path)] = 0

    def _reply_for(self, req: Request) -> Reply:
        key = (req.method, req.path)
        handler = self.routes.get(key)
        if handler is None:
            return Reply.json({"status": 404, "title": "Not Found", "detail": req.path}, status=404)
        if isinstance(handler, list):
            i = self._counters[key]
            self._counters[key] = i + 1
            return handler[min(i, len(handler) - 1)]
        if callable(handler) and not isinstance(handler, Reply):
            return handler(req)
        return handler

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> "ReplayServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
