"""The dashboard's Streamlit helpers, one job per module; pages write `from kinmon import ui` and call
`ui.<name>`, and read the store through `kinmon.ui.reads`.

- connection: the read-only store connection, first-start build, and `cached_query` (a kinmon.queries
  function cached per store version, shared by every session)
- reads: every store read a page makes, as a cached function (`reads.priorities()`)
- text: escaping upstream text for st.markdown, and numbers, sizes, dates and abbreviations in words
- tables: st.dataframe with plain column names and a dash for each missing value
- filters: filters bound to the page's URL (url_selectbox, url_date, ...)
- furniture: page header, freshness line, source footer, download row with citation, charts
- figures: chart figures built once and shared by every session (`ui.chart(ui.figure(builder, *args), name)`)
- legacy_pages: the one workaround for Streamlit's old pages/ folder mode (why: see its docstring)
"""

from kinmon.licences import OGL_ATTRIBUTION, OPL_ATTRIBUTION
from kinmon.ui import reads
from kinmon.ui.connection import cached_query, db_path, ensure_store
from kinmon.ui.figures import figure
from kinmon.ui.filters import (parse_iso_date, url_date, url_date_text, url_multiselect, url_selectbox, url_text,
                               url_toggle)
from kinmon.ui.furniture import (FOOTER_SOURCES, PRIMARY_PUBLISHERS, XLSX_MIME, chart, current_view_url, data_as_of,
                                 download_row, freshness_line, page_header, primary_first, source_footer)
from kinmon.ui.tables import COLUMN_LABELS, LONG_TEXT, MISSING, for_display, plain_label, table
from kinmon.ui.text import (ABBREVIATIONS, blank, expand_terms, flag, fmt_date, human_size, link_target, md_escape,
                            plural, priority_list, text_or)

__all__ = [
    "ABBREVIATIONS", "COLUMN_LABELS", "FOOTER_SOURCES", "LONG_TEXT", "MISSING", "OGL_ATTRIBUTION", "OPL_ATTRIBUTION",
    "PRIMARY_PUBLISHERS", "XLSX_MIME", "blank", "cached_query", "chart", "current_view_url", "data_as_of", "db_path",
    "download_row", "ensure_store", "expand_terms", "figure", "flag", "fmt_date", "for_display", "freshness_line", "human_size",
    "link_target", "md_escape", "page_header", "parse_iso_date", "plain_label", "plural", "primary_first", "priority_list", "reads",
    "source_footer", "table", "text_or", "url_date", "url_date_text", "url_multiselect", "url_selectbox", "url_text",
    "url_toggle",
]
