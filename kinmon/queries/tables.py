"""The ready-made download tables (the Data page's list and `kinmon export`): each table's name, title
and the query that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import duckdb
import pandas as pd

from kinmon.queries import core, parliament, statistics


@dataclass(frozen=True)
class TableSpec:
    title: str
    query: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]


TABLES: dict[str, TableSpec] = {
    "questions": TableSpec("Written questions on kinship care", parliament.questions_export),
    "statements": TableSpec("Written ministerial statements on kinship care", parliament.statements_export),
    "debates": TableSpec("Debates on kinship care", parliament.debates_export),
    "members": TableSpec("Members of Parliament and peers", parliament.members_export),
    "observations": TableSpec("Published statistics on kinship care", statistics.observations_export),
    "commitments": TableSpec("Government commitments on kinship care and their status", core.commitments_export),
    "priorities": TableSpec("The Kinship Care Alliance's seven priorities", core.priorities_export),
}


def frame(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """Table `name`, one row per record, as downloaded."""
    return TABLES[name].query(con)
