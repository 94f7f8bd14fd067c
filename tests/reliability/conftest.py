"""The reliability suite's helpers are importable by its tests (tests/ itself is put on the path by
tests/conftest.py), and its parts share one store built from the snapshot (each module gets its own copy)."""

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
