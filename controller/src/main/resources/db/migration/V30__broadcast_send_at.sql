-- A broadcast may be scheduled: its jobs are queued at once and due at send_at (null: due now).
ALTER TABLE broadcasts ADD COLUMN send_at BIGINT;
