"""Read model for published statistics: measures, series by place, LA comparisons, vintages, export.

Live EES values and the curated figures loaded from data/figures.csv are ordinary observations
here. They can describe the same period in different words (EES "2024" + "Reporting year", a
curated "2024-03-31"), so a period is identified by its `period_end` (its time_period where it has
no end date). When several releases give a value for one period, place and breakdown, the latest
vintage is the one from the newest dated release, then the one flagged is_latest, then the most
recently retrieved.

Councils: a place whose only predecessor passed wholly to it (North Yorkshire's county code
E10000023 becoming E06000065) is one continuous series; earlier years are shown under the old code
and say so. A council made from a split or a merger starts afresh and carries a note instead.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

ENGLAND = "E92000001"


def _level_order(column: str) -> str:
    return f"CASE {column} WHEN 'National' THEN 0 WHEN 'Regional' THEN 1 WHEN 'Local authority' THEN 2 ELSE 3 END"


# Rows of one series with release facts; `slot` names the period whatever words described it.
_OBS = """
    SELECT o.*, coalesce(CAST(o.period_end AS VARCHAR), o.time_period) AS slot,
           r.title AS release_title, r.published_on, r.published_note, r.url AS release_url, r.newer_available,
           src.publisher AS source_publisher, src.licence, src.licence_url,
           coalesce(o.source_url, r.url, src.url) AS shown_source_url
    FROM observation o
    LEFT JOIN release r USING (release_id)
    LEFT JOIN source src ON src.source_id = o.source_id
"""
_NEWEST_FIRST = "published_on DESC NULLS LAST, is_latest DESC, retrieved_at DESC, release_id DESC"
_OLDEST_FIRST = "is_latest ASC, published_on ASC NULLS FIRST, retrieved_at ASC, release_id ASC"

# Predecessors that continue into a code: their only successor is it, and it has no other predecessor.
_CONTINUOUS_PREDECESSORS = """
    SELECT g.code, g.name, g.valid_to FROM geography g
    WHERE string_split(g.successor_code, ';') = [?]
      AND (SELECT count(*) FROM geography h WHERE list_contains(string_split(h.successor_code, ';'), ?)) = 1
"""
_SHOWN_COLUMNS = """
    series_id, time_period, time_identifier, period_end, geographic_level, geography_code, geography_name,
    filter_key, CAST(filters AS VARCHAR) AS filters, indicator, value, value_text, suppression, unit,
    release_id, release_title, published_on, published_note, is_latest, newer_available, source_publisher, licence,
    shown_source_url AS source_url, retrieved_at, notes, source_id
