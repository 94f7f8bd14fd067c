"""The reliability suite's helpers are importable by its tests (tests/ itself is put on the path by
tests/conftest.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
