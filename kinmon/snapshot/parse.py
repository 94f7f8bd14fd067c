"""Reading and checking the snapshot's files: field parsers, CSV and JSON-lines readers, and the row checks
that turn any bad value into a SnapshotError naming the file, the line and the reason."""

from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from kinmon.errors import BadInput
from kinmon.store import rows

SUPPRESSION_CODES = frozenset({"c", "k", "u", "x", "z", "low"})


class SnapshotError(BadInput):
    """A snapshot file is malformed: says which file, which line and why."""

    def __init__(self, path: Path | str, line: int | None, reason: str):
        where = f"{Path(path).name}:{line}" if line else f"{Path(path).name}"
        super().__init__(f"{where}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


@dataclass
class Snapshot:
    """Everything read from data/, validated, ready to write."""

    compiled_on: date
    tables: dict[str, list[dict]] = field(default_factory=dict)  # rows by column name (kinmon.store.rows)
    sources: dict[str, dict] = field(default_factory=dict)


# ---------------------------------------------------------------- field parsers


def parse_date(value: str) -> tuple[date, str]:
    """An ISO date, or a year-month or a year; returns the date and its precision."""
    value = value.strip()
    for fmt, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.strptime(value, fmt).date(), precision
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def parse_priorities(value: str, *, allow_empty: bool = False) -> list[int]:
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if not parts and not allow_empty:
        raise ValueError("priorities is empty")
    out = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 7:
            raise ValueError(f"priority {p!r} is not a number from 1 to 7")
        if int(p) not in out:
            out.append(int(p))
    return out


def parse_amount(value: str) -> float | None:
    value = value.strip().replace(",", "").replace("£", "")
    if not value:
        return None
    try:
        amount = float(value)
    except ValueError as exc:
        raise ValueError(f"amount {value!r} is not a number") from exc
    if amount < 0:
        raise ValueError(f"amount {value!r} is negative")
    return amount


def parse_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def parse_figure_value(value: str) -> tuple[float | None, str | None, str | None]:
    """(number, words, suppression code): a suppressed or worded figure is never turned into 0."""
    raw = value.strip()
    if raw.lower() in SUPPRESSION_CODES:
        return None, None, raw.lower()
    try:
        return float(raw.replace(",", "")), None, None
    except ValueError:
        if not raw:
            raise ValueError("value is empty (write a suppression code or the published words)") from None
        return None, raw, None


def parse_period_end(period: str) -> date | None:
    """The last day a period covers, where the period says so plainly."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})(?:\s*\(assumed\))?$", period.strip())
    if m:
        return datetime.strptime(m.group(1), "%Y-%m-%d").date()
    if re.fullmatch(r"\d{4}", period.strip()):
        return date(int(period), 12, 31)
    m = re.fullmatch(r"(\d{4})-(\d{2})", period.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        year, month = int(m.group(1)), int(m.group(2))
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return None


# ---------------------------------------------------------------- file readers


def read_csv(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; the header must be exactly `columns`."""
    if not path.exists():
        raise SnapshotError(path, None, "file is missing")
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise SnapshotError(path, 1, "file is empty") from None
        if header != columns:
            raise SnapshotError(path, 1, f"columns are {header}, expected {columns}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise SnapshotError(path, line, f"{len(row)} fields, expected {len(columns)}")
            yield line, dict(zip(columns, row))


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.exists():
        raise SnapshotError(path, None, "file is missing")
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SnapshotError(path, line_no, f"invalid JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise SnapshotError(path, line_no, "each line must be a JSON object")
            yield line_no, record


def checked(path: Path, line: int, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a row parser, turning its ValueError into a SnapshotError with the file and line."""
    try:
        return fn(*args)
    except SnapshotError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(path, line, str(exc).strip("'\"")) from None


def required(row: dict, *names: str) -> None:
    for name in names:
        if not str(row.get(name) or "").strip():
            raise ValueError(f"{name} is empty")


def unique(path: Path, line: int, seen: set, key: Any, what: str) -> None:
    if key in seen:
        raise SnapshotError(path, line, f"duplicate {what} {key!r}")
    seen.add(key)


def add_source(snap: Snapshot, source_id: str, publisher: str, title: str, url: str | None,
            licence: tuple[str, str | None], retrieved: datetime) -> str:
    snap.sources.setdefault(source_id, rows.source(source_id, publisher=publisher, title=title, url=url,
                                                   licence=licence[0], licence_url=licence[1], retrieved_at=retrieved))
    return source_id


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n") if p.strip())
