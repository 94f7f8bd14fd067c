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
import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kinmon.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
WIDTHS = (1440, 390)  # a laptop and a phone
PAGES = {
    "": "Is the government delivering on kinship care?",
    "priorities?priority=2&tab=Parliament": "Priority 2:",
    "priorities?priority=5&tab=Indicators": "Priority 5:",
    "parliament": "What is Parliament asking",
    "statistics": "What do the published statistics show?",
    "timeline?priority=3": "What has happened on kinship care, and when?",
    "search?q=%22special+guardianship%22": "Search Parliament's record on kinship care",
    "search?q=allowance": "Search Parliament's record on kinship care",  # answers quote long web addresses
    "members?find=Gwynne": "Who in Parliament is acting on kinship care?",
    "changelog": "What changed, and when?",
    "data": "Data & downloads",
    "about": "About kinmon",
}
# Text a reader must never see: a missing value printed as text, or a Python error.
BAD_TEXT = re.compile(r"\bnan\b|\bNaN\b|\bNone\b|Traceback|Error:|undefined")
MIN_PLOT_PX = (120, 60)
UPSTREAM_NONE_SLUGS = {"parallelparliament.co.uk"}  # a chart's plot area (the data itself), width and height

# One pass over the page in the browser: what a reader can see that is wrong.
PAGE_CHECKS = """() => {
  const vw = window.innerWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const clipped = el => { for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
      return false; };
  const wide = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1 && !clipped(el)) wide.push((el.getAttribute('data-testid') || el.tagName)
        + ' ' + Math.round(r.width) + 'px');
  }
  const plots = [];
  for (const plot of main.querySelectorAll('.js-plotly-plot')) {
    if (!plot.offsetParent) continue;  // in a closed tab or expander
    const drag = plot.querySelector('.nsewdrag');
    const r = drag ? drag.getBoundingClientRect() : {width: 0, height: 0, left: 0, right: 0};
    const title = (plot.querySelector('.gtitle') || {}).textContent || '(untitled)';
    plots.push({title, width: r.width, height: r.height, inside: r.left >= -1 && r.right <= vw + 1});
  }
  const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  return {wide: wide.slice(0, 10), plots, links, text: document.body.innerText,
          scrollWidth: document.documentElement.scrollWidth, mainScroll: main.scrollWidth - main.clientWidth};
}"""


def _bad_link(href: str) -> str | None:
    """Why a link is not well formed, or None."""
    if not href or href.strip() != href or " " in href:
        return "blank or spaced"
    if "\\" in href or "%5C" in href.upper():
        return "carries a markdown escape"
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https", "mailto"):
        return f"scheme {parts.scheme}"
    if parts.scheme in ("http", "https") and not parts.netloc:
        return "no host"
    # Parallel Parliament's own member-page addresses carry a literal "None" slug (/mp/ian-lavery/None?memb_pk=..);
    # the snapshot records them as the transcriber found them. Anywhere else it is a missing value.
    if re.search(r"(^|/)(nan|None|undefined)($|[/?#])", parts.path) and parts.netloc not in UPSTREAM_NONE_SLUGS:
        return "a missing value in the path"
    return None


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


def _wait_for_page(page) -> None:
    page.wait_for_selector("h1", timeout=60_000)
    # every page ends with its source footer: once it is drawn, the script has run to the end
    page.locator("[data-testid='stMarkdownContainer'] strong").filter(
        has_text=re.compile(r"^Sources$")).last.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(300)


