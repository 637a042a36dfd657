-- The jobs the controller does itself (a plan's webhook steps) are polled twice a second by action:
-- by index, not by walking every due job (a 10,000-group broadcast due at once cost each poll 6 ms
-- on PostgreSQL, and 20-50 ms on the embedded store while a 200,000-group one was being stored).
CREATE INDEX jobs_action_due ON jobs (action, state, due_at);
