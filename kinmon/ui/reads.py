"""Every store read a page makes, as a cached function: `reads.priorities()` runs
kinmon.queries.core.priorities on the published store, cached for every session until a new store is
published (kinmon.ui.connection.cached_query). Pages call these, never a query with a connection of their
own; a new read is one line here."""

from __future__ import annotations

import pandas as pd

from kinmon import search
from kinmon.queries import asks, core, members, parliament, preview, records, statistics, status
from kinmon.queries import sources as view_sources
from kinmon.ui.connection import cached_query, ensure_store

# kinmon.queries.core
attention_by_quarter = cached_query(core.attention_by_quarter)
changes_count = cached_query(core.changes_count)
changes_since = cached_query(core.changes_since)
commitments = cached_query(core.commitments)
commitments_export = cached_query(core.commitments_export)
event_types = cached_query(core.event_types)
evidence = cached_query(core.evidence)
freshness = cached_query(core.freshness)
glossary = cached_query(core.glossary)
indicator_values = cached_query(core.indicator_values)
indicators = cached_query(core.indicators)
ingest_runs = cached_query(core.ingest_runs)
last_rating_change = cached_query(core.last_rating_change)
latest_evidence = cached_query(core.latest_evidence)
licences_in_use = cached_query(core.licences_in_use)
parliament_counts = cached_query(core.parliament_counts)
priorities = cached_query(core.priorities)
rating_changes = cached_query(core.rating_changes)
sources = cached_query(core.sources)
status_history = cached_query(core.status_history)
status_mix = cached_query(core.status_mix)
status_scale = cached_query(core.status_scale)
table_inventory = cached_query(core.table_inventory)
tagged_debates = cached_query(core.tagged_debates)
tagged_questions = cached_query(core.tagged_questions)
tagged_source_ids = cached_query(core.tagged_source_ids)
timeline = cached_query(core.timeline)
undated_tagged = cached_query(core.undated_tagged)

# kinmon.queries.parliament
answer_times_by_department = cached_query(parliament.answer_times_by_department)
answer_times_by_month = cached_query(parliament.answer_times_by_month)
holding_answers = cached_query(parliament.holding_answers)
holding_answers_count = cached_query(parliament.holding_answers_count)
latest_debates = cached_query(parliament.latest_debates)
latest_questions = cached_query(parliament.latest_questions)
latest_statements = cached_query(parliament.latest_statements)
named_day_late = cached_query(parliament.named_day_late)
named_day_late_count = cached_query(parliament.named_day_late_count)
parliament_source_ids = cached_query(parliament.parliament_source_ids)
question_date_range = cached_query(parliament.question_date_range)
question_summary = cached_query(parliament.question_summary)
questions_by = cached_query(parliament.questions_by)
questions_export = cached_query(parliament.questions_export)
questions_per_month = cached_query(parliament.questions_per_month)

# kinmon.queries.records
answer_passages = cached_query(records.answer_passages)
debate = cached_query(records.debate)
grouped = cached_query(records.grouped)
question = cached_query(records.question)
questions_saying_something_new = cached_query(records.questions_saying_something_new)
revisions = cached_query(records.revisions)
statement = cached_query(records.statement)
tag_reasons = cached_query(records.tag_reasons)

# kinmon.queries.members
appg = cached_query(members.appg)
member_activity = cached_query(members.member_activity)
parties = cached_query(members.parties)
questions_by_party_over_time = cached_query(members.questions_by_party_over_time)
westminster_hall_debates = cached_query(members.westminster_hall_debates)

# kinmon.queries.asks
find_members = cached_query(asks.find_members)
member_asks = cached_query(asks.member_asks)
member_questions = cached_query(asks.member_questions)
member_westminster_hall = cached_query(asks.member_westminster_hall)

# kinmon.queries.statistics
breakdowns = cached_query(statistics.breakdowns)
geographies = cached_query(statistics.geographies)
geography_notes = cached_query(statistics.geography_notes)
la_comparison = cached_query(statistics.la_comparison)
la_periods = cached_query(statistics.la_periods)
measures = cached_query(statistics.measures)
series_info = cached_query(statistics.series_info)
series_values = cached_query(statistics.series_values)
vintage_changes = cached_query(statistics.vintage_changes)

# the sources of a view (kinmon.queries.sources)
sources_for = cached_query(view_sources.sources_for)

# search (kinmon.search)
search_results = cached_query(search.results)
search_options = cached_query(search.options)
search_facet = cached_query(search.facet)
search_facets = cached_query(search.facets)

# kinmon.queries.preview
head = cached_query(preview.head)
ready_table_rows = cached_query(preview.ready_table_rows)

# kinmon.queries.status: what the store records per source (rows held, its runs), per store version
stored_status = cached_query(status.stored_status)


# Not cached whole: the run journal beside the store changes without a publish (a failed run publishes nothing).


def source_status() -> pd.DataFrame:
    """Rows held, last successful and failed run of each source (kinmon.queries.status): the store's part cached
    on its version, the run journal read afresh."""
    return status.source_status(ensure_store(), stored_status())


def failed_runs() -> pd.DataFrame:
    """The runs that failed or were interrupted, from the run journal (kinmon.queries.status)."""
    return status.failed_runs(ensure_store())
