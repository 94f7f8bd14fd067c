"""DfE's real files (../shared/reference/ees/real): the shipped extract is exactly what they give, `ingest file`
loads each with its release and fills the registered series, both column schemas are read, codes stay codes,
and no DfE series in the snapshot cites a second-hand source."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import rows

from kinmon import exports, snapshot, store
from kinmon.config import DATA_DIR
from kinmon.ingest.extract import (DEFAULT_SOURCE, EXTRACT_COLUMNS, RELEASE_COLUMNS, build_extract, to_csv,
                                   write_extract)
from kinmon.ingest.geography import read_geography
from kinmon.ingest.registry import load_registry, series_rows
from kinmon.ingest.statistics import ingest_file
from kinmon.queries import sources, tables
from kinmon.queries import statistics as q
from kinmon.tidy import GeographyResolver, parse_csv

REAL = DEFAULT_SOURCE
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"DfE's real files are not at {REAL} (../shared is absent)")
CEASED_2024 = REAL / "la_children_who_ceased_during_the_year_2024_release.csv"
CLA_2025 = REAL / "cla_number_and_rate_per_10k_children_2025_release.csv"
SGO = "cla_ceased_special_guardianship_order"
GOVERNMENT_HOSTS = ("gov.uk", "parliament.uk")


def spec(series_id: str):
    return next(s for s in load_registry() if s.series_id == series_id)


def sgo_values(table) -> dict[tuple[str, str], float | str]:
    picked, _, column, note = series_rows(spec(SGO), table)
    assert note is None, note
    return {(r.time_period, r.geography_code): r.values[column].value if r.values[column].value is not None
            else r.values[column].suppression for r in picked}


@needs_real
def test_the_shipped_extract_is_exactly_what_the_real_files_give():
    values, files = build_extract(REAL)
    assert to_csv(values, EXTRACT_COLUMNS) == (DATA_DIR / "statistics_extract.csv").read_text(encoding="utf-8")
    assert to_csv(files, RELEASE_COLUMNS) == (DATA_DIR / "statistics_extract_releases.csv").read_text(encoding="utf-8")


@needs_real
def test_extract_statistics_command_writes_the_same_files(tmp_path):
    from kinmon.cli import main

    assert main(["extract-statistics", "--source", str(REAL), "--output", str(tmp_path)]) == 0
    for name in ("statistics_extract.csv", "statistics_extract_releases.csv"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes()


@needs_real
def test_a_changed_file_is_refused_by_the_extract(tmp_path):
    for f in REAL.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / CEASED_2024.name).write_bytes(CEASED_2024.read_bytes().replace(b"3860", b"3861", 1))
    with pytest.raises(ValueError, match="la_children_who_ceased_during_the_year_2024_release.csv: its sha256 is not "
                                         "the registered eca2b256c8d6...: the file changed"):
        write_extract(tmp_path, tmp_path)


@needs_real
def test_the_2024_schema_fills_the_sgo_series_with_exact_values_for_england_and_a_council():
    resolver = GeographyResolver(read_geography())
    table = parse_csv(CEASED_2024.read_bytes(), CEASED_2024.name, geography=resolver)
    assert table.filters == ["cla_group", "characteristic"] and "number" in table.indicators
    got = sgo_values(table)
    assert [got[(p, "E92000001")] for p in ("2020", "2021", "2022", "2023", "2024")] == [3720, 3820, 3910, 3860, 3860]
    assert [got[(p, "E06000001")] for p in ("2020", "2021", "2022", "2023", "2024")] == [24, 20, 20, 33, 27]  # Hartlepool
    assert got[("2024", "E06000036")] == "c" and got[("2024", "E10000006")] == "z"  # codes stay codes, never 0


@needs_real
def test_the_2025_schema_and_label_fill_the_same_series():
    """The 2025 release renames cla_group -> characteristic, characteristic -> breakdown, number -> children_count
    and 'Special guardianship orders' -> 'Special guardianship order': the same rows, renamed, give the same values."""
    text = CEASED_2024.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    renamed = {"cla_group": "characteristic", "characteristic": "breakdown", "number": "children_count",
               "percentage": "children_percent"}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([renamed.get(h, h) for h in header])
    for row in reader:
        w.writerow(["Special guardianship order" if c == "Special guardianship orders" else c for c in row])
    resolver = GeographyResolver(read_geography())
    new = parse_csv(out.getvalue().encode(), "la_children_who_ceased_during_the_year.csv", geography=resolver)
    old = parse_csv(CEASED_2024.read_bytes(), CEASED_2024.name, geography=resolver)
    assert sgo_values(new) == sgo_values(old)
    _, _, column, _ = series_rows(spec(SGO), new)
    assert column == "children_count"


def test_a_file_of_the_publication_without_the_series_columns_says_what_was_looked_for_and_found():
    table = parse_csv("time_period,time_identifier,geographic_level,country_code,country_name,reason,count\n"
                      "2024,Reporting year,National,E92000001,England,SGO,10\n", "la_children_who_ceased_2026.csv")
    picked, _, _, note = series_rows(spec(SGO), table)
    assert picked is None
    assert note == (
        "cla_ceased_special_guardianship_order: la_children_who_ceased_2026.csv matches its file names but not its "
        "columns: looked for indicator 'number' with cla_group in ['Reason episode ceased']; characteristic in "
        "['Special guardianship order', 'Special guardianship orders'] or indicator 'children_count' with "
        "characteristic in ['Reason episode ceased']; breakdown in ['Special guardianship order', "
        "'Special guardianship orders']; found indicators ['count'] and filters ['reason']")
    labels = parse_csv("time_period,time_identifier,geographic_level,country_code,country_name,cla_group,"
                       "characteristic,number\n2024,Reporting year,National,E92000001,England,Reason episode ceased,"
                       "Special guardianship (kin),10\n", "la_children_who_ceased_2026.csv")
    picked, _, _, note = series_rows(spec(SGO), labels)
    assert picked == [] and note.endswith("(labels found: {'cla_group': ['Reason episode ceased'], "
                                          "'characteristic': ['Special guardianship (kin)']})")


@needs_real
def test_the_bom_file_and_the_period_shapes():
    assert CLA_2025.read_bytes()[:3] == b"\xef\xbb\xbf"
    shipped = list(csv.DictReader(open(DATA_DIR / "statistics_extract.csv", encoding="utf-8")))
    cla = {r["time_period"]: r["value"] for r in shipped
           if r["series_id"] == "children_looked_after_31_march" and r["geography_code"] == "E92000001"}
    assert cla == {"2021-03-31": "80780", "2022-03-31": "82090", "2023-03-31": "83750", "2024-03-31": "83530",
                   "2025-03-31": "81770"}
    flows = {s.series_id for s in load_registry() if s.period_type == "flow"}
    assert SGO in flows and "children_looked_after_31_march" not in flows
    for r in shipped:
        shape = r"\d{4}-04-01/\d{4}-03-31" if r["series_id"] in flows else r"\d{4}-(03-31|09-30)"
        assert re.fullmatch(shape, r["time_period"]), r
    codes = {r["suppression"] for r in shipped if r["suppression"]}
    assert {"c", "z", "x", "k", "u"} <= codes
    assert all(r["value"] == "" for r in shipped if r["suppression"])


@needs_real
@pytest.mark.parametrize("path, release, series", [
    (CEASED_2024, "dfe-cla-2024", {SGO, "cla_ceased_residence_or_child_arrangements_order",
                                   "children_ceasing_to_be_looked_after"}),
    (CLA_2025, "dfe-cla-2025", {"children_looked_after_31_march", "children_starting_to_be_looked_after"}),
    (REAL / "b1_children_in_need_2013_to_2025.csv", "dfe-cin-2025", {"children_in_need_at_31_march"}),
    (REAL / "csww_indicators_2017_to_2025.csv", "dfe-csww-2025", {"children_social_workers_in_post_fte"}),
])
def test_ingest_file_on_each_real_file_loads_its_release_and_fills_the_registered_series(
        snapshot_store, tmp_path, path, release, series):
    db = tmp_path / "k.duckdb"
    db.write_bytes(Path(snapshot_store).read_bytes())
    result = ingest_file(db, path)
    assert result.status == "succeeded" and result.rows_updated == 0  # the snapshot holds these rows already
    notes = result.notes.splitlines()
    assert notes[0].startswith(f"{path.name}: matches the registered release {release} ")
    for sid in series:
        assert any(n.startswith(f"{path.name}: filled {sid} from column ") for n in notes), sid
    # every observation from this release: publisher, publication, release title, URL, licence, retrieval time
    assert rows(db, """SELECT count(*) FROM observation o JOIN release r USING (release_id)
                       JOIN source s ON s.source_id = o.source_id
                       WHERE o.release_id = ? AND (s.publisher <> 'Department for Education' OR r.publication IS NULL
                         OR r.title IS NULL OR o.source_url NOT LIKE 'https://explore-education-statistics.service.gov.uk/%'
                         OR s.licence <> 'Open Government Licence v3.0' OR o.retrieved_at IS NULL
                         OR (r.published_on IS NULL AND r.published_note IS NULL))""", [release]) == [(0,)]
    assert rows(db, "SELECT count(*) FROM observation WHERE source_url IS NULL") == [(0,)]


def test_every_dfe_series_in_the_snapshot_cites_only_government_sources(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        cited = con.execute("""
            SELECT o.series_id, coalesce(o.source_url, r.url, s.url) AS url, s.publisher, se.publisher
            FROM observation o JOIN release r USING (release_id) JOIN source s ON s.source_id = o.source_id
            JOIN series se ON se.series_id = o.series_id""").fetchall()
    finally:
        con.close()
    dfe = {sid for sid, url, publisher, series_publisher in cited
           if "Department for Education" in (publisher, series_publisher)}
    assert {SGO, "children_looked_after_31_march", "children_in_need_at_31_march"} <= dfe
    second_hand = sorted({(sid, urlsplit(url).netloc) for sid, url, *_ in cited if sid in dfe and not any(
        urlsplit(url).netloc == h or urlsplit(url).netloc.endswith("." + h) for h in GOVERNMENT_HOSTS)})
    assert second_hand == []
    assert "cla_ceased_special_guardianship_order_as_reported" not in dfe


def test_every_dfe_observation_in_the_snapshot_has_its_release_and_date(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        undated = con.execute("""
            SELECT DISTINCT r.release_id, r.published_note FROM observation o JOIN release r USING (release_id)
            WHERE o.source_url LIKE 'https://explore-education-statistics.service.gov.uk/%' AND r.published_on IS NULL
            ORDER BY 1""").fetchall()
    finally:
        con.close()
    # dated, or undated with the reason said: the workforce release (not in the API) and two data catalogue
    # previews whose release date was not recorded
    assert [r for r, note in undated if not note and not r.startswith("curated-")] == []
    assert ("dfe-csww-2025", "release date not seen: this publication is not in the EES API (UNVERIFIED)") in undated


def test_a_statistics_download_has_numbers_codes_and_plain_headers(snapshot_store):
    from openpyxl import load_workbook

    con = store.connect_readonly(snapshot_store)
    try:
        values = q.series_values(con, SGO, "E92000001")
        table = exports.statistics_table(values)
        readme = exports.readme_lines("SGO", table, sources.sources_for(con, list(table["Source id"].unique())))
    finally:
        con.close()
    assert list(table.columns)[:3] == ["Period", "Period ends", "Area"]
    assert {"Value", "Suppressed", "Label", "Release", "Published", "Source"} <= set(table.columns)
    ws = load_workbook(io.BytesIO(exports.to_xlsx_bytes(table, readme, "sgo")))["sgo"]
    header = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(header)}
    last = [c for c in ws[ws.max_row]]
    assert last[col["Value"]].data_type == "n" and last[col["Value"]].value == 4110
    assert last[col["Label"]].value == "4,110" and last[col["Suppressed"]].value is None
    assert last[col["Published"]].value.date() == date(2025, 11, 26)
    csv_text = exports.to_csv_bytes(table).decode()
    assert "2024-04-01/2025-03-31,2025-03-31,England,E92000001,,4110.0,,\"4,110\"" in csv_text
    releases = [v for k, v in readme if k == "Release"]
    assert releases[0].startswith("Children looked after in England including adoptions, reporting year 2025 "
                                  "(published 26 November 2025)")
    assert releases[1].startswith("Children looked after in England including adoptions, reporting year 2024 "
                                  "(published 14 November 2024)")
    parquet = exports.to_parquet_bytes(table)
    import pandas as pd

    back = pd.read_parquet(io.BytesIO(parquet))
    assert str(back["Value"].dtype) == "float64" and back["Value"].iloc[-1] == 4110.0


def test_snapshot_reader_refuses_an_extract_row_of_an_unknown_release(tmp_path):
    from helpers import copy_snapshot

    data = copy_snapshot(tmp_path / "data")
    path = data / "statistics_extract.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",dfe-cla-2024,", ",dfe-cla-2099,", 1), encoding="utf-8")
    with pytest.raises(snapshot.SnapshotError, match=r"statistics_extract.csv:2: cla_ceased_special_guardianship_order "
                                                     "from dfe-cla-2099 is not in statistics_extract_releases.csv"):
        snapshot.read_snapshot(data)


def test_the_whole_observations_table_readme_names_its_dfe_releases(snapshot_store):
    con = store.connect_readonly(snapshot_store)
    try:
        df = tables.frame(con, "observations")
        readme = exports.readme_lines(tables.TABLES["observations"].title, df, sources.sources_of(con, df))
    finally:
        con.close()
    releases = [v for k, v in readme if k == "Release"]
    assert releases[0].startswith("Children looked after in England including adoptions, reporting year 2025 "
                                  "(published 26 November 2025)")
    assert any(v.startswith("Children's social work workforce, reporting year 2025 (publication date not recorded)")
               for v in releases)
    assert ("Source", "Department for Education: Children in need, reporting year 2025 "
                      "<https://explore-education-statistics.service.gov.uk/find-statistics/children-in-need>") in readme
