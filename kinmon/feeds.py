"""Alert feeds: what is new, per priority and overall, as Atom, RSS 2.0 and CSV files anyone can subscribe to.

`python -m kinmon feeds --output static/feeds` writes them; the dashboard serves that folder at
/app/static/feeds/ (Streamlit static serving), so a feed reader can follow, say, priority 2.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pandas as pd

from kinmon import REPOSITORY_URL, licences
from kinmon.exports import to_csv_bytes
from kinmon.queries import core
from kinmon.util import write_atomically

FEED_DAYS = 730
FEED_LIMIT = 100
ATOM_NS = "http://www.w3.org/2005/Atom"


def feed_items(con: duckdb.DuckDBPyConnection, priority_id: int | None = None, since: date | None = None,
               limit: int = FEED_LIMIT) -> pd.DataFrame:
    since = since or (date.today() - timedelta(days=FEED_DAYS))
    items = core.changes_since(con, since, priority_id).head(limit)
    return items.reset_index(drop=True)


def _entry_id(row: pd.Series) -> str:
    digest = hashlib.sha1(f"{row['date']}|{row['kind']}|{row['what']}|{row['url']}".encode()).hexdigest()[:16]
    return f"tag:kinmon,2023:{digest}"


def _when(value) -> datetime:
    d = pd.Timestamp(value).to_pydatetime()
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d


def feed_title(priority_id: int | None, titles: dict[int, str]) -> str:
    if priority_id is None:
        return "kinmon: what is new on kinship care"
    return f"kinmon: what is new on priority {priority_id} ({titles.get(priority_id, '')})"


def atom(items: pd.DataFrame, title: str, self_url: str | None = None) -> bytes:
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = self_url or f"{REPOSITORY_URL}#{hashlib.sha1(title.encode()).hexdigest()[:8]}"
    updated = max((_when(d) for d in items["date"]), default=datetime(2023, 12, 15, tzinfo=timezone.utc))
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = updated.isoformat()
    ET.SubElement(feed, f"{{{ATOM_NS}}}author").append(_text(f"{{{ATOM_NS}}}name", "kinmon"))
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", href=REPOSITORY_URL)
    if self_url:
        ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM_NS}}}rights").text = licences.ALL_ATTRIBUTIONS
    for _, row in items.iterrows():
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = f"{row['kind'].capitalize()}: {row['what']}"
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = _entry_id(row)
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = _when(row["date"]).isoformat()
        if row["url"]:
            ET.SubElement(entry, f"{{{ATOM_NS}}}link", href=str(row["url"]))
        ET.SubElement(entry, f"{{{ATOM_NS}}}summary").text = (
            f"{row['kind']} on {_when(row['date']).date().isoformat()}; priorities {row['priorities'] or 'none'}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def rss(items: pd.DataFrame, title: str, link: str | None = None) -> bytes:
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = link or REPOSITORY_URL
    ET.SubElement(channel, "description").text = "New questions, answers, debates, events and status changes on kinship care."
    for _, row in items.iterrows():
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = f"{row['kind'].capitalize()}: {row['what']}"
        if row["url"]:
            ET.SubElement(item, "link").text = str(row["url"])
        ET.SubElement(item, "guid", isPermaLink="false").text = _entry_id(row)
        ET.SubElement(item, "pubDate").text = format_datetime(_when(row["date"]))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _text(tag: str, value: str) -> ET.Element:
    el = ET.Element(tag)
    el.text = value
    return el


def write_feeds(con: duckdb.DuckDBPyConnection, out_dir: Path, base_url: str | None = None) -> list[Path]:
    """Write all.{atom,rss,csv} and priority-N.{atom,rss,csv}; returns the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    titles = dict(core.priorities(con)[["priority_id", "short_title"]].itertuples(index=False))
    written = []
    for pid in [None, *sorted(titles)]:
        stem = "all" if pid is None else f"priority-{pid}"
        items = feed_items(con, pid)
        title = feed_title(pid, titles)
        self_url = f"{base_url.rstrip('/')}/{stem}.atom" if base_url else None
        for suffix, data in (("atom", atom(items, title, self_url)), ("rss", rss(items, title, base_url)),
                             ("csv", to_csv_bytes(items))):
            path = out_dir / f"{stem}.{suffix}"
            written.append(write_atomically(path, data))
    return written
