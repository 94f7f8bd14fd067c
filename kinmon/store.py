"""The DuckDB store: schema and migrations, connections, and build-a-new-file-then-publish writes.

Readers (the dashboard) open the published file read-only. Writers never touch it in place: they copy
it (or start empty) to a temporary file beside it, write there, check it, and publish it with an
atomic rename. A failed or killed write leaves the last good file exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

# Each migration is applied once, in order, and recorded in schema_version. Never edit a published
# migration: append a new one.
MIGRATIONS: list[str] = [
    # 1: the whole domain
    """
    CREATE TABLE source (
        source_id     VARCHAR PRIMARY KEY,
        publisher     VARCHAR NOT NULL,
        title         VARCHAR NOT NULL,
        url           VARCHAR,
        licence       VARCHAR NOT NULL,
        licence_url   VARCHAR,
        retrieved_at  TIMESTAMP NOT NULL
    );

    CREATE TABLE priority (
        priority_id   INTEGER PRIMARY KEY,
        short_title   VARCHAR NOT NULL,
        summary       VARCHAR NOT NULL,
        alliance_ask  VARCHAR NOT NULL,
        source_id     VARCHAR NOT NULL,
        source_url    VARCHAR NOT NULL
    );

    CREATE TABLE member (
        member_id          INTEGER PRIMARY KEY,
        name               VARCHAR NOT NULL,
        list_as            VARCHAR,
        party              VARCHAR,
        party_abbreviation VARCHAR,
        house              VARCHAR,
        member_from        VARCHAR,
        is_current         BOOLEAN,
        thumbnail_url      VARCHAR,
        url                VARCHAR,
        source_id          VARCHAR NOT NULL,
        retrieved_at       TIMESTAMP NOT NULL
    );

    -- A member's party over time, from the Members API history, for "party at the time".
    CREATE TABLE member_party (
        member_id   INTEGER NOT NULL,
        party       VARCHAR NOT NULL,
        start_date  DATE,
        end_date    DATE,
        PRIMARY KEY (member_id, party, start_date)
    );

    -- Keyed on the Parliament API id, never the UIN (UINs restart every session). Curated records
    -- with no known API id carry a negative id and is_curated = true.
    CREATE TABLE written_question (
        id                      BIGINT PRIMARY KEY,
        uin                     VARCHAR,
        house                   VARCHAR,
        date_tabled             DATE,
        date_for_answer         DATE,
        date_answered           DATE,
        date_holding_answer     DATE,
        date_answer_corrected   DATE,
        is_named_day            BOOLEAN,
        is_withdrawn            BOOLEAN,
        answer_is_holding       BOOLEAN,
        answer_is_correction    BOOLEAN,
        heading                 VARCHAR,
        question_text           VARCHAR,
        answer_text             VARCHAR,
        answer_html             VARCHAR,
        text_complete           BOOLEAN NOT NULL DEFAULT true,
        answering_body_id       INTEGER,
        answering_body_name     VARCHAR,
        asking_member_id        INTEGER,
        asking_member_name      VARCHAR,
        asking_member_party     VARCHAR,
        asking_member_from      VARCHAR,
        answering_member_id     INTEGER,
        answering_member_name   VARCHAR,
        answering_member_role   VARCHAR,
        correcting_member_id    INTEGER,
        grouped_questions       VARCHAR[],
        attachment_count        INTEGER,
        attachments             JSON,
        is_curated              BOOLEAN NOT NULL DEFAULT false,
        notes                   VARCHAR,
        url                     VARCHAR,
        source_id               VARCHAR NOT NULL,
        retrieved_at            TIMESTAMP NOT NULL,
        raw                     JSON
    );

    -- Earlier versions of an answer, kept when a correction replaces it.
    CREATE TABLE question_revision (
        question_id             BIGINT NOT NULL,
        superseded_at           TIMESTAMP NOT NULL,
        date_answered           DATE,
        date_answer_corrected   DATE,
        answer_html             VARCHAR,
        answer_text             VARCHAR,
        answer_is_holding       BOOLEAN,
        PRIMARY KEY (question_id, superseded_at)
    );

    CREATE TABLE statement (
        id                  BIGINT PRIMARY KEY,
        uin                 VARCHAR,
        house               VARCHAR,
        date_made           DATE,
        title               VARCHAR,
        text_html           VARCHAR,
        text                VARCHAR,
        member_id           INTEGER,
        member_name         VARCHAR,
        member_party        VARCHAR,
        member_role         VARCHAR,
        answering_body_name VARCHAR,
        url                 VARCHAR,
        source_id           VARCHAR NOT NULL,
        retrieved_at        TIMESTAMP NOT NULL,
        raw                 JSON
    );

    CREATE TABLE debate (
        debate_id     VARCHAR PRIMARY KEY,  -- Hansard DebateSectionExtId, or 'curated-N'
        date          DATE NOT NULL,
        house         VARCHAR,
        location      VARCHAR,
        title         VARCHAR NOT NULL,
        participants  VARCHAR[],
        is_curated    BOOLEAN NOT NULL DEFAULT false,
        notes         VARCHAR,
        url           VARCHAR NOT NULL,
        source_id     VARCHAR NOT NULL,
        retrieved_at  TIMESTAMP NOT NULL
    );

    CREATE TABLE contribution (
        contribution_id  VARCHAR PRIMARY KEY,  -- Hansard ContributionExtId
        debate_id        VARCHAR,
        debate_title     VARCHAR,
        sitting_date     DATE,
        house            VARCHAR,
        section          VARCHAR,
        member_id        INTEGER,
        member_name      VARCHAR,
        attributed_to    VARCHAR,
        text             VARCHAR,
        text_html        VARCHAR,
        url              VARCHAR,
        source_id        VARCHAR NOT NULL,
        retrieved_at     TIMESTAMP NOT NULL
    );

    -- Classification: which priorities an item speaks to, and the rule (or curated correction) that
    -- said so. item_type is one of question, statement, debate, contribution.
    CREATE TABLE priority_tag (
        item_type     VARCHAR NOT NULL,
        item_id       VARCHAR NOT NULL,
        priority_id   INTEGER NOT NULL,
        rule_id       VARCHAR NOT NULL,
        rules_version VARCHAR NOT NULL,
        method        VARCHAR NOT NULL,  -- rule | curated
        PRIMARY KEY (item_type, item_id, priority_id)
    );

    CREATE TABLE series (
        series_id     VARCHAR PRIMARY KEY,
        title         VARCHAR NOT NULL,
        unit          VARCHAR,
        description   VARCHAR,
        priorities    INTEGER[],
        publisher     VARCHAR,
        dataset_id    VARCHAR,
        indicator     VARCHAR,
        filters       JSON,
        is_context    BOOLEAN NOT NULL DEFAULT false,
        source_id     VARCHAR NOT NULL
    );

    CREATE TABLE release (
        release_id       VARCHAR PRIMARY KEY,
        publication      VARCHAR NOT NULL,
        title            VARCHAR,
        published_on     DATE,
        dataset_id       VARCHAR,
        dataset_version  VARCHAR,
        url              VARCHAR,
        is_latest        BOOLEAN NOT NULL DEFAULT true,
        newer_available  VARCHAR,
        source_id        VARCHAR NOT NULL,
        retrieved_at     TIMESTAMP NOT NULL
    );

    -- Tidy observations. A suppressed value has value NULL and its symbol (c, k, u, x, z, low) in
    -- suppression: never 0. value_text keeps a published figure's own words ("one in three").
    CREATE TABLE observation (
        series_id         VARCHAR NOT NULL,
        time_period       VARCHAR NOT NULL,
        time_identifier   VARCHAR,
        period_end        DATE,
        geographic_level  VARCHAR NOT NULL,
        geography_code    VARCHAR NOT NULL,
        geography_name    VARCHAR,
        filter_key        VARCHAR NOT NULL DEFAULT '',
        filters           JSON,
        indicator         VARCHAR,
        value             DOUBLE,
        value_text        VARCHAR,
        suppression       VARCHAR,
        unit              VARCHAR,
        release_id        VARCHAR NOT NULL,
        is_latest         BOOLEAN NOT NULL DEFAULT true,
        notes             VARCHAR,
        source_id         VARCHAR NOT NULL,
        source_url        VARCHAR,
        retrieved_at      TIMESTAMP NOT NULL,
        PRIMARY KEY (series_id, time_period, geographic_level, geography_code, filter_key, release_id)
    );

    -- Local authority and region codes with the years they were valid, for continuity across
    -- merged and abolished councils.
    CREATE TABLE geography (
        code            VARCHAR PRIMARY KEY,
        name            VARCHAR NOT NULL,
        level           VARCHAR NOT NULL,
        valid_from      DATE,
        valid_to        DATE,
        successor_code  VARCHAR,
        source_id       VARCHAR
    );

    -- The dated record of events and commitments, as published.
    CREATE TABLE timeline_event (
        event_id        VARCHAR PRIMARY KEY,
        date            DATE NOT NULL,
        date_precision  VARCHAR NOT NULL,  -- day | month | year
        title           VARCHAR NOT NULL,
        type            VARCHAR NOT NULL,
        priorities      INTEGER[],
        amount_gbp      DOUBLE,
        commitment_id   VARCHAR,
        source_title    VARCHAR NOT NULL,
        source_url      VARCHAR NOT NULL,
        notes           VARCHAR
    );

    CREATE TABLE commitment (
        commitment_id   VARCHAR PRIMARY KEY,
        title           VARCHAR NOT NULL,
        kind            VARCHAR NOT NULL,  -- process | outcome
        type            VARCHAR NOT NULL,
        announced_on    DATE,
        date_precision  VARCHAR NOT NULL,
        amount_gbp      DOUBLE,
        amount_scope    VARCHAR,
        description     VARCHAR,
        source_title    VARCHAR NOT NULL,
        source_url      VARCHAR NOT NULL
    );

    CREATE TABLE commitment_priority (
        commitment_id  VARCHAR NOT NULL,
        priority_id    INTEGER NOT NULL,
        PRIMARY KEY (commitment_id, priority_id)
    );

    -- Append-only: every rating change is a dated row with its source and a one-line reason.
    CREATE TABLE status_change (
        commitment_id  VARCHAR NOT NULL,
        seq            INTEGER NOT NULL,
        changed_on     DATE NOT NULL,
        status         VARCHAR NOT NULL,
        reason         VARCHAR NOT NULL,
        source_title   VARCHAR NOT NULL,
        source_url     VARCHAR NOT NULL,
        PRIMARY KEY (commitment_id, seq)
    );

    CREATE TABLE evidence (
        commitment_id  VARCHAR NOT NULL,
        item_type      VARCHAR NOT NULL,  -- question | statement | debate | observation | event
        item_id        VARCHAR NOT NULL,
        method         VARCHAR NOT NULL,  -- curated | suggested
        note           VARCHAR,
        PRIMARY KEY (commitment_id, item_type, item_id)
    );

    -- The statistics that speak to each priority, or a plain statement that none does yet.
    CREATE TABLE indicator (
        priority_id  INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        series_id    VARCHAR,
        headline     VARCHAR NOT NULL,
        note         VARCHAR,
        PRIMARY KEY (priority_id, seq)
    );

    -- Membership of the APPG on Kinship Care, only as far as a published source shows it.
    CREATE TABLE appg_membership (
        member_name   VARCHAR NOT NULL,
        role          VARCHAR NOT NULL,
        as_of         DATE NOT NULL,
        source_title  VARCHAR NOT NULL,
        source_url    VARCHAR NOT NULL,
        notes         VARCHAR,
        PRIMARY KEY (member_name, role, as_of)
    );

    CREATE TABLE status_scale (
        status      VARCHAR PRIMARY KEY,
        rank        INTEGER NOT NULL,
        label       VARCHAR NOT NULL,
        definition  VARCHAR NOT NULL
    );

    CREATE TABLE glossary (
        term          VARCHAR PRIMARY KEY,
        definition    VARCHAR NOT NULL,
        source_title  VARCHAR NOT NULL,
        source_url    VARCHAR NOT NULL
    );

    CREATE TABLE ingest_run (
        run_id        VARCHAR PRIMARY KEY,
        source        VARCHAR NOT NULL,
        window_from   DATE,
        window_to     DATE,
        started_at    TIMESTAMP NOT NULL,
        finished_at   TIMESTAMP,
        status        VARCHAR NOT NULL,  -- running | succeeded | failed
        rows_added    INTEGER NOT NULL DEFAULT 0,
        rows_updated  INTEGER NOT NULL DEFAULT 0,
        cursor        VARCHAR,
        error         VARCHAR
    );
    """,
    # 2: some curated questions' sources show only the month they were tabled (mySociety's monthly
    # files); the month is kept apart so date_tabled is never guessed.
    """
    ALTER TABLE written_question ADD COLUMN tabled_month DATE;
    """,
    # 3: a run's notes (series skipped, what a file load assumed) in their own field, not in the cursor;
    # why a release's date is what it is (e.g. "the API's lastPublished")
    """
    ALTER TABLE ingest_run ADD COLUMN notes VARCHAR;
    ALTER TABLE release ADD COLUMN published_note VARCHAR;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The store is missing, unreadable, or newer than this code."""


def utcnow() -> datetime:
    """Timestamps are stored as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration not yet applied; return the resulting version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store is at schema version {version}, newer than this kinmon ({SCHEMA_VERSION}); upgrade kinmon"
        )
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        con.execute("BEGIN")
        con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, ?)", [number, utcnow()])
        con.execute("COMMIT")
    return SCHEMA_VERSION


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published store for reading. Raises StoreError if it is missing."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path}: run `python -m kinmon init` to build it")
    try:
        con = _open_published(path)
        version = current_version(con)
    except duckdb.Error as exc:
        raise StoreError(f"the store at {path} cannot be opened ({' '.join(str(exc).split())[:160]}): it is damaged "
                         "or not a kinmon store; restore a copy or rebuild it with `python -m kinmon init --force`"
                         ) from None
    if version != SCHEMA_VERSION:
        con.close()
        raise StoreError(
            f"the store at {path} is at schema version {version}, this kinmon expects {SCHEMA_VERSION}: "
            "run `python -m kinmon init --force` to rebuild it"
        )
    return con


