"""`python -m kinmon bench` at a tiny scale: it builds its store through kinmon, and prints every row of the table.

This checks the benchmark works, not how fast kinmon is: at this scale the figures mean nothing.
"""

import hashlib
import re
import subprocess
import sys

from kinmon.bench import synth
from kinmon.bench.build import question_rows
from kinmon.bench.replay import ReplayClient
from kinmon.config import PROJECT_ROOT
from kinmon.ingest.parliament import load_search_config
from kinmon.store import utcnow

ROWS = ("`ingest parliament`", "growth:", "an ingest that adds nothing", "tagging the whole store",
        "search index rebuild", "search, 50 realistic queries", "Search page, first render", "Data & downloads page",
        "Parliament page, first render", "Home, Priorities", "largest page message", "Streamlit server memory")


def _bench(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "kinmon", "bench", *args], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def _check_rows(text: str) -> dict[str, list[str]]:
    """Every row of the table is there once, with a verdict and (when measured) a figure and a load; by label."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    found = {}
    for label in ROWS:
        row = [line for line in lines if label in line]
        assert len(row) == 1, f"no row for {label!r}"
        cells = [c.strip() for c in row[0].strip("|").split(" | ")]
        assert cells[4] in ("PASS", "FAIL") or cells[4].startswith("not measured: "), row[0]
        if cells[4] in ("PASS", "FAIL"):
            assert re.search(r"\d", cells[1]) and re.search(r"\d+\.\d\d", cells[5]), row[0]  # a figure, a load
        found[label] = cells
    return found


def test_bench_prints_every_row_at_a_tiny_scale_and_measures_again_on_a_copy(tmp_path):
    built, again = tmp_path / "built", tmp_path / "again"
    text = _bench("--scale", "0.005", "--out", str(built))
    assert re.search(r"machine: .*\d+ cores, [\d.]+ GB RAM", text)
    assert "commit " in text
    assert re.search(r"store: 127 written questions, [\d,]+ observations; built in ", text)  # 122 shipped + 5 synthetic
    rows = _check_rows(text)
    for label in ("tagging the whole store", "search index rebuild"):
        assert re.search(r"^[\d.]+ m?s; again with nothing changed [\d.]+ m?s$", rows[label][1]), rows[label]
    assert not (built / "ingest.duckdb").exists()

    # --reuse: every row again on a copy of that store, which is left exactly as it was
    store = built / "bench.duckdb"
    before = (store.stat().st_mtime_ns, store.stat().st_size, hashlib.sha256(store.read_bytes()).hexdigest())
    text = _bench("--reuse", str(built), "--out", str(again), "--no-pages", "--scale", "0.005")
    assert re.search(rf"store: 127 written questions, [\d,]+ observations; copied from {re.escape(str(store))}", text)
    rows = _check_rows(text)
    assert "(10 added" in rows["`ingest parliament`"][1]
    assert (store.stat().st_mtime_ns, store.stat().st_size, hashlib.sha256(store.read_bytes()).hexdigest()) == before
    assert (again / "bench.duckdb").is_file()


def test_bench_refuses_to_reuse_the_store_it_would_write(tmp_path):
    out = subprocess.run([sys.executable, "-m", "kinmon", "bench", "--reuse", str(tmp_path), "--out", str(tmp_path)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "must be different folders" in out.stderr


def test_synthetic_questions_are_kept_by_the_ingest_and_vary():
    model = synth.load_model()
    config = load_search_config()
    values = [synth.question_value(model, i, count=200) for i in range(200)]
    assert all(config.keeps(f"{v['heading']} {v['questionText']} {v['answerText'] or ''}") for v in values)
    assert len({v["questionText"] for v in values}) > 100
    assert len({v["answeringBodyName"] for v in values}) > 5
    assert len({v["id"] for v in values}) == 200
    rows = question_rows(model, 0, 50, 50, utcnow())
    assert {r["id"] for r in rows} == {synth.SYNTHETIC_ID_BASE + i for i in range(50)}
    assert all(r["question_text"] and r["source_id"] for r in rows)


def test_replay_pages_like_the_list_endpoint_and_cuts_text():
    model = synth.load_model()
    values = [synth.question_value(model, i, count=3) for i in range(3)]
    client = ReplayClient(values)
    url = "https://questions-statements-api.parliament.uk/api/writtenquestions/questions"
    page = client.get_json(url, {"searchTerm": "kinship", "tabledWhenFrom": "2026-01-01", "skip": 1, "take": 1})
    assert page["totalResults"] == 3 and [r["value"]["id"] for r in page["results"]] == [values[1]["id"]]
    assert all(len(r["value"]["questionText"]) <= 255 for r in page["results"])
    assert client.get_json(url, {"searchTerm": "guardianship", "answeredWhenFrom": "2026-01-01"})["totalResults"] == 0
    assert client.get_json(f"{url}/{values[0]['id']}")["value"] == values[0]