"""


def display_value(value: float | None, value_text: str | None, suppression: str | None) -> str:
    """How a value is shown: its suppression code ('c'), its words, or the number; never 0 for a gap."""
    if _present(suppression):
        return str(suppression)
    if _present(value_text):
        return str(value_text)
    if not _present(value):
        return "no value published"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NA \
        and value is not pd.NaT and value != ""


def observations_export(con: duckdb.DuckDBPyConnection, series_id: str | None = None) -> pd.DataFrame:
    """Every stored value (or one series' values), one row each, with plain headers a spreadsheet user
    reads: Value is a number (empty when suppressed), Suppressed the code, Label the value as shown,
    and each row's release, publication date and source. `Source id` (last) is for the README."""
    return con.execute(f"""
        SELECT o.series_id AS "Series", s.title AS "Series title", o.time_period AS "Period",
               o.period_end AS "Period ends", o.geographic_level AS "Level", o.geography_name AS "Area",
               o.geography_code AS "Area code", CAST(o.filters AS VARCHAR) AS "Breakdown", o.indicator AS "Indicator",
               o.value AS "Value", o.suppression AS "Suppressed", o.value_text AS "Published in words",
               o.unit AS "Unit", o.release_title AS "Release", o.published_on AS "Published",
               o.is_latest AS "Latest release", o.source_publisher AS "Publisher", o.shown_source_url AS "Source",
               o.licence AS "Licence", o.retrieved_at AS "Retrieved", o.release_id AS "Release id",
               o.source_id AS "Source id"
        FROM ({_OBS}) o LEFT JOIN series s USING (series_id)
        WHERE ? IS NULL OR o.series_id = ?
        ORDER BY o.series_id, {_level_order('o.geographic_level')}, o.geography_code,
                 o.filter_key, o.slot, o.published_on NULLS FIRST, o.release_id
    """, [series_id, series_id]).df()


def releases_shown(values: pd.DataFrame) -> pd.DataFrame:
    """The releases of the values in a frame (from series_values or la_comparison), newest first:
    publisher, release title, publication date and why, URL, licence."""
    cols = ["source_publisher", "release_title", "published_on", "published_note", "source_url", "licence"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    found = values[cols].drop_duplicates(subset=["source_publisher", "release_title", "published_on"])
    return found.sort_values("published_on", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def measures(con: duckdb.DuckDBPyConnection, include_context: bool = True) -> pd.DataFrame:
    """The series that have values: title, unit, priorities, levels covered, periods and latest release."""
    return con.execute("""
        SELECT s.series_id, s.title, s.unit, s.description, s.priorities, s.publisher, s.is_context,
               count(*) AS n_values,
               list_sort(list_distinct(list(o.geographic_level))) AS geographic_levels,
               count(DISTINCT o.geography_code) FILTER (WHERE o.geographic_level = 'Local authority') AS n_local_authorities,
               min(o.period_end) AS first_period_end, max(o.period_end) AS last_period_end,
               max(r.published_on) AS latest_published_on
        FROM series s JOIN observation o USING (series_id) LEFT JOIN release r USING (release_id)
        WHERE ? OR NOT s.is_context
        GROUP BY ALL
        ORDER BY s.is_context, s.title
    """, [include_context]).df()


def series_info(con: duckdb.DuckDBPyConnection, series_id: str) -> dict | None:
    """A series' description and the release its latest values come from (newest dated first)."""
    row = con.execute(f"""
        SELECT s.series_id, s.title, s.unit, s.description, s.priorities, s.publisher, s.is_context,
               o.release_id, o.release_title, o.published_on, o.release_url, o.newer_available,
               o.source_publisher, o.licence, o.licence_url, o.shown_source_url AS source_url, o.retrieved_at
        FROM series s LEFT JOIN ({_OBS}) o ON o.series_id = s.series_id AND o.is_latest
        WHERE s.series_id = ?
        ORDER BY o.published_on DESC NULLS LAST, o.retrieved_at DESC, o.release_id DESC
        LIMIT 1
    """, [series_id]).fetchdf()
    return None if row.empty else row.iloc[0].to_dict()


def geographies(con: duckdb.DuckDBPyConnection, series_id: str) -> pd.DataFrame:
    """Places with values in a series: National, then regions, then councils by name.

    A former council whose values continue under its successor's code is left out: choosing the
    successor shows them. `label` says when a council stopped existing.
    """
    return con.execute(f"""
        WITH places AS (
            SELECT geographic_level, geography_code, any_value(geography_name ORDER BY retrieved_at DESC) AS seen_name,
                   count(*) AS n_values
            FROM observation WHERE series_id = ? GROUP BY ALL
        )
        SELECT p.geographic_level, p.geography_code, coalesce(g.name, p.seen_name) AS geography_name,
               coalesce(g.name, p.seen_name)
                 || CASE WHEN g.valid_to IS NOT NULL THEN ' (until ' || year(g.valid_to) || ')' ELSE '' END AS label,
               g.valid_from, g.valid_to, p.n_values
        FROM places p LEFT JOIN geography g ON g.code = p.geography_code
        WHERE NOT (g.successor_code IS NOT NULL AND len(string_split(g.successor_code, ';')) = 1
                   AND (SELECT count(*) FROM geography h WHERE h.successor_code = g.successor_code) = 1
                   AND EXISTS (SELECT 1 FROM places q WHERE q.geography_code = g.successor_code))
        ORDER BY {_level_order('p.geographic_level')},
                 p.geography_code <> '{ENGLAND}', label
    """, [series_id]).df()


def breakdowns(con: duckdb.DuckDBPyConnection, series_id: str) -> pd.DataFrame:
    """The series' breakdowns (filter_key, '' when the series has none) and how many values each has."""
    return con.execute(
        "SELECT filter_key, count(*) AS n_values FROM observation WHERE series_id = ? GROUP BY 1 ORDER BY 1",
        [series_id]).df()


def _codes_for(con: duckdb.DuckDBPyConnection, code: str) -> list[str]:
    return [code] + [r[0] for r in con.execute(_CONTINUOUS_PREDECESSORS, [code, code]).fetchall()]


def series_values(con: duckdb.DuckDBPyConnection, series_id: str, geography_code: str = ENGLAND, *,
                  filter_key: str = "", all_vintages: bool = False, start: date | None = None,
                  end: date | None = None) -> pd.DataFrame:
    """One place's values over time: the latest vintage of each period, or every vintage.

    Values recorded under a predecessor's code are included where the council continued, with
    `recorded_as` naming the code they were published under. `start`/`end` bound period_end.
    """
    codes = _codes_for(con, geography_code)
    rows = con.execute(f"""
        WITH o AS ({_OBS}),
        picked AS (
            SELECT *, CASE WHEN geography_code = ? THEN NULL
                           ELSE geography_name || ' (' || geography_code || ')' END AS recorded_as,
                   row_number() OVER (PARTITION BY slot
                                      ORDER BY geography_code = ? DESC, {_NEWEST_FIRST}) AS pick
            FROM o
            WHERE series_id = ? AND filter_key = ? AND list_contains(?, geography_code)
              AND (? IS NULL OR period_end >= ?) AND (? IS NULL OR period_end <= ?)
        )
        SELECT {_SHOWN_COLUMNS}, slot, recorded_as, pick = 1 AS is_shown_vintage
        FROM picked WHERE ? OR pick = 1
        ORDER BY period_end NULLS FIRST, slot, {_OLDEST_FIRST}
    """, [geography_code, geography_code, series_id, filter_key, codes, start, start, end, end,
          all_vintages]).df()
    rows["display"] = [display_value(v, t, s) for v, t, s in zip(rows["value"], rows["value_text"], rows["suppression"])]
    return rows


def la_periods(con: duckdb.DuckDBPyConnection, series_id: str, filter_key: str = "") -> list[date]:
    """The period ends with local authority values, newest first: the choices for a comparison."""
    return [r[0] for r in con.execute(
        """SELECT DISTINCT period_end FROM observation
           WHERE series_id = ? AND filter_key = ? AND geographic_level = 'Local authority' AND period_end IS NOT NULL
           ORDER BY 1 DESC""", [series_id, filter_key]).fetchall()]


def la_comparison(con: duckdb.DuckDBPyConnection, series_id: str, period_end: date | None = None, *,
                  filter_key: str = "") -> pd.DataFrame:
    """Every council's latest-vintage value for one period (default: the latest), ranked highest first.

    Suppressed councils are kept, ranked last with their code, never as 0.
    """
    if period_end is None:
        periods = la_periods(con, series_id, filter_key)
        if not periods:
            return con.execute(f"SELECT {_SHOWN_COLUMNS}, NULL AS rank FROM ({_OBS}) WHERE false").df()
        period_end = periods[0]
    rows = con.execute(f"""
        WITH o AS ({_OBS}),
        picked AS (
            SELECT *, row_number() OVER (PARTITION BY geography_code ORDER BY {_NEWEST_FIRST}) AS pick
            FROM o WHERE series_id = ? AND filter_key = ? AND geographic_level = 'Local authority' AND period_end = ?
        )
        SELECT {_SHOWN_COLUMNS},
               CASE WHEN value IS NOT NULL THEN rank() OVER (ORDER BY value DESC NULLS LAST) END AS rank
        FROM picked WHERE pick = 1
        ORDER BY value DESC NULLS LAST, geography_name
    """, [series_id, filter_key, period_end]).df()
    rows["display"] = [display_value(v, t, s) for v, t, s in zip(rows["value"], rows["value_text"], rows["suppression"])]
    return rows


def vintage_changes(con: duckdb.DuckDBPyConnection, series_id: str, geography_code: str = ENGLAND, *,
                    filter_key: str = "") -> pd.DataFrame:
    """Where a later release restated an earlier one's value for a period: before, after and change."""
    rows = con.execute(f"""
        WITH o AS ({_OBS}),
        ordered AS (
            SELECT slot, period_end, time_period, release_id, release_title, published_on, value, value_text, suppression,
                   lag(release_id) OVER w AS earlier_release_id, lag(release_title) OVER w AS earlier_release_title,
                   lag(published_on) OVER w AS earlier_published_on, lag(value) OVER w AS earlier_value,
                   lag(value_text) OVER w AS earlier_value_text, lag(suppression) OVER w AS earlier_suppression
            FROM o WHERE series_id = ? AND geography_code = ? AND filter_key = ?
            WINDOW w AS (PARTITION BY slot ORDER BY {_OLDEST_FIRST})
        )
        SELECT slot, period_end, time_period, earlier_release_id, earlier_release_title, earlier_published_on,
               earlier_value, earlier_value_text, earlier_suppression,
               release_id AS later_release_id, release_title AS later_release_title, published_on AS later_published_on,
               value AS later_value, value_text AS later_value_text, suppression AS later_suppression,
               value - earlier_value AS change
        FROM ordered
        WHERE earlier_release_id IS NOT NULL
          AND (value IS DISTINCT FROM earlier_value OR suppression IS DISTINCT FROM earlier_suppression
               OR value_text IS DISTINCT FROM earlier_value_text)
        ORDER BY period_end NULLS FIRST, slot, later_published_on NULLS FIRST
    """, [series_id, geography_code, filter_key]).df()
    for side in ("earlier", "later"):
        rows[f"{side}_display"] = [display_value(v, t, s) for v, t, s in
                                   zip(rows[f"{side}_value"], rows[f"{side}_value_text"], rows[f"{side}_suppression"])]
    return rows


def geography_notes(con: duckdb.DuckDBPyConnection, code: str) -> list[str]:
    """Plain words on a council's reorganisation: what it became, or what it was made from."""
    notes = []
    me = con.execute("SELECT name, valid_from, valid_to, successor_code FROM geography WHERE code = ?", [code]).fetchone()
    if me is None:
        return notes
    name, valid_from, valid_to, successors = me
    names = dict(con.execute("SELECT code, name FROM geography").fetchall())
    if valid_to and successors:
        parts = successors.split(";")
        listed = _and_list([f"{names.get(s, s)} ({s})" for s in parts])
        if len(parts) == 1 and code in [c for c, *_ in con.execute(_CONTINUOUS_PREDECESSORS, [parts[0], parts[0]]).fetchall()]:
            notes.append(f"{name} ({code}) was replaced on {valid_to + _DAY:%-d %B %Y} by {listed}, which covers the "
                         "same area: its values continue under the new code.")
        else:
            notes.append(f"{name} ({code}) was abolished on {valid_to:%-d %B %Y}; its area passed to {listed}, so its "
                         "figures are not directly comparable with theirs.")
    preds = con.execute(
        "SELECT code, name, successor_code FROM geography WHERE list_contains(string_split(successor_code, ';'), ?) "
        "ORDER BY name", [code]).fetchall()
    continuous = [c for c, *_ in con.execute(_CONTINUOUS_PREDECESSORS, [code, code]).fetchall()]
    when = f" on {valid_from:%-d %B %Y}" if valid_from else ""
    if continuous:
        p = next(p for p in preds if p[0] == continuous[0])
        notes.append(f"{name} took over from {p[1]} ({p[0]}){when}, covering the same area: earlier values are shown "
                     f"under the old code.")
    elif preds:
        listed = _and_list([f"{p[1]} ({p[0]})" for p in preds])
        split = [len(p[2].split(";")) > 1 for p in preds]
        how = "the split of" if all(split) else "the merger of" if not any(split) else "the reorganisation of"
        notes.append(f"{name} was created{when} by {how} {listed}: earlier years are not comparable and are not "
                     f"shown as {name}.")
    return notes


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_DAY = timedelta(days=1)
