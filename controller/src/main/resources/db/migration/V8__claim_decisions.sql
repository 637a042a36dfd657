-- Which claim rule last decided that a job waits or is skipped, and until when it waits.
ALTER TABLE jobs ADD COLUMN decided_by VARCHAR(64);
ALTER TABLE jobs ADD COLUMN wait_until BIGINT;
