"""The pages' deferred downloads: nothing built until called, then the right file, built once per store version."""

import csv
import io
import zipfile

import pytest

from kinmon import downloads, search, store
from kinmon.queries import parliament as pq
from kinmon.queries import preview, tables


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_ready_made_table_is_built_when_called_and_once(snapshot_store, monkeypatch):
    built = []
    real = downloads.tables.frame
    monkeypatch.setattr(downloads.tables, "frame", lambda con, name: built.append(name) or real(con, name))
    downloads._build.cache_clear()
    make = downloads.table_file(snapshot_store, "questions", "csv")
    assert built == []  # handing the button its function builds nothing
    first = make()
    rows = _csv_rows(first)
    assert len(rows) == 122 and {"id", "heading", "source_id"} <= set(rows[0])
    assert make() is first and built == ["questions"]  # the second click (or reader) gets the same bytes
    pack = zipfile.ZipFile(io.BytesIO(downloads.table_file(snapshot_store, "questions", "zip")()))
    assert any(n.endswith(".csv") for n in pack.namelist()) and any("README" in n for n in pack.namelist())
    with pytest.raises(ValueError):
        downloads.table_file(snapshot_store, "nope", "csv")
    with pytest.raises(ValueError):
        downloads.table_file(snapshot_store, "questions", "exe")


def test_a_query_download_holds_every_row_of_the_view(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        expected = pq.questions_export(con, None, None, 2, None)
        head = pq.questions_export(con, None, None, 2, None, limit=5)
        every = search.export_rows(con, "kinship", (("item_types", ("question",)),))
        first_rows = preview.head(con, "written_question", 3)
    finally:
        con.close()
    assert len(head) == 5 and list(head["id"]) == list(expected["id"][:5])
    rows = _csv_rows(downloads.query_file(snapshot_store, pq.questions_export, (None, None, 2, None), "csv",
                                          "q", "Questions")())
    assert [int(r["id"]) for r in rows] == list(expected["id"])
    found = _csv_rows(downloads.query_file(snapshot_store, search.export_rows,
                                           ("kinship", (("item_types", ("question",)),)), "csv", "s", "Search")())
    assert len(found) == len(every) > 0 and "text_a" not in found[0]
    assert len(first_rows) == 3


def test_a_preview_shows_a_binary_column_as_its_size(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        shown = preview.head(con, "search_index_file", 200)
    finally:
        con.close()
    assert "data (bytes)" in shown.columns and "data" not in shown.columns
    assert (shown["data (bytes)"] > 0).all()


def test_ready_made_table_sizes_are_counted_without_building_them(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        counts = preview.ready_table_rows(con)
        assert set(counts) == set(tables.TABLES)
        for name in counts:
            assert counts[name] == len(tables.frame(con, name)), name
    finally:
        con.close()
