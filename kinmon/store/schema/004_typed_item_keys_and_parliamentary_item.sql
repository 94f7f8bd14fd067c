-- 4: typed keys for what priority tags and evidence links point at, and one view of every parliamentary item.
--
-- A tag's or a link's item_id stays text, as written (a debate's key is text; a question's is its Parliament
-- API id written out). Two generated columns give the same key typed: item_num, the BIGINT id of a question
-- or statement, and item_ref, the text key of any other kind (a debate, a contribution, an event, an
-- observation). Joins compare item_num with a question's or statement's BIGINT id, or item_ref with a text
-- key, never an id cast to text. Writers name only the written columns; the generated ones follow.

CREATE TABLE priority_tag_v4 (
    item_type     VARCHAR NOT NULL,
    item_id       VARCHAR NOT NULL,
    priority_id   INTEGER NOT NULL,
    rule_id       VARCHAR NOT NULL,
    rules_version VARCHAR NOT NULL,
    method        VARCHAR NOT NULL,  -- rule | curated
    item_num      BIGINT GENERATED ALWAYS AS (
                      CASE WHEN item_type IN ('question', 'statement') THEN TRY_CAST(item_id AS BIGINT) END) VIRTUAL,
    item_ref      VARCHAR GENERATED ALWAYS AS (
                      CASE WHEN item_type NOT IN ('question', 'statement') THEN item_id END) VIRTUAL,
    PRIMARY KEY (item_type, item_id, priority_id)
);
INSERT INTO priority_tag_v4 (item_type, item_id, priority_id, rule_id, rules_version, method)
SELECT item_type, item_id, priority_id, rule_id, rules_version, method FROM priority_tag;
DROP TABLE priority_tag;
ALTER TABLE priority_tag_v4 RENAME TO priority_tag;

CREATE TABLE evidence_v4 (
    commitment_id  VARCHAR NOT NULL,
    item_type      VARCHAR NOT NULL,  -- question | statement | debate | observation | event
    item_id        VARCHAR NOT NULL,
    method         VARCHAR NOT NULL,  -- curated | suggested
    note           VARCHAR,
    item_num       BIGINT GENERATED ALWAYS AS (
                       CASE WHEN item_type IN ('question', 'statement') THEN TRY_CAST(item_id AS BIGINT) END) VIRTUAL,
    item_ref       VARCHAR GENERATED ALWAYS AS (
                       CASE WHEN item_type NOT IN ('question', 'statement') THEN item_id END) VIRTUAL,
    PRIMARY KEY (commitment_id, item_type, item_id)
);
INSERT INTO evidence_v4 (commitment_id, item_type, item_id, method, note)
SELECT commitment_id, item_type, item_id, method, note FROM evidence;
DROP TABLE evidence;
ALTER TABLE evidence_v4 RENAME TO evidence;

-- Every parliamentary item (written questions, written statements, debates), one row each, in one shape.
-- Join it to priority_tag or evidence on (item_type, item_num, item_ref), the last two with IS NOT DISTINCT
-- FROM: typed keys, one hash join. item_id is the key as text, for showing (the text the tags store).
--   date     the item's own date: a question's answer date (else its tabled date), a statement's, a debate's
--   heading  as published (a question's may be empty); title falls back to the first words of the question
--   body     the words a reader would search: heading, question and answer; title and text; title and notes
CREATE VIEW parliamentary_item AS
SELECT 'question' AS item_type, CAST(q.id AS VARCHAR) AS item_id, q.id AS item_num, CAST(NULL AS VARCHAR) AS item_ref,
       coalesce(q.date_answered, q.date_tabled) AS date, q.date_tabled, q.date_answered, q.tabled_month,
       q.heading, coalesce(q.heading, left(q.question_text, 80)) AS title,
       concat_ws(' ', q.heading, q.question_text, q.answer_text) AS body,
       q.house, q.asking_member_name AS member_name, q.answering_body_name, q.is_curated, q.url, q.source_id,
       q.retrieved_at
FROM written_question q
UNION ALL
SELECT 'statement', CAST(s.id AS VARCHAR), s.id, NULL,
       s.date_made, NULL, NULL, NULL,
       s.title, s.title,
       concat_ws(' ', s.title, s.text),
       s.house, s.member_name, s.answering_body_name, false, s.url, s.source_id,
       s.retrieved_at
FROM statement s
UNION ALL
SELECT 'debate', d.debate_id, NULL, d.debate_id,
       d.date, NULL, NULL, NULL,
       d.title, d.title,
       concat_ws(' ', d.title, d.notes),
       d.house, NULL, NULL, d.is_curated, d.url, d.source_id,
       d.retrieved_at
FROM debate d;

-- One row per parliamentary item and priority it is tagged with: the item's columns and the tag's.
CREATE VIEW parliamentary_item_priority AS
SELECT i.*, t.priority_id, t.rule_id, t.rules_version, t.method
FROM parliamentary_item i
JOIN priority_tag t ON t.item_type = i.item_type AND t.item_num IS NOT DISTINCT FROM i.item_num
                   AND t.item_ref IS NOT DISTINCT FROM i.item_ref;
