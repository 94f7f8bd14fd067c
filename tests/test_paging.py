"""Short pages lose nothing: listings advance by what came back and fail when the total is not reached."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from kinmon.http import Client, UpstreamError
from kinmon.ingest import IngestError
from kinmon.sources import hansard, paging, questions
from helpers import rows, sha256
from kinmon import store
from replay import Reply, ReplayServer
from test_parliament_ingest import SERVICES, SINCE, UNTIL, FakeParliament, Sleeps, run

TAKE_PARAMS = ("take", "queryParameters.take")


def capped(handler, cap: int):
    """A list endpoint that never returns more than `cap` results a page, whatever `take` asked for."""
    def serve(req):
        query = {k: ([str(min(int(v[0]), cap))] if k in TAKE_PARAMS else v) for k, v in req.query.items()}
        return handler(dataclasses.replace(req, query=query))
    return serve


def listing(items, total, cap):
    def fetch(skip):
        return items[skip:skip + cap], total, f"http://x.test/list?skip={skip}"
    return fetch


def test_a_short_page_is_followed_by_the_next_one():
    items = list(range(7))
    assert [i for i, _ in paging.skip_take(listing(items, 7, 2))] == items


def test_a_listing_that_ends_before_its_total_fails():
    with pytest.raises(UpstreamError, match="ended after 4 of the 9 results"):
        list(paging.skip_take(listing(list(range(4)), 9, 2)))


def test_an_empty_listing_is_fine():
    assert list(paging.skip_take(listing([], 0, 5))) == []


def test_page_numbered_listing_is_checked_against_its_total():
    paging.check_total(5, 5, "u")
    paging.check_total(5, None, "u")
    with pytest.raises(UpstreamError, match="ended after 4 of the 5"):
        paging.check_total(4, 5, "u")


@pytest.fixture(scope="module")
def server():
    s = ReplayServer().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    with store.writer(path, fresh=True):
        pass
    return path


@pytest.fixture
def capped_fake(server, monkeypatch):
    for name in SERVICES:
        monkeypatch.setenv(name, server.url)
    server.routes.clear()
    server.requests.clear()
    server._counters.clear()
    fake = FakeParliament(server)
    for path in (questions.QUESTIONS_PATH, questions.STATEMENTS_PATH, "/search/contributions/Spoken.json"):
        key = ("GET", path)
        server.routes[key] = capped(server.routes[key], 1)
    return fake


def test_questions_and_contributions_survive_a_server_that_caps_its_pages(capped_fake):
    found = questions.list_questions(Client(sleep=Sleeps()), search_term="kinship", date_field="tabled",
                                     since=SINCE, until=UNTIL)
    assert len(found) == 3 and len({q.id for q in found}) == 3
    contributions = hansard.search_contributions(Client(sleep=Sleeps()), search_term="kinship", since=SINCE,
                                                 until=UNTIL)
    assert [c.contribution_id for c in contributions] == ["C-0003", "C-0001"]


TABLES = ("written_question", "statement", "contribution", "debate")


def test_an_ingest_over_capped_pages_keeps_every_row_of_a_clean_run(server, capped_fake, empty_template, tmp_path):
    capped_db = tmp_path / "capped.duckdb"
    shutil.copyfile(empty_template, capped_db)
    run(capped_db)
    server.routes.clear()
    FakeParliament(server)  # the same data, uncapped
    clean_db = tmp_path / "clean.duckdb"
    shutil.copyfile(empty_template, clean_db)
    run(clean_db)
    for table in TABLES:
        assert rows(capped_db, f"SELECT count(*) FROM {table}") == rows(clean_db, f"SELECT count(*) FROM {table}")
    assert rows(capped_db, "SELECT count(*) FROM written_question")[0][0] == 5


def test_an_ingest_whose_listing_stops_short_fails_and_keeps_the_store(server, capped_fake, empty_template, tmp_path):
    db = tmp_path / "k.duckdb"
    shutil.copyfile(empty_template, db)
    before = sha256(db)

    def lying(req):  # says 50 results, serves them one a page, then nothing from skip 2
        skip = int(req.param("skip", "0"))
        return Reply.json({"totalResults": 50, "results": [] if skip >= 2 else
                           [{"value": v, "links": []} for v in list(capped_fake.questions.values())[skip:skip + 1]]})
    server.route("GET", questions.QUESTIONS_PATH, lying)
    with pytest.raises(IngestError, match="ended after 2 of the 50 results"):
        run(db)
    assert sha256(db) == before
