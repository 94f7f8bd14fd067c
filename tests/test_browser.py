"""A real browser against a real dashboard: `streamlit run dashboard.py` on a fresh store path (so the first
start builds the store from the snapshot), then headless Debian Chromium driven by Playwright loads every page,
checks that no error is shown, and downloads a CSV as a journalist would.

Set KINMON_SCREENSHOTS=DIR to keep a screenshot of every page.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kinmon.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
PAGES = {
    "": "Is the government delivering on kinship care?",
    "priorities?priority=2": "Priority 2:",
    "parliament": None,
    "statistics": None,
    "timeline?priority=3": "What has happened on kinship care, and when?",
    "search?q=%22special+guardianship%22": "Search Parliament's record on kinship care",
    "members": "Who in Parliament is acting on kinship care?",
    "changelog": "What changed, and when?",
    "data": "Data & downloads",
    "about": "About kinmon",
}

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: .ci/run should have installed it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)")


def _start_dashboard(db: Path):
    """`streamlit run dashboard.py` on a free port with its own store path; returns (process, url)."""
    port = _free_port()
    env = {**os.environ, "KINMON_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"the dashboard did not start: {proc.stdout.read()[-2000:]}")


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    _require_chromium()
    db = tmp_path_factory.mktemp("browser") / "kinmon.duckdb"
    proc, url = _start_dashboard(db)
    yield url, db
    _stop(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=60_000)
    # every page ends with its source footer: once it is drawn, the script has run to the end
    page.get_by_text("Sources", exact=True).first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(500)
    return page


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_loads_without_an_error(dashboard, browser, path):
    url, db = dashboard
    page = _open(browser, f"{url}/{path}")
    try:
        heading = page.locator("h1").first.inner_text()
        if PAGES[path]:
            assert heading.startswith(PAGES[path])
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        body = page.inner_text("body")
        assert "Sources" in body
        if path.startswith("timeline?priority=3"):
            assert "for priority 3" in body  # the view was restored from the URL
        if path.startswith("search?q="):
            assert 'for "special guardianship"' in body
        shots = os.environ.get("KINMON_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            name = (path.split("?")[0] or "home")
            page.mouse.wheel(0, 20000)  # charts and tables render lazily as they scroll into view
            page.wait_for_timeout(2500)
            page.mouse.wheel(0, -20000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    finally:
        page.close()
    assert db.exists()  # the first start built the store from the snapshot


def test_a_journalist_downloads_the_timeline_as_csv(dashboard, browser):
    url, _ = dashboard
    page = _open(browser, f"{url}/timeline?priority=2")
    try:
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name="CSV", exact=True).first.click()
        download = info.value
        assert download.suggested_filename == "timeline.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert rows, "the CSV is empty"
        assert set(rows[0]) >= {"date", "title", "type", "priorities", "source_url"}
        assert all("2" in r["priorities"].split(";") for r in rows)
    finally:
        page.close()


def test_a_permalink_as_a_new_servers_first_visit_still_gets_the_dashboard(tmp_path, browser):
    # Streamlit starts in its old pages/ mode until st.navigation runs: the first visit must not bypass it.
    proc, url = _start_dashboard(tmp_path / "kinmon.duckdb")
    try:
        page = _open(browser, f"{url}/statistics?measure=cla_in_kinship_foster_care_pct_of_all_cla")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Asks of MPs" in nav and "dashboard" not in nav.lower()
        assert page.locator("h1").first.inner_text() == "What do the published statistics show?"
        assert "Children fostered by relatives or friends" in page.inner_text("body")
        page.close()
    finally:
        _stop(proc)


def test_the_alert_feeds_are_served_by_the_dashboard(dashboard, browser):
    url, _ = dashboard
    page = _open(browser, url)  # the first start writes the feeds if none exist
    page.close()
    with urllib.request.urlopen(f"{url}/app/static/feeds/priority-2.atom", timeout=10) as r:
        body = r.read().decode("utf-8")
    assert body.startswith("<?xml") and "<feed" in body and "priority 2" in body
