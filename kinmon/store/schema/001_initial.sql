-- 1: the whole domain.
-- Each file is applied once, in order of its number, and recorded in schema_version.
-- Never edit a published migration: add a new file.

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
