"""Alert feeds: valid Atom and RSS per priority, with exactly the items of that priority."""

import subprocess
import sys
from datetime import date
from xml.etree import ElementTree as ET

import pytest

from kinmon import feeds, store
from kinmon.config import PROJECT_ROOT
from kinmon.queries import core
from helpers import build_store

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("feeds") / "k.duckdb"
    build_store(path)
    return path


def test_feeds_for_a_priority_hold_exactly_its_items(db, tmp_path):
    con = store.connect_readonly(db)
    try:
        written = feeds.write_feeds(con, tmp_path, "https://kinmon.example/app/static/feeds")
        expected = feeds.feed_items(con, 3)
        everything = feeds.feed_items(con, None)
    finally:
        con.close()
    assert sorted(p.name for p in written)[:3] == ["all.atom", "all.csv", "all.rss"]
    assert len(written) == 3 * 8
    atom = ET.parse(tmp_path / "priority-3.atom").getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == len(expected) > 0
    assert all("3" in e.find(f"{ATOM}summary").text.split("priorities ")[1].split(";") for e in entries)
    assert atom.find(f"{ATOM}link[@rel='self']").get("href") == "https://kinmon.example/app/static/feeds/priority-3.atom"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)  # stable, unique entry ids
    rss = ET.parse(tmp_path / "all.rss").getroot()
    assert len(rss.findall("channel/item")) == len(everything)
    assert (tmp_path / "priority-3.csv").read_text().splitlines()[0] == "date,kind,what,url,priorities"


def test_items_are_newest_first_and_dated_within_the_window(db):
    con = store.connect_readonly(db)
    try:
        items = core.changes_since(con, date(2025, 1, 1), 2)
    finally:
        con.close()
    dates = list(items["date"])
    assert dates == sorted(dates, reverse=True) and min(dates).date() >= date(2025, 1, 1)


def test_feeds_command(db, tmp_path):
    r = subprocess.run([sys.executable, "-m", "kinmon", "feeds", "--db", str(db), "--output", str(tmp_path / "f")],
                       capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote 24 feed files to {tmp_path / 'f'}"
