"""Hostile text through every upstream field and URL parameter, every page visited in Chromium with a
script-execution canary: 0 executions, 0 dialogs, 0 requests to another host, 0 live javascript:/data: or
attacker links.

The store is the snapshot plus a replayed Parliament ingest whose question headings, question and answer
texts, member names, statement titles and texts, debate titles and speeches carry the payloads, a replayed EES
API data set whose title, release title, filter and indicator labels and location names do, and an
`ingest file` CSV whose cells (a filter column, council names) do. Sample: 11 payloads (one of each shape), the
Priority page, Statistics on the hostile EES and CSV series (councils compared), 1 full record, 1 hostile URL;
full: 100 payloads, every page, both series by council and nationally, every payload's full record, 100 hostile
URLs.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

import servers
import test_parliament_ingest as tpi
from helpers import rows
from kinmon.http import Client
from kinmon.ingest import parliament as parliament_ingest
from kinmon.ingest.statistics import ingest_file, ingest_statistics
from payloads import TEMPLATES, payloads
from replay import ReplayServer
from suite import Tally, record, rng, size

CHROMIUM = Path("/usr/bin/chromium")  # the browser part of the suite
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
CANARY = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) { window[name] = () => window.__xss.push(name); }
"""
URL_PARAMS = servers.PAGE_PARAMS
BAD_SCHEMES = ("javascript", "data", "vbscript", "file")
QUESTION_IDS = 990_000_000  # far from real API ids, which the snapshot holds
# Every link's target, HTML <a href> and SVG <a> (a chart draws its links in SVG, where a.href is not a string)
LINKS = """[...document.querySelectorAll('a')].map(a => typeof a.href === 'string' ? a.href :
    (a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '')).filter(h => h)"""


def hostile_world(fake: tpi.FakeParliament, texts: list[str], monkeypatch) -> None:
    for k, text in enumerate(texts):
        mid = 990_000 + k
        monkeypatch.setitem(tpi.MEMBERS, mid, {"name": f"{text} MP", "listAs": text, "party": text[:40], "abbr": "X",
                                               "from": text[:60], "house": 1, "history": [(text[:40], "2015-05-07", None)]})
        fake.server.route("GET", f"/api/Members/{mid}", fake.member)
        qid = QUESTION_IDS + k
        q = tpi.question(qid, f"9{k:04}", "Commons", date(2024, 1, 2) + timedelta(days=k % 80),
                         f"To ask about kinship care: {text}", heading=f"Kinship Care {text}", asker=mid,
                         answer=(f"<p>kinship answer {text}</p>" if k % 3 else None),
                         answered=(date(2024, 3, 1) if k % 3 else None))
        fake.questions[qid] = q
        fake.server.route("GET", f"{tpi.questions.QUESTIONS_PATH}/{qid}", fake.question_detail)
        if k < 20:
            sid = 991_000_000 + k
            base = next(iter(fake.statements.values()))
            fake.statements[sid] = {**base, "id": sid, "uin": f"HCWS9{k}", "title": f"Kinship care {text}",
                                    "text": f"<p>kinship statement {text}</p>", "dateMade": base["dateMade"]}
            fake.server.route("GET", f"{tpi.questions.STATEMENTS_PATH}/{sid}", fake.statement_detail)
            fake.debates.append({**fake.debates[0], "Title": f"Kinship Care {text}", "DebateSectionExtId": f"ffff-{k:04}"})
            fake.contributions.append({**fake.contributions[0], "ContributionExtId": f"C-9{k:03}",
                                       "ContributionTextFull": f"<p>kinship {text}</p>", "MemberName": text})


DS_HOSTILE = "0191d9a0-ffff-7fff-8fff-0000000000aa"  # a data set of the EES replay whose every label is hostile
EES_SERIES = "kinship_hostile_ees_labels"
CSV_SERIES_FILE = "kinship_hostile.csv"
CSV_SERIES = "kinship_hostile__children"  # the series `ingest file` makes of its `children` column


