-- 2: some curated questions' sources show only the month they were tabled (mySociety's monthly
-- files); the month is kept apart so date_tabled is never guessed.

ALTER TABLE written_question ADD COLUMN tabled_month DATE;
