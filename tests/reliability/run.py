"""Run the reliability suite and print one table: `python tests/reliability/run.py` (the short sample, as in
the default test run) or `KINMON_RELIABILITY=full python tests/reliability/run.py` (every part at full size).

Extra arguments go to pytest (e.g. `-k faults`). Exit status: pytest's. With KINMON_RELIABILITY_REPORT set, the
tallies are appended to that file and the table shows all of it: two runs of parts side by side (say `-k faults`
and `-k "not faults"`) sharing one file give one table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COLUMNS = ("part", "tried", "survived", "rows_lost", "executions", "tracebacks", "size")


def table(tallies: list[dict]) -> str:
    rows = [[str(t.get(c, "")) for c in COLUMNS] for t in tallies]
    totals = ["total"] + [str(sum(int(t[c]) for t in tallies)) for c in COLUMNS[1:6]] + [""]
    widths = [max(len(r[i]) for r in [list(COLUMNS), totals, *rows]) for i in range(len(COLUMNS))]
    line = lambda r: "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |"  # noqa: E731
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), rule, *map(line, rows), line(totals)])


def main(argv: list[str]) -> int:
    given = os.environ.get("KINMON_RELIABILITY_REPORT")
    report = Path(given) if given else Path(tempfile.mkdtemp(prefix="kinmon-reliability-")) / "tally.jsonl"
    env = {**os.environ, "KINMON_RELIABILITY_REPORT": str(report)}
    mode = "full" if env.get("KINMON_RELIABILITY", "").lower() == "full" else "sample"
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE), *argv],
                           cwd=ROOT, env=env)
    tallies = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    print()
    print(f"kinmon reliability suite ({mode}, {time.monotonic() - started:.0f} s, pytest exit {code})")
    print(table(tallies) if tallies else "no part reported")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