def hostile_ees(replay, texts: list[str], mp, folder: Path) -> Path:
    """An EES API data set (title, release title, filter and indicator labels, location names) made of payloads,
    and a registry with one series read from it; returns the registry's path."""
    import fixtures_ees as fe

    def t(k: int) -> str:
        return texts[k % len(texts)]
    councils = [(f"evl{k:02}", f"{t(k)} Council", f"E069999{k:02}", None, "ne001") for k in range(min(len(texts), 20))]
    locations = {**fe.LOCATIONS, "LA": fe.LOCATIONS["LA"] + councils}
    mp.setattr(fe, "LOCATIONS", locations)  # the replay's /meta and /query read them when asked
    mp.setattr(fe, "LOCATION_BY_ID", {loc[0]: (level, *loc[1:]) for level, locs in locations.items() for loc in locs})
    schema = {"filters": [("fRsn1", "reason", f"Reason {t(1)}"), ("fBrk1", "breakdown", f"Breakdown {t(2)}")],
              "indicators": [("iNum1", "number", f"Number {t(3)}", "")]}
    places = [("eng01", "NAT")] + [(c[0], "LA") for c in councils]
    rows = [{"period": period, "code": "RY", "level": level, "loc": loc,
             "filters": {"reason": fe.SGO_2025, "breakdown": f"{t(k + j)} group"},
             "values": {"number": str(10 + k + j)}}
            for k, (loc, level) in enumerate(places) for j, period in enumerate(("2024", "2025"))]
    fe.serve_table(replay, DS_HOSTILE, f"Kinship data {t(4)}", {"1.0": rows}, schema=schema, server_page_size=100,
                   version_fields={"release": {"title": f"Reporting year {t(5)}", "slug": "2025"}})
    entry = fe.series_entry(EES_SERIES, DS_HOSTILE, filters={"reason": [fe.SGO_2025]},
                            geographic_levels=["National", "Local authority"])
    return fe.write_registry(folder / "series.json", [entry])


@pytest.fixture(scope="module")
def hostile_store(snapshot_store, tmp_path_factory):
    count = size(len(TEMPLATES), 100)
    texts = payloads(count)
    folder = tmp_path_factory.mktemp("xss")
    db = folder / "kinmon.duckdb"
    shutil.copyfile(snapshot_store, db)
    upstream = ReplayServer().start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for name in tpi.SERVICES:
                mp.setenv(name, upstream.url)
            mp.setenv("KINMON_HTTP_MIN_INTERVAL", "0")
            fake = tpi.FakeParliament(upstream)
            hostile_world(fake, texts, mp)
            parliament_ingest.ingest_parliament(db, tpi.SINCE, tpi.UNTIL, client=Client(sleep=lambda s: None))
            # EES API labels: data set and release titles, filter and indicator labels, location names
            mp.setenv("KINMON_EES_API", upstream.url)
            registry = hostile_ees(upstream, texts, mp, folder)
            ingest_statistics(db, registry_path=registry, client=Client(sleep=lambda s: None))
    finally:
        upstream.stop()
    # CSV cells (a filter column's values, council names) through `ingest file`
    csv = folder / CSV_SERIES_FILE
    cells = [t.replace(",", " ").replace("\n", " ").replace('"', "'") for t in texts[:20]]
    csv.write_text("time_period,time_identifier,geographic_level,country_code,country_name,new_la_code,la_name,"
                   "placement,children\n"
                   + "".join(f"2024,Financial year,National,E92000001,England,,,{c} v{k},{k}\n" for k, c in enumerate(cells))
                   + "".join(f"2024,Financial year,Local authority,E92000001,England,E069998{k:02},{c} Council,Total,{k}\n"
                             for k, c in enumerate(cells)))
    ingest_file(db, csv)
    councils = dict(rows(db, "SELECT left(geography_code, 7), count(DISTINCT geography_code) FROM observation "
                             "WHERE geography_code LIKE 'E0699%' GROUP BY 1"))
    assert councils == {"E069999": min(len(texts), 20), "E069998": min(len(texts), 20)}, councils  # EES, CSV
    ids = [r[0] for r in rows(db, "SELECT id FROM written_question WHERE id BETWEEN ? AND ? ORDER BY id",
                              [QUESTION_IDS, QUESTION_IDS + 999])]
    assert len(ids) == count
    return db, texts, ids


