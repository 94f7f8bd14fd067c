"""Shared fixtures: a local replay server, a temporary store path, a store built from the snapshot for the
page tests (AppTest), and no network, ever."""

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


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory) -> Path:
    """A store built from the shipped snapshot, once per test module, in a folder of its own."""
    from helpers import build_store

    db = tmp_path_factory.mktemp("store") / "kinmon.duckdb"
    build_store(db)
    return db


@pytest.fixture
def use_store(monkeypatch):
    """`use_store(db)` points the app (KINMON_DB) at `db` with Streamlit's caches emptied, so an AppTest
    reads that store; the caches are emptied again after the test."""
    import streamlit as st

    def use(db: Path) -> None:
        monkeypatch.setenv("KINMON_DB", str(db))
        st.cache_data.clear()
        st.cache_resource.clear()

    yield use
    st.cache_data.clear()
    st.cache_resource.clear()
