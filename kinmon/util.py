"""Small helpers several layers share, written once: an address as shown in messages, the current time as
stored (naive UTC), and writing a file so that readers never see half of it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode


def shown_url(url: str, params: dict | list | None = None) -> str:
    """The address a request went to, with its query string, as errors and logs show it."""
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def utcnow() -> datetime:
    """Now, as naive UTC (how timestamps are stored)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def write_atomically(path: Path, data: bytes | str) -> Path:
    """Write `data` to a part file beside `path`, then rename it over `path`: a reader sees the old file or
    the new one, never a half-written one. Text is written as UTF-8."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)
    return path
