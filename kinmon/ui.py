"""Small Streamlit helpers every page repeats: the store connection and cached queries, the freshness
line, the source footer with licences, the download row, the citation box and URL-bound filters.

Pages call kinmon.queries through `query(fn, ...)`, which caches on the store file's version, so a
newly published store is picked up without a restart.
"""

from __future__ import annotations

import html
import importlib
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from kinmon import config, exports, sanitize, store


def _leave_legacy_pages_mode() -> None:
    """Streamlit starts in its old multipage mode when a pages/ folder exists, until st.navigation runs.
    If a server's first visitors open a page's address directly (a bookmark, a shared permalink), that
    page runs without dashboard.py: no navigation, no store check. Such a run is recognised by the pages
    Streamlit registered for it (its own list from the folder, which names dashboard.py as a page); the
    mode is left and the run restarted, so dashboard.py runs and routes the same address.

    Pages reach it through query() and page_header() (dashboard.py calls neither before st.navigation),
    never at import: an exception raised while kinmon.ui is being imported is seen by every session
    importing it at that moment as `ImportError: cannot import name 'ui' from 'kinmon'` (the first-import
    race of a fresh server)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    if PagesManager.uses_pages_directory or _registered_by_folder(ctx):
        PagesManager.uses_pages_directory = False
        st.rerun()


def _registered_by_folder(ctx) -> bool:
    """Whether this run's pages are Streamlit's folder list (dashboard.py and every pages/*.py), not the
    list dashboard.py gives st.navigation (pages only) nor the lone main script before it runs."""
    scripts = [Path(info.get("script_path") or "") for info in ctx.pages_manager.get_pages().values()]
    return len(scripts) > 1 and any(p.name == "dashboard.py" for p in scripts)


OPL_ATTRIBUTION = "Contains Parliamentary information licensed under the Open Parliament Licence v3.0."
OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
_BUILD_LOCK = threading.Lock()
# Markdown that upstream text must not trigger: emphasis, code, links and images (via [ ]), tables, strike,
# maths ($), and block syntax at a line's start (headings, quotes, lists). URLs stay readable.
_MD_INLINE = re.compile(r"([\\`*\[\]|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_MD_BLOCK = re.compile(r"(?m)^(\s*)([#>+\-=])")
_MD_ORDERED = re.compile(r"(?m)^(\s*\d+)([.)])")
# A web address in upstream text, up to a space or a closing bracket, less trailing punctuation.
_URL = re.compile(r"https?://[^\s<>\"'\]\[]+[^\s<>\"'\]\[.,;:!?)]")
_TARGET_ESCAPES = {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", "\\": "%5C", "`": "%60"}
MISSING = "—"  # how a missing value is shown in a table
LONG_TEXT = 30  # characters: a text column with longer values is given a medium width


# ---------------------------------------------------------------- the store


def db_path() -> Path:
    return config.db_path()


def ensure_store() -> Path:
    """Build the store from the shipped snapshot on first start (offline), and say so."""
    path = db_path()
    if path.exists():
        _connection(str(path), store.version_token(path))  # a damaged or newer store fails here, as StoreError
        return path
    with _BUILD_LOCK:
        if not path.exists():
            from kinmon import snapshot

            with st.status("First start: building the kinmon store from the snapshot in data/ ...") as status:
                counts = snapshot.build(path)
                _write_feeds(path)
                status.update(label=f"Built the store from the snapshot ({sum(counts.values())} rows).",
                              state="complete")
    return path


def _write_feeds(path: Path) -> None:
    """Give the alert feeds their first content, so the What's new links work from the first start."""
    from kinmon import feeds

    if (config.FEEDS_DIR / "all.atom").exists():
        return
    con = store.connect_readonly(path)
    try:
        feeds.write_feeds(con, config.FEEDS_DIR)
    except OSError:
        pass  # a read-only checkout: `python -m kinmon feeds` can write them elsewhere
    finally:
        con.close()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, token: str):
    return store.connect_readonly(Path(path))


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(module: str, name: str, path: str, token: str, args: tuple, kwargs: tuple) -> Any:
    fn = getattr(importlib.import_module(module), name)
    cur = store.cursor(_connection(path, token))
    try:
        return fn(cur, *args, **dict(kwargs))
    finally:
        cur.close()


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a kinmon.queries function on the published store, cached until a new store is published."""
    _leave_legacy_pages_mode()
    path = ensure_store()
    return _cached(fn.__module__, fn.__name__, str(path), store.version_token(path), args,
                   tuple(sorted(kwargs.items())))


# ---------------------------------------------------------------- text


def blank(value: Any) -> bool:
    """True for a missing value of any kind: None, NaN, NA, NaT or empty text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def md_escape(text: Any) -> str:
    """Upstream text shown through st.markdown: no markup, no HTML, no links it did not ask for. A missing
    value is empty text (never "nan"). A web address on an official host (sanitize.OFFICIAL_HOSTS) stays a
    working link, markdown escapes kept out of it; any other address is shown as text, not linked."""
    if blank(text):
        return ""
    out, last = [], 0
    raw = str(text)
    for m in _URL.finditer(raw):
        out.append(_escape_plain(raw[last:m.start()]))
        url = m.group(0)
        official = sanitize.is_official(url) and sanitize.safe_href(url)
        out.append(f"[{_escape_plain(url)}]({_link_target(url)})" if official else _escape_plain(url))
        last = m.end()
    out.append(_escape_plain(raw[last:]))
    return "".join(out)


def _escape_plain(text: str) -> str:
    escaped = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    escaped = _MD_BLOCK.sub(r"\1\\\2", escaped)
    return sanitize.unlink_bare_urls(_MD_ORDERED.sub(r"\1\\\2", escaped))


def _link_target(url: str) -> str:
    """A URL as a markdown link target: characters markdown would read as syntax are percent-encoded."""
    return "".join(_TARGET_ESCAPES.get(c, c) for c in url)


def text_or(value: Any, default: str = "not recorded") -> str:
    """Escaped upstream text, or the plain default when the value is missing."""
    return default if blank(value) else md_escape(value)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 result', '2 results', '0 results' (with a given plural for irregular words)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def flag(value: Any) -> bool:
    """A nullable boolean from a DataFrame: missing (NA) counts as False."""
    return False if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else bool(value)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} GB"


def fmt_date(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "date unknown"
    try:
        return pd.Timestamp(value).strftime("%-d %b %Y")
    except (ValueError, TypeError):
        return str(value)


# ---------------------------------------------------------------- tables a reader can read

# Plain names for the store's column names, used wherever a page does not name a column itself.
COLUMN_LABELS = {
    "member_name": "Member", "member": "Member", "role": "Role", "as_of": "As of", "source_title": "Source",
    "source_url": "Source link", "notes": "Notes", "note": "Note", "method": "How it was linked", "kind": "Kind",
    "licence": "Licence", "licence_url": "Licence text", "sources": "Sources", "publishers": "Publishers",
    "display": "Value", "is_latest": "Latest release", "table": "Table", "rows": "Rows", "date": "Date",
    "what": "What", "url": "Link", "priorities": "Priorities", "title": "Title", "type": "Kind",
    "label": "Status", "definition": "What it means", "item_type": "Kind", "house": "House", "party": "Party",
    "department": "Department", "status": "Status", "score": "Relevance", "is_named_day": "Named day",
    "date_tabled": "Tabled", "date_answered": "Answered", "error": "Error", "finished_at": "Finished (UTC)",
    "uin": "UIN (question number)", "heading": "Heading", "location": "Where", "participants": "Members (as recorded)",
    "item_id": "Record id", "source_id": "Source id", "source": "Source", "item_title": "Record",
    "commitment": "Commitment", "publisher": "Publisher", "retrieved_at": "Retrieved",
}


def plain_label(column: str) -> str:
    """A column's plain name: from COLUMN_LABELS, else its words ('member_from' -> 'Member from')."""
    return COLUMN_LABELS.get(column) or column.replace("_", " ").strip().capitalize()


def _shown_text(value: Any) -> str:
    if blank(value):
        return MISSING
    if isinstance(value, pd.Timestamp) or isinstance(value, date):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def for_display(df: pd.DataFrame) -> tuple[pd.DataFrame, set[str]]:
    """The frame as a reader sees it: a column with missing values becomes text with a dash for each gap
    (so no table says None or nan). Returns the frame and the columns turned into text."""
    out, converted = df.copy(), set()
    for col in out.columns:
        series = out[col]
        if series.isna().any() or series.dtype == object:
            if series.dtype == object and not series.isna().any() and all(isinstance(v, str) for v in series):
                continue
            out[col] = [_shown_text(v) for v in series]
            converted.add(col)
    return out, converted


def table(df: pd.DataFrame, column_config: dict | None = None, **kwargs: Any) -> None:
    """st.dataframe with a plain name on every column and missing values shown as a dash."""
    shown, converted = for_display(df)
    config: dict[str, Any] = {}
    for col in shown.columns:
        given = (column_config or {}).get(col)
        if given is None or isinstance(given, str):
            label = given or plain_label(col)
            # long text gets a medium column, so a phone shows more than the first column
            text = shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col])
            wide = bool(text and len(shown) and shown[col].astype(str).str.len().max() > LONG_TEXT)
            config[col] = st.column_config.TextColumn(label, width="medium") if wide else label
        elif col in converted and not _is_link(given):
            config[col] = st.column_config.TextColumn(_config_label(given) or plain_label(col))
        else:
            config[col] = given
    kwargs.setdefault("hide_index", True)
    st.dataframe(shown, column_config=config, **kwargs)


def _config_label(cfg: Any) -> str | None:
    return cfg.get("label") if isinstance(cfg, dict) else None


def _is_link(cfg: Any) -> bool:
    return isinstance(cfg, dict) and (cfg.get("type_config") or {}).get("type") == "link"


# Abbreviations a reader may not know, spelled out the first time a page uses them.
ABBREVIATIONS = {
    "SHBoL": "Stable Homes, Built on Love (SHBoL, the 2023 children's social care strategy)",
    "ASGSF": "Adoption and Special Guardianship Support Fund (ASGSF)",
    "CWS Act": "Children's Wellbeing and Schools Act (CWS Act)",
    "APPG": "All-Party Parliamentary Group (APPG)",
    "SGO": "special guardianship order (SGO)",
    "CAO": "child arrangements order (CAO)",
    "FGDM": "family group decision-making (FGDM)",
    "EOI": "expression of interest (EOI)",
    "WMS": "written ministerial statement (WMS)",
    "EES": "Explore Education Statistics (EES)",
    "DfE": "Department for Education (DfE)",
}
_ABBREV = re.compile(r"(?<!\()\b(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b")
_SECTION = re.compile(r"\b(Act) s(\d+[A-Z]*)\b")


def expand_terms(text: str) -> str:
    """Spell out each known abbreviation the first time this page shows it ('CWS Act s6' becomes
    "Children's Wellbeing and Schools Act (CWS Act) section 6"). Plain text in, plain text out."""
    if blank(text):
        return ""
    seen = st.session_state.setdefault("_kinmon_terms_seen", set())
    seen.update(t for t in ABBREVIATIONS if f"({t}" in str(text))  # already spelled out by the text itself

    def spell(m: re.Match) -> str:
        term = m.group(1)
        if term in seen:
            return term
        seen.add(term)
        return ABBREVIATIONS[term]

    return _ABBREV.sub(spell, _SECTION.sub(r"\1 section \2", str(text)))


# ---------------------------------------------------------------- page furniture


def page_header(title: str, intro: str | None = None) -> None:
    _leave_legacy_pages_mode()
    st.session_state["_kinmon_terms_seen"] = set()  # abbreviations are spelled out again on each page
    st.title(title)
    if intro:
        st.caption(intro)


def freshness_line() -> None:
    """Say how fresh the data is: the snapshot's date and each source's last successful run."""
    from kinmon.queries import core

    fresh = query(core.freshness)
    parts = []
    for _, r in fresh.iterrows():
        if r["source"] == "snapshot":
            parts.append(f"snapshot compiled {r['cursor']}")
        else:
            parts.append(f"{r['source']} updated {fmt_date(r['last_success'])}")
    st.caption("Data as of: " + ("; ".join(parts) if parts else "no data loaded"))


FOOTER_SOURCES = 6  # sources listed under a page before "and N more"
# Publishers of primary records: government departments and agencies, and Parliament itself.
PRIMARY_PUBLISHERS = {"UK Parliament", "Department for Education", "Office for National Statistics", "Cafcass",
                      "GOV.UK", "Ministry of Justice", "legislation.gov.uk", "HM Treasury"}


def primary_first(src: pd.DataFrame) -> pd.DataFrame:
    """Sources ordered for a reader: primary publishers first, then kinmon's own registers and the
    Alliance, then secondary reports; newest retrieval first within each."""
    if src.empty:
        return src
    tier = [0 if p in PRIMARY_PUBLISHERS else 1 if p in ("kinmon", "Kinship Care Alliance") else 2
            for p in src["publisher"]]
    return (src.assign(_tier=tier).sort_values(["_tier", "publisher", "title"], kind="stable")
            .drop(columns="_tier").reset_index(drop=True))


def source_footer(source_ids: Sequence[str] | None = None, *, note: str | None = None, like: str | None = None,
                  rows: pd.DataFrame | None = None) -> None:
    """Under the data: the sources of the rows this page shows (primary sources first), their licences
    and retrieval dates, then "and N more" pointing to the Data page. `rows` adds record-level sources
    (title and url columns) that are not in the source register, such as timeline events' pages."""
    if source_ids is not None:
        src = query(_sources_for, tuple(sorted({str(s) for s in source_ids if not blank(s)})))
    else:
        from kinmon.queries import core

        src = query(core.sources, like)
    src = primary_first(src)
    lines = []
    for _, s in src.head(FOOTER_SOURCES).iterrows():
        title = md_escape(s["title"])
        link = f"[{title}]({_link_target(s['url'])})" if sanitize.safe_href(s["url"]) else title
        lines.append(f"- {md_escape(s['publisher'])}: {link}. {md_escape(s['licence'])}. "
                     f"Retrieved {fmt_date(s['retrieved_at'])}.")
    extra = 0
    if rows is not None and len(rows):
        linked = rows.dropna(subset=["url"]).drop_duplicates("url")
        linked = linked[linked["url"].map(lambda u: sanitize.safe_href(u) is not None)]
        room = max(0, FOOTER_SOURCES - len(lines))
        for _, r in linked.head(room).iterrows():
            lines.append(f"- [{text_or(r['title'], 'source')}]({_link_target(r['url'])})")
        extra = max(0, len(linked) - room)
    more = max(0, len(src) - FOOTER_SOURCES) + extra
    licences = set(src["licence"]) if len(src) else set()
    with st.container(border=True):
        st.markdown("**Sources**" + (f" · {md_escape(note)}" if note else ""))
        if lines:
            st.markdown("\n".join(lines))
        else:
            st.caption("No source is registered for what this page shows.")
        if more:
            label = f"and {plural(more, 'more source')}: see Data & downloads"
            try:
                st.page_link("pages/data.py", label=label, icon=":material/arrow_forward:")
            except StreamlitAPIException:  # a page run on its own (no navigation): a plain relative link
                st.markdown(f"[{label}](data)")
        if "Open Parliament Licence v3.0" in licences:
            st.caption(OPL_ATTRIBUTION + " [Licence](https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/)")
        if "Open Government Licence v3.0" in licences:
            st.caption(OGL_ATTRIBUTION + " [Licence](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)")


def _sources_for(con, ids: tuple[str, ...]) -> pd.DataFrame:
    return exports.sources_for(con, list(ids))



XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_row(shown: pd.DataFrame, name: str, title: str, *, full: pd.DataFrame | None = None,
                 filters: dict | None = None, key: str | None = None) -> None:
    """Download what is shown (CSV, XLSX, CSV+README zip) and, where different, the full table.

    Files are built when a button is clicked (Streamlit calls the function then), not on every rerun.
    """
    key = key or name
    src = query(_sources_for, tuple(_source_ids(full if full is not None else shown)))
    view_url = current_view_url()
    readme = exports.readme_lines(title, shown, src, filters, view_url)
    buttons = [
        ("CSV", lambda: exports.to_csv_bytes(shown), f"{name}.csv", "text/csv", "What is shown, as CSV"),
        ("XLSX", lambda: exports.to_xlsx_bytes(shown, readme, name), f"{name}.xlsx", XLSX_MIME,
         "What is shown, with a README sheet: source, licence, filters, citation"),
        ("CSV + README", lambda: exports.csv_zip_pack(shown, readme, name), f"{name}.zip", "application/zip",
         "What is shown, as CSV with a README, zipped"),
    ]
    if full is not None:
        full_readme = exports.readme_lines(title + " (full table)", full, src)
        buttons += [
            ("Full CSV", lambda: exports.to_csv_bytes(full), f"{name}-full.csv", "text/csv",
             "Every row, not only those shown"),
            ("Full XLSX", lambda: exports.to_xlsx_bytes(full, full_readme, name), f"{name}-full.xlsx", XLSX_MIME,
             "Every row, with a README sheet"),
        ]
    row = st.container(horizontal=True)
    for label, build, filename, mime, help_text in buttons:
        row.download_button(label, build, filename, mime, key=f"{key}-{filename}", help=help_text,
                            icon=":material/download:", on_click="ignore")
    with st.expander("Cite this"):
        st.code(exports.citation(title, src, url=view_url), language=None, wrap_lines=True)


def _source_ids(df: pd.DataFrame) -> list[str]:
    column = next((c for c in ("source_id", "Source id") if df is not None and c in df.columns), None)
    if column is None:
        return []
    return sorted({str(s) for s in df[column].dropna().unique()})


def current_view_url() -> str | None:
    """This view's address with its filters, for citations (the page's own URL as the browser sees it)."""
    try:
        params = st.query_params.to_dict()
    except Exception:  # noqa: BLE001 - outside a running app there is no URL
        return None
    base = config.public_url() or ""  # unset: the relative permalink, which the citation says it is
    page = st.session_state.get("_kinmon_page_path", "")
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base}/{page}" + (f"?{qs}" if qs else "")


def data_as_of() -> str:
    """The newest date the data was refreshed: the snapshot's date or the last successful ingest."""
    from kinmon.queries import core

    fresh = query(core.freshness)
    dates = [str(r["cursor"]) if r["source"] == "snapshot" else pd.Timestamp(r["last_success"]).date().isoformat()
             for _, r in fresh.iterrows()]
    return max(dates) if dates else "unknown"


@st.cache_resource(show_spinner=False)
def _warm_images() -> bool:
    """Start the shared image renderer once per server process, in the background."""
    from kinmon.charts import images

    images.warm_up()
    return True


def chart(fig, name: str, *, key: str | None = None) -> None:
    """Show a figure, stamped with its data date, with PNG and SVG downloads for publication."""
    from kinmon.charts import images

    if images.available():
        _warm_images()
    fig = images.stamp(fig, f"kinmon · data as of {data_as_of()}")
    key = key or name
    # theme=None: the browser draws the figure exactly as built, so it matches the server PNG/SVG
    st.plotly_chart(fig, key=f"{key}-chart", theme=None, config={
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
    })
    if images.available():
        with st.container(horizontal=True):
            st.download_button("PNG", lambda: images.to_image(fig, "png"), f"{name}.png", "image/png",
                               key=f"{key}-png", on_click="ignore", icon=":material/image:")
            st.download_button("SVG", lambda: images.to_image(fig, "svg"), f"{name}.svg", "image/svg+xml",
                               key=f"{key}-svg", on_click="ignore", icon=":material/image:")
    else:
        st.caption("Save the chart as a PNG with the camera icon above it; the title and source are inside the image.")


# ---------------------------------------------------------------- URL-bound filters
# Every filter lives in the page's URL as a plain value (?priority=2&types=funding&types=report), is
# restored from it, and a stale or nonsense value falls back to the default with a short notice. The
# widget keeps its own key (<param>__w) so the URL can be read and written by the page each run.


def _notice(label: str, bad: list[str]) -> None:
    shown = ", ".join(b[:40] for b in bad)[:120]
    st.info(f"Ignored the link's {label.lower()} {md_escape(shown)}: not one of the choices. Showing the default.",
            icon=":material/link_off:")


def _write_param(key: str, value: str | list[str] | None) -> None:
    current = st.query_params.get_all(key)
    wanted = [] if value in (None, "", []) else ([value] if isinstance(value, str) else list(value))
    if current != wanted:
        if wanted:
            st.query_params[key] = wanted if len(wanted) > 1 else wanted[0]
        elif key in st.query_params:
            del st.query_params[key]


def url_selectbox(label: str, options: list, key: str, *, index: int = 0, format_func: Callable = str,
                  help: str | None = None) -> Any:
    """A selectbox whose value is the URL parameter `key` (the option's plain value)."""
    values = [str(o) for o in options]
    raw = st.query_params.get(key)
    if raw is not None and raw not in values:
        _notice(label, [raw])
        raw = None
    wkey = f"{key}__w"
    if raw is not None and wkey not in st.session_state:
        st.session_state[wkey] = options[values.index(raw)]
    choice = st.selectbox(label, options, index=index, format_func=format_func, key=wkey, help=help)
    _write_param(key, None if choice == options[index] else str(choice))
    return choice


def url_multiselect(label: str, options: list, key: str, *, format_func: Callable = str,
                    placeholder: str = "Any") -> list:
    values = [str(o) for o in options]
    raw = st.query_params.get_all(key)
    bad = [v for v in raw if v not in values]
    if bad:
        _notice(label, bad)
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = [options[values.index(v)] for v in raw if v in values]
    picked = st.multiselect(label, options, key=wkey, format_func=format_func, placeholder=placeholder)
    _write_param(key, [str(p) for p in picked])
    return picked


def url_text(label: str, key: str, *, help: str | None = None, placeholder: str | None = None,
             max_chars: int = 200) -> str:
    raw = (st.query_params.get(key) or "")[:max_chars]
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = raw
    text = st.text_input(label, key=wkey, help=help, placeholder=placeholder, max_chars=max_chars)
    _write_param(key, text.strip() or None)
    return text.strip()


def url_toggle(label: str, key: str, *, help: str | None = None) -> bool:
    raw = st.query_params.get(key)
    if raw not in (None, "", "1", "0"):
        _notice(label, [raw])
        raw = None
    wkey = f"{key}__w"
    if raw and wkey not in st.session_state:
        st.session_state[wkey] = raw == "1"
    on = st.toggle(label, key=wkey, help=help)
    _write_param(key, "1" if on else None)
    return on


def url_date(label: str, key: str, *, default: date | None = None) -> date | None:
    raw = st.query_params.get(key)
    parsed = parse_iso_date(raw)
    if raw and parsed is None:
        _notice(label, [raw])
    wkey = f"{key}__w"
    if parsed is not None and wkey not in st.session_state:
        st.session_state[wkey] = parsed
    value = st.date_input(label, value=default, key=wkey, format="YYYY-MM-DD")
    _write_param(key, None if value == default or value is None else value.isoformat())
    return value


def parse_iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def url_date_text(label: str, key: str, *, default: date) -> date:
    """A date typed as YYYY-MM-DD that applies when Enter is pressed (a text box, unlike the calendar
    widget, commits on Enter), bound to the URL like the other filters. A date that cannot be read keeps
    the default, with a short notice."""
    raw = st.query_params.get(key)
    parsed = parse_iso_date(raw)
    if raw and parsed is None:
        _notice(label, [raw])
    wkey = f"{key}__w"
    if parsed is not None and wkey not in st.session_state:
        st.session_state[wkey] = parsed.isoformat()
    text = st.text_input(label, key=wkey, placeholder=default.isoformat(), max_chars=10,
                         help="Type a date such as 2025-01-31 and press Enter.").strip()
    value = parse_iso_date(text) if text else None
    if text and value is None:
        st.warning(f"{md_escape(text)} is not a date in the form YYYY-MM-DD: showing changes since "
                   f"{fmt_date(default)}.")
    value = value or default
    _write_param(key, None if value == default else value.isoformat())
    return value