def visit(context, url: str, found: dict) -> None:
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector("h1", timeout=60_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        page.wait_for_timeout(400)
        found["executions"] += len(page.evaluate("window.__xss || []")) + len(dialogs)
        found["exceptions"] += page.locator('[data-testid="stException"]').count()
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if parts.scheme.lower() in BAD_SCHEMES or "evil" in (parts.hostname or ""):
                found["links"].append((url, href[:80]))
        for src in page.evaluate("[...document.querySelectorAll('img[src], iframe[src]')].map(e => e.src)"):
            if "evil" in src or urlsplit(src).scheme.lower() in BAD_SCHEMES:
                found["links"].append((url, src[:80]))
    finally:
        page.close()


def test_hostile_text_never_runs_links_or_loads_in_chromium(hostile_store, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    db, texts, ids = hostile_store
    server = servers.start(db, tmp_path / "server.log")
    found = {"executions": 0, "exceptions": 0, "links": [], "offsite": [], "app_offsite": []}
    survived = 0  # visits with no execution, dialog, attacker link or request, or exception
    # The sample: the Priority page (question cards), Statistics on each hostile series (EES labels, CSV cells),
    # one full record and one hostile URL; full: every page.
    pages = servers.PAGES if size(0, 1) else {"priorities": servers.PAGES["priorities"]}
    urls = [f"{server.url}/{page}?{query}" if query else f"{server.url}/{page}" for page, query in pages.items()]
    urls += [f"{server.url}/priorities?priority={p}" for p in ((1, 3, 5, 7) if size(0, 1) else ())]
    # EES API labels and `ingest file` CSV cells: each hostile series, councils compared (and nationally, full)
    urls += [f"{server.url}/statistics?measure={sid}&level={quote(level)}" for sid in (EES_SERIES, CSV_SERIES)
             for level in (("Local authority", "National") if size(0, 1) else ("Local authority",))]
    n = size(1, len(ids), "xss_records")
    records = ids[1:2] if n == 1 else ids[:n]  # the sample: the record whose payload loads an image
    urls += [f"{server.url}/search?q=kinship&doc=question:{i}" for i in records]
    pick = rng("xss-urls")
    hostile_urls = size(0, 100, "xss_urls")
    for k in range(hostile_urls):  # full: 3 parameters each
        page = pick.choice([p for p in servers.PAGES if p])
        params = "&".join(f"{name}={quote(texts[(k + j) % len(texts)])}" for j, name in
                          enumerate(pick.sample(URL_PARAMS, 3)))
        urls.append(f"{server.url}/{page}?{params}")
    if not hostile_urls:  # the sample: one address setting every parameter a page reads, each to a payload
        params = "&".join(f"{name}={quote(texts[j % len(texts)])}" for j, name in enumerate(URL_PARAMS))
        urls.append(f"{server.url}/{pick.choice([p for p in servers.PAGES if p])}?{params}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(CANARY)

            def guard(route):
                host = urlsplit(route.request.url).hostname or ""
                if host not in ("127.0.0.1", "localhost"):
                    # Streamlit's own frontend fetches its icon font from Google; anything else came from the data
                    (found["offsite"] if "evil" in host else found["app_offsite"]).append(host)
                    return route.abort()
                return route.continue_()
            context.route("**/*", guard)
            for url in urls:
                before = (found["executions"], len(found["links"]), len(found["offsite"]), found["exceptions"])
                visit(context, url, found)
                survived += before == (found["executions"], len(found["links"]), len(found["offsite"]),
                                       found["exceptions"])
            browser.close()
    finally:
        server.stop()
    tracebacks = server.tracebacks()
    record(Tally(f"XSS: {len(texts)} payloads x every upstream field + URL parameters, Chromium canary",
                 len(urls), survived if not tracebacks else 0, executions=found["executions"],
                 tracebacks=tracebacks + found["exceptions"],
                 size=f"{len(texts)} payloads, {len(urls)} page visits; the app itself contacted "
                      f"{sorted(set(found['app_offsite'])) or 'no other host'}"))
    assert found["executions"] == 0
    assert found["links"] == []
    assert found["offsite"] == []
    assert found["exceptions"] == 0 and tracebacks == 0, server.log.read_text()[-3000:]
