-- A queued job's wait (which claim rule holds it, in words) was written into its reason with a
-- "waits: " prefix, and told apart from the job's own reason (why it was re-queued) by that text.
-- The wait now has its own column; the reason stays the job's.
ALTER TABLE jobs ADD COLUMN wait_note VARCHAR(1000);
UPDATE jobs SET wait_note = SUBSTRING(reason, 8), reason = NULL WHERE reason LIKE 'waits: %';
