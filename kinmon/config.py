"""The one place that reads environment variables: paths, upstream base URLs and HTTP politeness."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kinmon import REPOSITORY_URL, __version__

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "kinmon.duckdb"
FEEDS_DIR = PROJECT_ROOT / "static" / "feeds"  # served by Streamlit at /app/static/feeds/

# Live services are the defaults; every one can be pointed at a mirror or a local replay server.
DEFAULT_URLS = {
    "KINMON_QUESTIONS_API": "https://questions-statements-api.parliament.uk",
    "KINMON_MEMBERS_API": "https://members-api.parliament.uk",
    "KINMON_HANSARD_API": "https://hansard-api.parliament.uk",
    "KINMON_EES_API": "https://api.education.gov.uk/statistics",
    # the Members API's constituency search (postcode to MP) for the Asks of MPs finder
    "KINMON_CONSTITUENCY_API": "https://members-api.parliament.uk",
}

USER_AGENT = f"kinmon/{__version__} (+{REPOSITORY_URL})"


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def db_path(override: str | os.PathLike | None = None) -> Path:
    """The store's path: an explicit --db, else KINMON_DB, else data/kinmon.duckdb."""
    if override:
        return Path(override)
    env = os.environ.get("KINMON_DB")
    return Path(env) if env else DEFAULT_DB


def base_url(name: str) -> str:
    """The base URL for one upstream service, without a trailing slash."""
    if name not in DEFAULT_URLS:
        raise KeyError(f"unknown service variable {name}")
    return (os.environ.get(name) or DEFAULT_URLS[name]).rstrip("/")


def public_url() -> str | None:
    """Where the dashboard is published (KINMON_PUBLIC_URL), for permalinks inside citations and exports."""
    url = os.environ.get("KINMON_PUBLIC_URL", "").strip().rstrip("/")
    return url or None


@dataclass(frozen=True)
class HttpSettings:
    timeout: float
    max_retries: int
    backoff: float
    min_interval: float  # seconds between requests to one host: the rate cap
    max_retry_after: float


def http_settings() -> HttpSettings:
    return HttpSettings(
        timeout=_float_env("KINMON_HTTP_TIMEOUT", 60.0),
        max_retries=int(_float_env("KINMON_HTTP_RETRIES", 5)),
        backoff=_float_env("KINMON_HTTP_BACKOFF", 1.0),
        min_interval=_float_env("KINMON_HTTP_MIN_INTERVAL", 0.2),
        max_retry_after=_float_env("KINMON_HTTP_MAX_RETRY_AFTER", 120.0),
    )


@dataclass(frozen=True)
class FileLimits:
    """What `ingest file` will read: bytes (downloaded, or unpacked from gzip), seconds overall, header columns."""

    max_bytes: int
    deadline: float
    max_columns: int


def file_limits() -> FileLimits:
    # DfE's largest real tidy CSV kept in reference/ees/real is 3.9 MB; 200 MB leaves room for full LA-level files.
    return FileLimits(
        max_bytes=int(_float_env("KINMON_FILE_MAX_BYTES", 200e6)),
        deadline=_float_env("KINMON_FILE_DEADLINE", 300.0),
        max_columns=int(_float_env("KINMON_FILE_MAX_COLUMNS", 1000)),
    )
