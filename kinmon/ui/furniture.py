"""Page furniture: the header, the freshness line, the source footer with its licences, the download row
with its citation, and charts with their image downloads."""

from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

from kinmon import config, downloads, exports, licences, sanitize
from kinmon.charts.core import escape_text
from kinmon.queries.sources import source_ids
from kinmon.ui import figures, legacy_pages, reads
from kinmon.ui.connection import ensure_store
from kinmon.ui.text import blank, fmt_date, link_target, md_escape, plural, text_or

def page_header(title: str, intro: str | None = None) -> None:
    legacy_pages.leave_folder_mode()
    st.session_state["_kinmon_terms_seen"] = set()  # abbreviations are spelled out again on each page
    st.title(title)
    if intro:
        st.caption(intro)


def freshness_line() -> None:
    """Say how fresh the data is: the snapshot's date and each source's last successful run."""
    fresh = reads.freshness()
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
        src = reads.sources_for(tuple(sorted({str(s) for s in source_ids if not blank(s)})))
    else:
        src = reads.sources(like)
    src = primary_first(src)
    lines = []
    for _, s in src.head(FOOTER_SOURCES).iterrows():
        title = md_escape(s["title"])
        link = f"[{title}]({link_target(s['url'])})" if sanitize.safe_href(s["url"]) else title
        lines.append(f"- {md_escape(s['publisher'])}: {link}. {md_escape(s['licence'])}. "
                     f"Retrieved {fmt_date(s['retrieved_at'])}.")
    extra = 0
    if rows is not None and len(rows):
        linked = rows.dropna(subset=["url"]).drop_duplicates("url")
        linked = linked[linked["url"].map(lambda u: sanitize.safe_href(u) is not None)]
        room = max(0, FOOTER_SOURCES - len(lines))
        for _, r in linked.head(room).iterrows():
            lines.append(f"- [{text_or(r['title'], 'source')}]({link_target(r['url'])})")
        extra = max(0, len(linked) - room)
    more = max(0, len(src) - FOOTER_SOURCES) + extra
    held = set(src["licence"]) if len(src) else set()
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
        for attribution, url in licences.attributions_for(held):
            st.caption(f"{attribution} [Licence]({url})")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_row(shown: pd.DataFrame, name: str, title: str, *, full: pd.DataFrame | None = None,
                 full_query: tuple[Callable, tuple] | None = None, filters: dict | None = None,
                 key: str | None = None) -> None:
    """Download what is shown (CSV, XLSX, CSV+README zip) and, where different, the full table: `full` when
    the page holds it already, or `full_query`, a kinmon.queries function and its arguments, for a full
    table too big to fetch with the page (read and built when its button is clicked, kinmon.downloads).

    Files are built when a button is clicked (Streamlit calls the function then), not on every rerun.
    """
    key = key or name
    src = reads.sources_for(tuple(source_ids(full if full is not None else shown)))
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
    if full_query is not None:
        fn, args = full_query
        path = ensure_store()
        buttons += [
            (label, downloads.query_file(path, fn, args, fmt, f"{name}-full", title + " (full table)"),
             f"{name}-full.{fmt}", mime, help_text + " (built when you click)")
            for label, fmt, mime, help_text in (("Full CSV", "csv", "text/csv", "Every row, not only those shown"),
                                                ("Full XLSX", "xlsx", XLSX_MIME, "Every row, with a README sheet"))]
    row = st.container(horizontal=True)
    for label, build, filename, mime, help_text in buttons:
        row.download_button(label, build, filename, mime, key=f"{key}-{filename}", help=help_text,
                            icon=":material/download:", on_click="ignore")
    with st.expander("Cite this"):
        st.code(exports.citation(title, src, url=view_url), language=None, wrap_lines=True)


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
    fresh = reads.freshness()
    dates = [str(r["cursor"]) if r["source"] == "snapshot" else pd.Timestamp(r["last_success"]).date().isoformat()
             for _, r in fresh.iterrows()]
    return max(dates) if dates else "unknown"


def chart(fig: go.Figure | figures.FigureCall, name: str, *, key: str | None = None) -> None:
    """Show a figure, stamped with its data date, with PNG and SVG downloads for publication. Given
    `ui.figure(builder, *args)`, the finished figure is built once and shared (kinmon.ui.figures)."""
    from kinmon.charts import images

    # the image browser starts at the first PNG or SVG asked for (about 2 s), not with the page: a page
    # render never pays its start-up, and a server nobody exports from never holds its memory
    stamp = f"kinmon · data as of {data_as_of()}"
    if isinstance(fig, figures.FigureCall):
        fig = figures.shown(fig, stamp, lambda built: images.stamp(escape_text(built), stamp))
    else:
        fig = images.stamp(escape_text(fig), stamp)
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
