"""Data & downloads: every table kinmon holds, as CSV or Parquet, and the whole DuckDB file."""

import streamlit as st

from kinmon import downloads, ui
from kinmon.queries import tables
from kinmon.ui import reads

ui.page_header("Data & downloads",
               "Everything kinmon holds, table by table, as CSV or Parquet, or the whole DuckDB database file. "
               "Each table keeps its source columns; licences are listed below.")
ui.freshness_line()
PREVIEW_ROWS = 200

path = ui.ensure_store()
st.subheader("Sources and their last runs")
ui.table(reads.source_status(),
             column_config={"source": "Source", "rows_held": "Rows held", "last_success": "Last successful run (UTC)",
                            "last_failure": "Last failed run (UTC)", "last_error": "Last error"})

st.subheader("Ready-made tables")
st.caption("The tables most people want, one row per record, with source, licence and retrieval date in a README. "
           "Each file is built when you click, once for every reader until the data is next updated.")
counts = reads.ready_table_rows()
for name, spec in tables.TABLES.items():
    with st.container(border=True):
        st.markdown(f"**{spec.title}** (`{name}`): {ui.plural(counts.get(name, 0), 'row')}")
        row = st.container(horizontal=True)  # wraps onto a second line on a phone, never truncates a label
        row.download_button("CSV", downloads.table_file(path, name, "csv"), f"kinmon-{name}.csv", "text/csv",
                            key=f"t-{name}-csv", on_click="ignore")
        row.download_button("Parquet", downloads.table_file(path, name, "parquet"), f"kinmon-{name}.parquet",
                            "application/octet-stream", key=f"t-{name}-parquet", on_click="ignore")
        row.download_button("CSV + README", downloads.table_file(path, name, "zip"), f"kinmon-{name}.zip",
                            "application/zip", key=f"t-{name}-zip", on_click="ignore")

st.subheader("Every table in the database")
inventory = reads.table_inventory()
bookkeeping = inventory["bookkeeping"].notna()
ui.table(inventory[~bookkeeping][["table", "rows"]], column_config={"table": "Table", "rows": "Rows"})
with st.expander(f"kinmon's own bookkeeping: {ui.plural(int(bookkeeping.sum()), 'table')}, rebuilt from the records"):
    ui.table(inventory[bookkeeping], column_config={"table": "Table", "rows": "Rows", "bookkeeping": "What it is for"})
table = ui.url_selectbox("Table", list(inventory["table"]), key="table")
rows_held = int(inventory.set_index("table")["rows"].get(table, 0))
df = reads.head(table, PREVIEW_ROWS)
st.caption("The table as stored, with its own column names (as in the downloads).")
ui.table(df, column_config={c: c for c in df.columns})
st.caption(f"Showing {min(PREVIEW_ROWS, rows_held):,} of {ui.plural(rows_held, 'row')}.")
c1 = c2 = st.container(horizontal=True)
c1.download_button(f"{table}.csv", downloads.stored_table_file(path, table, "csv"), f"kinmon-{table}.csv", "text/csv",
                   key="raw-csv", on_click="ignore")
c2.download_button(f"{table}.parquet", downloads.stored_table_file(path, table, "parquet"), f"kinmon-{table}.parquet",
                   "application/octet-stream", key="raw-parquet", on_click="ignore")

st.subheader("The whole database")
size = path.stat().st_size
st.download_button(f"kinmon.duckdb · {ui.human_size(size)}", path.read_bytes, "kinmon.duckdb",
                   "application/octet-stream", key="db", on_click="ignore")
st.caption("Open it with DuckDB 1.4: `duckdb kinmon.duckdb`.")

st.subheader("Licences")
ui.table(reads.licences_in_use(),
         column_config={"licence": "Licence", "licence_url": st.column_config.LinkColumn("Licence text", display_text="read"),
                        "sources": "Sources", "publishers": "Publishers"})
ui.source_footer(list(reads.sources(None)["source_id"]), note="every source kinmon holds")