def _open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at `path` now, attached to a private in-memory database.

    duckdb.connect(path) shares one database instance per path within a process: while any older connection
    is open (a dashboard keeps one per published version), a new one would reuse that instance, which still
    holds the file as it was before the last publish, and serve the old data. Attaching opens the current file."""
    con = duckdb.connect(":memory:")
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS kinmon (READ_ONLY)")
        con.execute("USE kinmon")
    except BaseException:
        con.close()
        raise
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (for one thread) on a connect_readonly() connection, reading the published store like it."""
    cur = con.cursor()
    cur.execute("USE kinmon")
    return cur


def version_token(path: Path) -> str:
    """Changes whenever a new file is published: the cache key for dashboard queries."""
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        return "missing"
    return f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}"


@contextlib.contextmanager
def writer(path: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a connection to a private copy of the store; publish it atomically on success.

    With fresh=True the copy starts empty (used by `init`). On any exception the temporary file is
    removed and the published store is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        remove_stale_temp_files(path)
        yield from _write_copy(path, fresh)


def temp_files(path: Path) -> list[Path]:
    """Private copies beside the store (`.<name>.XXXX.tmp` and its `.tmp.wal`), live or left by a killed writer."""
    path = Path(path)
    return sorted(p for pattern in (f".{path.name}.*.tmp", f".{path.name}.*.tmp.wal")
                  for p in path.parent.glob(pattern) if p.is_file())


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temp files a killed writer left. Only call this holding the writer lock: then no live
    writer owns any of them."""
    removed = []
    for leftover in temp_files(path):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    return removed


def writer_active(path: Path) -> bool:
    """Whether a writer holds the store's lock right now (a run in progress, not one that was killed)."""
    lock_path = Path(str(path) + ".lock")
    if not lock_path.exists():
        return False
    try:
        fh = open(lock_path, "r")
    except OSError:
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        fh.close()
    return False


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    """One writer at a time: two runs copying the same store would each publish without the other's rows.
    An OS lock (flock) is released by the kernel if the holder is killed, so a crash never leaves it stuck."""
    lock_path = Path(str(path) + ".lock")
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another kinmon writer is updating {path} (lock {lock_path}); try again when it ends") from None
        yield
    finally:
        fh.close()


def _write_copy(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        if path.exists() and not fresh:
            shutil.copy2(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            migrate(con)
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_run_id() -> str:
    return uuid.uuid4().hex


def upsert_source(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    *,
    publisher: str,
    title: str,
    url: str | None,
    licence: str,
    licence_url: str | None,
    retrieved_at: datetime,
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source_id, publisher, title, url, licence, licence_url, retrieved_at],
    )


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
        ).fetchall()
    ]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
