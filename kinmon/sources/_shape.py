"""Shape checks shared by the Parliament API clients: field tables, optional fields, API dates, shown URLs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from kinmon.http import UpstreamError, require

NONE = type(None)
TEXT = (str, NONE)
NUMBER = (int, NONE)

Kind = type | tuple[type, ...]


def api_date(value: Any, url: str, name: str) -> date | None:
    """A date from the API's timezone-less 'YYYY-MM-DDT00:00:00' (or plain 'YYYY-MM-DD')."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UpstreamError(url, f"unexpected response: field {name!r} is {type(value).__name__}, not a date")
    try:
        return datetime.fromisoformat(value[:19]).date() if "T" in value else date.fromisoformat(value[:10])
    except ValueError:
        raise UpstreamError(url, f"unexpected response: field {name!r} is {value!r}, not a date") from None


def optional(obj: dict, key: str, url: str, kind: Kind) -> Any:
    """A field that may be absent; when present it must have the documented type."""
    if key not in obj or obj[key] is None:
        return None
    return require(obj, key, url, kind)


def check_fields(value: Any, url: str, what: str, required: Mapping[str, Kind],
                 optional: Mapping[str, Kind] = {}) -> dict:
    """`value` checked as an object ("a {what}") with every `required` field present and of its type,
    then every `optional` field of its type when present and not null, in table order."""
    if not isinstance(value, dict):
        raise UpstreamError(url, f"unexpected response: a {what} is {type(value).__name__}, not an object")
    for key, kind in required.items():
        require(value, key, url, kind)
    for key, kind in optional.items():
        if value.get(key) is not None:
            require(value, key, url, kind)
    return value