def _open(browser, url: str, width: int = WIDTHS[0]):
    page = browser.new_page(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page.goto(url, wait_until="domcontentloaded")
    _wait_for_page(page)
    return page


def _scroll_through(page) -> None:
    """Charts and tables render as they scroll into view: pass over the whole page once."""
    main = page.locator('[data-testid="stMain"]')
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    for y in range(0, height + 1000, 900):
        main.evaluate(f"m => m.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    page.wait_for_timeout(300)
    main.evaluate("m => m.scrollTo(0, 0)")


@pytest.fixture(scope="module")
def page_reports(dashboard, browser):
    """Every page, read once at each width, in one browser with one tab per width (both tabs load each
    page at the same time, so the server renders them side by side): {(path, width): report}."""
    url, _ = dashboard
    reports = {}
    shots = os.environ.get("KINMON_SCREENSHOTS")
    tabs = {w: browser.new_page(viewport={"width": w, "height": 1000}) for w in WIDTHS}
    try:
        tabs[WIDTHS[0]].goto(url, wait_until="commit")  # the first visit builds the store: let it finish alone
        _wait_for_page(tabs[WIDTHS[0]])
        for path in PAGES:
            for tab in tabs.values():
                tab.goto(f"{url}/{path}", wait_until="commit")
            for width, page in tabs.items():
                _wait_for_page(page)
                _scroll_through(page)
                report = page.evaluate(PAGE_CHECKS)
                report["heading"] = page.locator("h1").first.inner_text()
                report["exceptions"] = page.locator('[data-testid="stException"]').count()
                report["errors"] = page.locator('[data-testid="stAlertContentError"]').count()
                reports[(path, width)] = report
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    name = re.sub(r"[^a-z0-9]+", "-", path or "home").strip("-")
                    page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
    finally:
        for tab in tabs.values():
            tab.close()
    return reports


CASES = [(path, width) for width in WIDTHS for path in PAGES]


@pytest.mark.parametrize("path, width", CASES, ids=[f"{p or 'home'}@{w}" for p, w in CASES])
def test_every_page_reads_cleanly_at_laptop_and_phone_width(page_reports, dashboard, path, width):
    r = page_reports[(path, width)]
    assert r["heading"].startswith(PAGES[path])
    assert r["exceptions"] == 0 and r["errors"] == 0
    assert "Sources" in r["text"]
    bad = sorted({m.group(0) for m in BAD_TEXT.finditer(r["text"])})
    assert not bad, f"{path} at {width}px shows {bad}"
    assert r["scrollWidth"] <= width and r["mainScroll"] <= 1, f"{path} scrolls sideways at {width}px"
    assert not r["wide"], f"{path} at {width}px has elements wider than the screen: {r['wide']}"
    for plot in r["plots"]:
        assert plot["width"] >= MIN_PLOT_PX[0] and plot["height"] >= MIN_PLOT_PX[1] and plot["inside"], \
            f"{path} at {width}px: the chart {plot['title']!r} has no room for its data: {plot}"
    broken = {h: why for h in r["links"] if (why := _bad_link(h))}
    assert not broken, f"{path} at {width}px has malformed links: {broken}"
    if path.startswith("timeline?priority=3"):
        assert "for priority 3" in r["text"]  # the view was restored from the URL
    if path.startswith("search?q=%22special"):
        assert 'for "special guardianship"' in r["text"]
    if path.startswith("members?find="):
        assert "The Alliance's ask" in r["text"] or "Andrew Gwynne" in r["text"]
    assert dashboard[1].exists()  # the first start built the store from the snapshot


def test_the_charts_are_drawn_where_they_should_be(page_reports):
    home = page_reports[("", 390)]
    assert len(home["plots"]) == 2
    census = page_reports[("priorities?priority=5&tab=Indicators", 1440)]
    assert census["plots"], "the Indicators tab opened from the URL shows its chart"
    # the Parliament tab opened from the URL, with the same count as priority 2's card on Home
    card = re.findall(r"Tagged to this priority: (\d+) written questions?, (\d+) debates?", page_reports[("", 1440)]["text"])
    tab = page_reports[("priorities?priority=2&tab=Parliament", 1440)]["text"]
    assert re.search(rf"{card[1][0]} written questions?, {card[1][1]} debates? and \d+ written statements?", tab)


def test_readers_see_no_developer_toolbar_and_a_local_favicon(dashboard, browser):
    url, _ = dashboard
    page = _open(browser, url)
    try:
        assert page.get_by_role("button", name="Deploy").count() == 0
        icons = page.eval_on_selector_all("link[rel*='icon']", "els => els.map(e => e.href)")
        assert icons and all(i.startswith(url) for i in icons), icons
    finally:
        page.close()


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
