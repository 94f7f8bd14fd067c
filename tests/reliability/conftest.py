"""The reliability suite's helpers are importable by its tests (tests/ itself is put on the path by
tests/conftest.py), and its parts share what they can without sharing what they check:

- one store built from the snapshot (each module gets its own copy);
- one hostile store (tests/reliability/world.py) and one dashboard server reading it, for the read-only parts:
  the XSS part's Chromium visits and the fuzz part's sessions;
- one server started on an empty store path, whose first visitors build the store: the first-start part's 20
  sessions meet it fresh; then (in the sample) the load part's sessions and publishes, the three-server part (as
  one of its three) and the damaged-store part use it and its store in turn.

A test on a shared server counts only the tracebacks logged during its own visits (Server.mark); the whole
serving log is checked again when the session ends, so a traceback logged late still fails the run.
"""

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def _reliability_snapshot(tmp_path_factory) -> Path:
    from helpers import build_store

    db = tmp_path_factory.mktemp("reliability-store") / "kinmon.duckdb"
    build_store(db)
    return db


@pytest.fixture(scope="module")
def snapshot_store(_reliability_snapshot, tmp_path_factory) -> Path:
    """A store built from the shipped snapshot: built once for the suite, copied into a folder of its own per
    module (tests/conftest.py's fixture builds it once per module, 2 s or more each on a shared machine)."""
    db = tmp_path_factory.mktemp("store") / "kinmon.duckdb"
    shutil.copyfile(_reliability_snapshot, db)
    return db


@pytest.fixture(scope="session")
def hostile_store(_reliability_snapshot, tmp_path_factory):
    """(store, payloads, hostile question ids): 11 payloads (one of each shape) in the sample, 100 in full."""
    import world
    from payloads import TEMPLATES
    from suite import size

    return world.build(_reliability_snapshot, tmp_path_factory.mktemp("xss"), size(len(TEMPLATES), 100))


def _serve(db: Path, log: Path):
    import servers

    server = servers.start(db, log)
    try:
        yield server
    finally:
        server.stop()
    assert server.tracebacks() == 0, server.serving_log()[-3000:]


@pytest.fixture(scope="session")
def hostile_server(hostile_store, tmp_path_factory):
    """A dashboard (configured as deployed) on the hostile store, shared by the read-only parts."""
    yield from _serve(hostile_store[0], tmp_path_factory.mktemp("hostile-server") / "server.log")


class FreshServer:
    """A dashboard started on an empty store path; `fresh` until a test has visited it."""

    def __init__(self, server, db: Path) -> None:
        self.server, self.db, self.fresh = server, db, True

    def take(self):
        """The server, no longer fresh for whoever comes next."""
        self.fresh = False
        return self.server


@pytest.fixture(scope="session")
def fresh_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fresh-server")
    db = folder / "kinmon.duckdb"
    for server in _serve(db, folder / "server.log"):
        yield FreshServer(server, db)
