"""The benchmark, `python -m kinmon bench`: build a store at a chosen scale, time kinmon on it, print the table.

Scale 100 (the default) is 100,000 written questions and about 936,000 observations. The store is built
through kinmon's own code (kinmon.bench.build) into --out (default: a temporary folder, removed after),
then each row of issue #11's table is measured against its baseline in the same run (a bare Streamlit
page, raw DuckDB queries in kinmon.bench.raw_sql) and printed with its goal, PASS or FAIL, and the load
average when it was measured. Goals are the issue's, set for scale 100. What cannot be measured here
says "not measured" and why.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from kinmon.config import PROJECT_ROOT

NEW_QUESTIONS_PER_SCALE = 100  # scale 100: an ingest of 10,000 new questions
MESSAGE_LIMIT = 5 * 1024 * 1024  # "no page sends more than a few MB"
WINDOW = (date(2026, 11, 1), date(2026, 11, 30))  # the replayed ingest's window, after every synthetic question


@dataclass
class Row:
    what: str
    kinmon: str
    baseline: str
    goal: str
    verdict: str  # PASS, FAIL or "not measured: why"
    load: str = ""


def load_average() -> str:
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> str:
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return (f"{platform.node()}: {os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}, "
            f"load average {load_average()}")


def commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def seconds(s: float | None) -> str:
    if s is None:
        return "n/a"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.1f} s"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ---------------------------------------------------------------- rows


def _ingest(path: Path, work: Path, values: list[dict]) -> tuple[float, int]:
    """ingest_parliament on a fresh copy of the store, fed `values` by the in-process replay; (seconds, added)."""
    from kinmon.bench.replay import ReplayClient
    from kinmon.ingest.parliament import ingest_parliament

    copy = work / "ingest.duckdb"
    for leftover in work.glob("ingest.duckdb*"):
        leftover.unlink()
    shutil.copy2(path, copy)
    client = ReplayClient(values)
    t0 = time.perf_counter()
    result = ingest_parliament(copy, since=WINDOW[0], until=WINDOW[1], client=client)
    took = time.perf_counter() - t0
    copy.unlink()
    return took, result.rows_added


def ingest_rows(path: Path, work: Path, scale: float, model, log) -> list[Row]:
    from kinmon.bench.synth import SYNTHETIC_ID_BASE, question_value

    large = max(10, round(NEW_QUESTIONS_PER_SCALE * scale))
    small = max(1, large // 10)

    def new(n: int) -> list[dict]:
        return [question_value(model, i, first=date(2026, 11, 2), last=date(2026, 11, 27), count=n,
                               id_base=SYNTHETIC_ID_BASE + 20_000_000) for i in range(n)]

    rows = []
    load = load_average()
    log(f"ingest of {large:,} new questions ...")
    t_large, added = _ingest(path, work, new(large))
    rows.append(Row(f"`ingest parliament`, {large:,} new questions (in-process replay, no HTTP)",
                    f"{seconds(t_large)} end to end ({added:,} added, {large / t_large:,.0f} questions/s)", "",
                    "parse + upsert + tag 20,000 questions/s; 10k in under 10 s end to end",
                    verdict(t_large <= 10 * large / 10_000 and large / t_large >= 1_000), load))
    load = load_average()
    log(f"ingest of {small:,} new questions ...")
    t_small, _ = _ingest(path, work, new(small))
    ratio = t_large / t_small if t_small else float("inf")
    rows.append(Row(f"growth: {small:,} to {large:,} new questions", f"{ratio:.1f} times the time for 10 times the work",
                    "", "linear or better (10 times or less)", verdict(ratio <= 10), load))
    load = load_average()
    log("ingest that adds nothing ...")
    t_none, _ = _ingest(path, work, [])
    rows.append(Row("an ingest that adds nothing", seconds(t_none), "", "under 5 s", verdict(t_none < 5), load))
    return rows


def search_rows(path: Path, built, log) -> list[Row]:
    from kinmon import search, store
    from kinmon.bench import raw_sql
    from kinmon.bench.workload import QUERIES

    con = store.connect_readonly(path)
    try:
        load = load_average()
        kinmon_times, bm25_times, ilike_times = [], [], []
        bm25_error = None
        for q in QUERIES:
            def page_query(q=q):
                found = search.results(con, q)
                search.facets(con, q, search.FACETS)  # as the Search page asks: all seven in one call
                for _, r in found.head(20).iterrows():
                    search.highlight(r["text_a"], q)
                    search.highlight(r["text_b"], q)
            kinmon_times.append(_timed(page_query))
            if bm25_error is None:
                try:
                    bm25_times.append(_timed(lambda q=q: raw_sql.fts_bm25(con, search.parse_query(q).positive_terms
                                                                          and " ".join(search.parse_query(q).positive_terms) or q)))
                except Exception as exc:  # noqa: BLE001 - the baseline may be unavailable: say so
                    bm25_error = f"{type(exc).__name__}: {str(exc)[:80]}"
            ilike_times.append(_timed(lambda q=q: raw_sql.ilike_scan(con, q)))
    finally:
        con.close()
    docs = built.questions
    baseline = (f"raw fts match_bm25 p50 {seconds(statistics.median(bm25_times))}" if bm25_times
                else f"raw fts: {bm25_error}") + f"; ILIKE scan p50 {seconds(statistics.median(ilike_times))}"
    p95 = p(kinmon_times, 0.95)
    return [
        Row(f"search, {len(QUERIES)} realistic queries at {docs:,} documents (results, 7 facets, 20 highlights)",
            f"p50 {seconds(statistics.median(kinmon_times))}, p95 {seconds(p95)}", baseline,
            "p95 50 ms or less, ranked, with facets and highlights", verdict(p95 <= 0.05), load),
    ]


def derived_rows(path: Path, built, log) -> list[Row]:
    """retag_all and the search index rebuild on the store, each in full and then again with nothing changed.

    Run through a writer (a private copy, published at the end), as every kinmon writer runs them; the store
    keeps the same content. "In full" classifies every item again (retag_all full=True) and rebuilds the index
    from nothing (forget_index); "again" is what a writer pays when nothing changed."""
    from kinmon import classify, search, store
    from kinmon.store import search_index

    t = {}
    with store.writer(path) as con:
        load = load_average()
        log("retag_all, in full and again ...")
        t["retag"] = _timed(lambda: classify.retag_all(con, full=True))  # every item classified again
        t["retag_again"] = _timed(lambda: classify.retag_all(con))  # only what changed: nothing
        log("search index rebuild, in full and again ...")
        search_index.forget_index(con)
        t["index"] = _timed(lambda: search.rebuild_index(con))
        t["index_again"] = _timed(lambda: search.rebuild_index(con))
        baseline = _fts_baseline(con)
    docs = built.questions
    return [
        Row(f"tagging the whole store (`retag_all`), {docs:,} questions",
            f"{seconds(t['retag'])}; again with nothing changed {seconds(t['retag_again'])}", "",
            "under 5 s", verdict(t["retag"] < 5), load),
        Row(f"search index rebuild, {docs:,} documents (search_doc, answer passages, index)",
            f"{seconds(t['index'])}; again with nothing changed {seconds(t['index_again'])}",
            baseline, "under 10 s, or incremental (nothing changed: under 1 s)",
            verdict(t["index"] < 10 or t["index_again"] < 1), load),
    ]


def _fts_baseline(con) -> str:
    """DuckDB fts's index over the same search table, timed (the search row's baseline queries it)."""
    from kinmon.bench import raw_sql

    t0 = time.perf_counter()
    try:
        raw_sql.build_fts(con)
    except Exception as exc:  # noqa: BLE001 - a missing baseline is reported, not fatal
        return f"DuckDB fts: {type(exc).__name__}: {str(exc)[:80]}"
    return f"DuckDB fts create_fts_index {seconds(time.perf_counter() - t0)}"


def page_rows(path: Path, log) -> list[Row]:
    from kinmon.bench import pages
    from kinmon.bench.workload import PAGES

    load = load_average()
    log("pages, served by a real server (first render after Clear caches / warm rerun) ...")
    served, bare = pages.served_pages(path, PAGES)
    timings = {label: (t, load) for label, t in served.items()}
    bare_text = f"bare page {seconds(bare.first)} / {seconds(bare.warm)}"

    def first_warm(t: pages.PageTiming) -> str:
        if t.error:
            return f"error: {t.error}"
        return f"{seconds(t.first)} / {seconds(t.warm)}"

    rows = []
    t, tload = timings["Search"]
    rows.append(Row("Search page, first render / warm", first_warm(t), bare_text, "warm 1.5 times the bare page or better",
                    verdict(not t.error and t.warm <= 1.5 * bare.warm), tload))
    t, tload = timings["Data & downloads"]
    rows.append(Row("Data & downloads page, first render", first_warm(t), bare_text,
                    "under 2 s: nothing is built until it is asked for", verdict(not t.error and t.first < 2), tload))
    t, tload = timings["Parliament"]
    rows.append(Row("Parliament page, first render", first_warm(t), bare_text, "1.5 times the bare page",
                    verdict(not t.error and t.first <= 1.5 * bare.first), tload))
    home, hload = timings["Home"]
    prio, _ = timings["Priorities"]
    ok = not home.error and not prio.error and all(
        x.warm <= 1.5 * bare.warm and x.first <= 3 * bare.first for x in (home, prio))
    rows.append(Row("Home, Priorities: first / warm", f"Home {first_warm(home)}; Priorities {first_warm(prio)}",
                    bare_text, "warm 1.5 times or better, first render 3 times or better", verdict(ok), hload))
    largest = max(((label, t.sent_bytes or 0) for label, (t, _) in timings.items()), key=lambda x: x[1])
    rows.append(Row("largest page message", f"{largest[0]}: {largest[1] / 1024 / 1024:.2f} MB",
                    f"bare page {(bare.sent_bytes or 0) / 1024:.1f} KB",
                    "no page sends more than a few MB (5 MB)", verdict(largest[1] <= MESSAGE_LIMIT), load))
    return rows


MEMORY_GOAL_MB = 1500  # "peak under 1.5 GB"
MEMORY_SESSIONS = 5


def memory_row(path: Path | None, log) -> Row:
    """A real `streamlit run dashboard.py` on the store, five readers over every page (kinmon.bench.memory),
    against a bare page's server with the same readers; None: not measured (--no-pages)."""
    what, goal = f"Streamlit server memory, {MEMORY_SESSIONS} sessions", "peak under 1.5 GB for 5 sessions"
    if path is None:
        return Row(what, "not measured", "", goal, "not measured: --no-pages")
    from kinmon.bench import memory

    load = load_average()
    log(f"server memory: {MEMORY_SESSIONS} readers over every page ...")
    bare = memory.bare(MEMORY_SESSIONS)
    run = memory.measure(path, MEMORY_SESSIONS)
    failed = f"; {len(run.failed)} visits failed, first: {run.failed[0]}" if run.failed else ""
    figure = (f"peak {run.peak_mb:,.0f} MB, settled {run.settled_mb:,.0f} MB (PSS of the server's {run.processes} "
              f"processes; the Python server alone peak {run.server_peak_mb:,.0f} MB PSS, "
              f"{run.server_peak_rss_mb:,.0f} MB RSS); {run.visits} page visits in {seconds(run.seconds)}{failed}")
    return Row(what, figure, f"bare page's server {bare.peak_mb:,.0f} MB peak", goal,
               verdict(not run.failed and run.peak_mb < MEMORY_GOAL_MB), load)


