"""The hostile world: a store whose every upstream text field carries XSS payloads (tests/reliability/payloads.py).

The snapshot plus a replayed Parliament ingest whose question headings, question and answer texts, member names,
statement titles and texts, debate titles and speeches carry the payloads, a replayed EES API data set whose
title, release title, filter and indicator labels and location names do, and an `ingest file` CSV whose cells
(a filter column, council names) do. Built once per test session (tests/reliability/conftest.py) and read by the
XSS part in Chromium and by the fuzz part's servers.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

import test_parliament_ingest as tpi
from helpers import rows
from kinmon.http import Client
from kinmon.ingest import parliament as parliament_ingest
from kinmon.ingest.statistics import ingest_file, ingest_statistics
from payloads import payloads
from replay import ReplayServer

QUESTION_IDS = 990_000_000  # far from real API ids, which the snapshot holds


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


def build(snapshot: Path, folder: Path, count: int) -> tuple[Path, list[str], list[int]]:
    """A copy of `snapshot` in `folder` with `count` payloads through every upstream field (a Parliament ingest,
    an EES API ingest, an `ingest file` CSV); returns the store, the payloads and the hostile questions' ids."""
    texts = payloads(count)
    db = folder / "kinmon.duckdb"
    shutil.copyfile(snapshot, db)
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
