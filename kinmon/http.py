"""A polite, robust HTTP client shared by every source module.

Timeouts on every request; retries with exponential backoff on 429, 5xx and connection errors,
honouring Retry-After; a cap on the request rate per host; a User-Agent naming kinmon. Anything
unexpected becomes an UpstreamError naming the URL and what was wrong.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from datetime import timezone
from typing import Any, Callable
from urllib.parse import urlsplit

import requests

from kinmon.config import USER_AGENT, HttpSettings, http_settings
from kinmon.errors import UpstreamError
from kinmon.util import shown_url, utcnow

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class Client:
    """One session per ingest run. `sleep` is injectable so tests need not wait for real."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ):
        self.settings = settings or http_settings()
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests_made = 0

    def _throttle(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            last = self._last_request.get(host)
            now = time.monotonic()
            if last is not None:
                wait = self.settings.min_interval - (now - last)
                if wait > 0:
                    self.sleep(wait)
            self._last_request[host] = time.monotonic()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one request with retries; return a 2xx response or raise UpstreamError."""
        shown = shown_url(url, kwargs.get("params"))
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            self._throttle(url)
            self.requests_made += 1
            try:
                resp = self.session.request(method, url, timeout=self.settings.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == attempts:
                    raise UpstreamError(shown, f"no response after {attempts} attempts ({type(exc).__name__})") from exc
                self.sleep(self._backoff(attempt))
                continue
            except requests.RequestException as exc:  # a bad URL, scheme or redirect: not worth retrying
                raise UpstreamError(shown, f"the request could not be made ({type(exc).__name__}: {exc})") from exc
            if resp.status_code in RETRY_STATUSES and attempt < attempts:
                wait = parse_retry_after(resp.headers.get("Retry-After"))
                if wait is None:
                    wait = self._backoff(attempt)
                self.sleep(min(wait, self.settings.max_retry_after))
                continue
            if resp.status_code >= 400:
                raise UpstreamError(shown, f"HTTP {resp.status_code}: {_body_excerpt(resp)}", resp.status_code)
            return resp
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return self.settings.backoff * (2 ** (attempt - 1))

    def get_json(self, url: str, params: dict | list | None = None) -> Any:
        resp = self.request("GET", url, params=params)
        return _decode_json(resp, shown_url(url, params))


def _decode_json(resp: requests.Response, shown: str) -> Any:
    try:
        return json.loads(resp.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UpstreamError(shown, f"invalid JSON ({exc.__class__.__name__}: {exc})") from exc


def _body_excerpt(resp: requests.Response, limit: int = 200) -> str:
    text = resp.text.strip().replace("\n", " ")
    return text[:limit] if text else resp.reason or "no body"


def require(obj: Any, key: str, url: str, kind: type | tuple[type, ...] | None = None) -> Any:
    """Fetch a required field from an upstream payload, failing clearly when it is absent."""
    return require_in(obj, key, url, kind)


def require_in(obj: Any, key: str, url: str, kind: type | tuple[type, ...] | None = None, where: str = "") -> Any:
    """require() for a field of an object nested at `where` (e.g. 'results[0].timePeriod'); errors name the
    field by its full path ('results[0].timePeriod.period')."""
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict) or key not in obj:
        raise UpstreamError(url, f"unexpected response: field {path!r} is missing")
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        raise UpstreamError(url, f"unexpected response: field {path!r} is {type(value).__name__}")
    return value


retrieved_now = utcnow  # when a record was fetched, as stored (naive UTC)
