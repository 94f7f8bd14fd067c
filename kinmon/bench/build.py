"""Build the benchmark's store at a chosen scale, through kinmon's own code.

The shipped snapshot is built first (kinmon.snapshot.build), then synthetic questions (kinmon.bench.synth)
go through the Written Questions parser (checked_question), the ingest's row builder (question_row) and
batch writer (insert_rows), the observations are repeated as older vintages of the snapshot's figures
through the statistics writers (write_release, write_observations), and the derived tables are made as
every writer makes them: classify.retag_all, evidence.suggest, search.rebuild_index. Each step is timed.
reuse() instead copies a store an earlier run built, so the rows can be measured again without rebuilding it.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from kinmon import classify, evidence, search, snapshot, store
from kinmon.bench.synth import Model, question_value
from kinmon.ingest import observations as obs
from kinmon.ingest.parliament import insert_rows, question_row
from kinmon.queries import core
from kinmon.sources.questions import checked_question

QUESTIONS_PER_SCALE = 1_000  # scale 100: 100,000 written questions
OBSERVATIONS_PER_SCALE = 9_360  # scale 100: 936,000 observations
BATCH = 10_000


@dataclass
class Built:
    path: Path
    questions: int = 0
    observations: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    load: str = ""  # the load average when the derived tables were timed
    reused: str = ""  # the store this one was copied from, when an earlier run's store is reused


def question_rows(model: Model, start: int, stop: int, count: int, now: datetime, **kw) -> list[dict]:
    """Synthetic questions start..stop-1, parsed and built into written_question rows as the ingest does."""
    rows = []
    for i in range(start, stop):
        value = question_value(model, i, count=count, **kw)
        q = checked_question(value, "bench:synthetic", from_detail=True)
        rows.append(question_row(q, {}, {}, now))
    return rows


def _records(df: pd.DataFrame) -> list[dict]:
    df = df.astype(object).where(df.notna(), None)
    out = df.to_dict("records")
    for r in out:
        for k, v in r.items():
            if isinstance(v, pd.Timestamp):
                r[k] = v.date() if k in ("period_end", "published_on") else v.to_pydatetime()
    return out


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def build(path: Path, scale: float, model: Model, log=print) -> Built:
    path = Path(path)
    built = Built(path)
    t0 = time.perf_counter()
    snapshot.build(path, force=True)
    built.seconds["snapshot"] = time.perf_counter() - t0
    n_questions = max(1, round(QUESTIONS_PER_SCALE * scale))
    target_obs = round(OBSERVATIONS_PER_SCALE * scale)
    now = store.utcnow()
    with store.writer(path) as con:
        t0 = time.perf_counter()
        for start in range(0, n_questions, BATCH):
            stop = min(n_questions, start + BATCH)
            insert_rows(con, "written_question", question_rows(model, start, stop, n_questions, now))
            log(f"  questions {stop:,} of {n_questions:,}")
        built.seconds["questions"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        base = _records(core.whole_table(con, "observation"))
        releases = {r["release_id"]: r for r in _records(core.whole_table(con, "release"))}
        vintages = max(0, math.ceil((target_obs - len(base)) / max(len(base), 1)))
        for v in range(1, vintages + 1):
            batch = []
            for r in base:
                batch.append({**r, "release_id": f"{r['release_id']}~bench{v}", "is_latest": False})
            for rid in {r["release_id"] for r in base}:
                if rid in releases:
                    obs.write_release(con, {**releases[rid], "release_id": f"{rid}~bench{v}", "is_latest": False})
            obs.write_observations(con, batch)
        built.seconds["observations"] = time.perf_counter() - t0
        built.load = load_average()
        t0 = time.perf_counter()
        classify.retag_all(con)
        built.seconds["retag_all"] = time.perf_counter() - t0
        log(f"  retag_all {built.seconds['retag_all']:.1f} s")
        t0 = time.perf_counter()
        evidence.suggest(con)
        built.seconds["evidence"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        search.rebuild_index(con)
        built.seconds["search_index"] = time.perf_counter() - t0
        log(f"  search index {built.seconds['search_index']:.1f} s")
        _count(con, built)
    return built


def reuse(source: Path, path: Path, log=print) -> Built:
    """The store an earlier run built (`source`, e.g. DIR/bench.duckdb of `bench --out DIR`), copied to `path`,
    its derived tables brought up to date (a no-op when this code built it); the source is only read."""
    source, path = Path(source), Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"no benchmark store at {source}: build one with `python -m kinmon bench --out DIR`")
    if source.resolve() == path.resolve():
        raise ValueError(f"--reuse and --out are the same store ({source}): the reused store must stay unchanged")
    log(f"copying the store {source} to {path} ...")
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    shutil.copy2(source, path)
    built = Built(path, reused=str(source))
    log("bringing the copy's derived tables up to date with this code (untimed) ...")
    with store.writer(path) as con:  # a store built by older code: what a first run of this code would do
        evidence.suggest(con)
        search.rebuild_index(con)
        _count(con, built)
    built.load = load_average()
    return built


def _count(con, built: Built) -> None:
    inventory = core.table_inventory(con).set_index("table")["rows"]
    built.questions, built.observations = int(inventory["written_question"]), int(inventory["observation"])
