"""kinmon.http against a real local server: retries, Retry-After, rate cap, errors that name the URL."""

from __future__ import annotations

import socket

import pytest

from kinmon.config import USER_AGENT, HttpSettings
from kinmon.http import Client, UpstreamError, parse_retry_after, require
from replay import Reply


def settings(**over) -> HttpSettings:
    base = dict(timeout=5.0, max_retries=3, backoff=0.5, min_interval=0.0, max_retry_after=120.0)
    return HttpSettings(**{**base, **over})


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_429_waits_for_retry_after_then_succeeds(replay):
    replay.route("GET", "/x", [Reply.json({"busy": True}, status=429, headers={"Retry-After": "7"}),
                               Reply.json({"ok": 1})])
    sleeps = Sleeps()
    client = Client(settings(), sleep=sleeps)
    assert client.get_json(replay.url + "/x") == {"ok": 1}
    assert sleeps == [7.0]
    assert len(replay.hits("/x")) == 2


def test_retry_after_is_capped(replay):
    replay.route("GET", "/x", [Reply.json({}, status=429, headers={"Retry-After": "3600"}), Reply.json([])])
    sleeps = Sleeps()
    Client(settings(max_retry_after=30.0), sleep=sleeps).get_json(replay.url + "/x")
    assert sleeps == [30.0]


def test_500_then_success_backs_off_exponentially(replay):
    replay.route("GET", "/x", [Reply.json({"status": 500, "title": "boom"}, status=500),
                               Reply.text("oops", status=503), Reply.json({"ok": 2})])
    sleeps = Sleeps()
    assert Client(settings(backoff=0.5), sleep=sleeps).get_json(replay.url + "/x") == {"ok": 2}
    assert sleeps == [0.5, 1.0]


def test_persistent_500_fails_naming_url_and_status(replay):
    replay.route("GET", "/x", Reply.json({"status": 500, "title": "Internal"}, status=500))
    sleeps = Sleeps()
    with pytest.raises(UpstreamError) as err:
        Client(settings(max_retries=2), sleep=sleeps).get_json(replay.url + "/x", {"q": "kinship care"})
    assert err.value.url == replay.url + "/x?q=kinship+care"
    assert err.value.reason.startswith("HTTP 500: ")
    assert len(replay.hits("/x")) == 3
    assert sleeps == [0.5, 1.0]


def test_404_is_not_retried(replay):
    sleeps = Sleeps()
    with pytest.raises(UpstreamError) as err:
        Client(settings(), sleep=sleeps).get_json(replay.url + "/missing")
    assert err.value.reason.startswith("HTTP 404")
    assert len(replay.hits("/missing")) == 1
    assert sleeps == []


def test_invalid_json_is_an_upstream_error(replay):
    replay.route("GET", "/x", Reply.text("<html>maintenance</html>", content_type="text/html"))
    with pytest.raises(UpstreamError) as err:
        Client(settings()).get_json(replay.url + "/x")
    assert err.value.url == replay.url + "/x"
    assert err.value.reason.startswith("invalid JSON")


def test_connection_refused_is_retried_then_reported():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    sleeps = Sleeps()
    with pytest.raises(UpstreamError) as err:
        Client(settings(max_retries=2, timeout=2.0), sleep=sleeps).get_json(f"http://127.0.0.1:{port}/x")
    assert err.value.reason == "no response after 3 attempts (ConnectionError)"
    assert sleeps == [0.5, 1.0]


def test_user_agent_and_accept_are_sent(replay):
    replay.route("GET", "/x", Reply.json({}))
    Client(settings()).get_json(replay.url + "/x")
    headers = replay.hits("/x")[0].headers
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Accept"] == "application/json"


def test_rate_cap_spaces_requests_to_one_host(replay):
    replay.route("GET", "/x", Reply.json({}))
    sleeps = Sleeps()
    client = Client(settings(min_interval=60.0), sleep=sleeps)
    client.get_json(replay.url + "/x")
    client.get_json(replay.url + "/x")
    assert len(sleeps) == 1
    assert 59.0 < sleeps[0] <= 60.0


def test_parse_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_require_names_the_field_and_the_url():
    with pytest.raises(UpstreamError) as missing:
        require({"a": 1}, "results", "http://h/p")
    assert str(missing.value) == "http://h/p: unexpected response: field 'results' is missing"
    with pytest.raises(UpstreamError) as wrong:
        require({"results": {}}, "results", "http://h/p", list)
    assert str(wrong.value) == "http://h/p: unexpected response: field 'results' is dict"
    assert require({"results": [1]}, "results", "http://h/p", list) == [1]


def test_an_error_answer_carries_its_status(replay):
    from kinmon.http import Client, UpstreamError

    replay.route("GET", "/gone", Reply.json({"status": 404, "title": "Not Found"}, status=404))
    with pytest.raises(UpstreamError) as err:
        Client(sleep=lambda s: None).get_json(replay.url + "/gone")
    assert err.value.status == 404 and err.value.reason.startswith("HTTP 404: ")
