-- 3: a run's notes (series skipped, what a file load assumed) in their own field, not in the cursor;
-- why a release's date is what it is (e.g. "the API's lastPublished").

ALTER TABLE ingest_run ADD COLUMN notes VARCHAR;
ALTER TABLE release ADD COLUMN published_note VARCHAR;
