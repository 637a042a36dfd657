-- Which accounts have a device job due, read from the jobs' side: a dispatch pass walks the due rows
-- of each state (usually few) instead of probing every free device's account (a farm of a thousand
-- idle phones cost a thousand probes a pass).
CREATE INDEX jobs_due ON jobs (state, due_at, account_id);
-- The few groups that are not reachable, read at every enqueue (their new jobs wait or end): by
-- index, not by reading every group of the farm.
CREATE INDEX chat_groups_reachability ON chat_groups (reachability);