# ---------------------------------------------------------------- the run


def run(scale: float | None = 100, out: str | Path | None = None, sample: str | Path | None = None, *,
        pages: bool = True, reuse: str | Path | None = None,
        log: Callable[[str], None] | None = None) -> tuple[object, list[Row]]:
    """Build the store at `scale` (or copy the one an earlier run left in `reuse`), measure every row; returns
    what was built and the rows (the CLI prints them). A reused store is copied first and never changed."""
    from kinmon.bench import build, synth

    log = log or (lambda msg: None)
    keep = out is not None
    work = Path(out) if keep else Path(tempfile.mkdtemp(prefix="kinmon-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "bench.duckdb"
    try:
        model = synth.load_model(Path(sample) if sample else None)
        if reuse is not None:
            built = build.reuse(Path(reuse) / "bench.duckdb", path, log)
            if scale is None:  # the scale the store was built at, to two figures (100,122 questions: 100)
                scale = float(f"{built.questions / build.QUESTIONS_PER_SCALE:.2g}")
        else:
            scale = 100 if scale is None else scale
            log(f"building a store at scale {scale:g} in {path} ...")
            built = build.build(path, scale, model, log)
        rows = ingest_rows(path, work, scale, model, log)
        rows += derived_rows(path, built, log)
        rows += search_rows(path, built, log)
        if pages:
            rows += page_rows(path, log)
        else:
            rows += [Row(w, "not measured", "", "", "not measured: --no-pages") for w in
                     ("Search page, first render / warm", "Data & downloads page, first render",
                      "Parliament page, first render", "Home, Priorities: first / warm", "largest page message")]
        rows.append(memory_row(path if pages else None, log))
        return built, rows
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def table(rows: list[Row]) -> str:
    lines = ["| what | kinmon | baseline | goal | verdict | load average |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = (r.what, r.kinmon, r.baseline, r.goal, r.verdict, r.load)
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def main(scale: float | None, out: str | None, sample: str | None, pages: bool = True, reuse: str | None = None) -> int:
    import sys

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    print(f"kinmon bench, scale {'of the reused store' if scale is None else f'{scale:g}'}, commit {commit()}")
    print(f"machine: {machine()}")
    built, rows = run(scale, out, sample, pages=pages, reuse=reuse, log=log)
    made = (f"copied from {built.reused}" if built.reused else f"built in {seconds(sum(built.seconds.values()))} ("
            + ", ".join(f"{k} {seconds(v)}" for k, v in built.seconds.items()) + ")")
    print(f"store: {built.questions:,} written questions, {built.observations:,} observations; {made}")
    print()
    print(table(rows))
    print()
    passed = sum(r.verdict == "PASS" for r in rows)
    print(f"{passed} of {len(rows)} rows meet their goal; run took {seconds(time.perf_counter() - started)}; "
          f"load average at the end {load_average()}")
    return 0
