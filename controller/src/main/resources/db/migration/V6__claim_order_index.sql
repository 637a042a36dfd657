-- When a job is due (its not_before, or else its creation). A dispatch claim then walks one index in
-- claim order (account, state, priority, due, seq) and stops at the first due job, instead of
-- sorting every queued job of the account on every claim. The old queue index (state first) made
-- the planner pick it and sort.
ALTER TABLE jobs ADD COLUMN due_at BIGINT;
UPDATE jobs SET due_at = COALESCE(not_before, created_at);
DROP INDEX jobs_queue;
CREATE INDEX jobs_claim ON jobs (account_id, state, priority DESC, due_at, seq);
-- The sweeps by state: window expiry (queued jobs past expires_at, every few hundred milliseconds)
-- reads by index instead of every queued job; lease expiry reads the few LEASED and RUNNING rows.
CREATE INDEX jobs_windows ON jobs (state, expires_at);
