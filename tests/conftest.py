"""Shared fixtures: a local replay server, a temporary store path, and no network, ever."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay import ReplayServer  # noqa: E402

_real_connect = socket.socket.connect


def _loopback_only(self, address):  # tests never touch the network
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    # Fast, deterministic HTTP politeness in tests; the code path is the same.
    monkeypatch.setenv("KINMON_HTTP_MIN_INTERVAL", "0")
    monkeypatch.setenv("KINMON_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("KINMON_HTTP_TIMEOUT", "10")


@pytest.fixture
def replay():
    server = ReplayServer().start()
    yield server
    server.stop()


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "kinmon.duckdb"
    monkeypatch.setenv("KINMON_DB", str(path))
    return path
