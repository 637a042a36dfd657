-- What an alert is about (group:ID, device:ID, account:ID), so its fix can be offered and it can
-- resolve itself when that is fixed; who acknowledged it and who (or what) resolved it, with notes.
ALTER TABLE alerts ADD COLUMN subject VARCHAR(255);
ALTER TABLE alerts ADD COLUMN acked_by VARCHAR(255);
ALTER TABLE alerts ADD COLUMN acked_at BIGINT;
ALTER TABLE alerts ADD COLUMN ack_note VARCHAR(500);
ALTER TABLE alerts ADD COLUMN resolved_by VARCHAR(255);
ALTER TABLE alerts ADD COLUMN resolved_at BIGINT;
ALTER TABLE alerts ADD COLUMN resolve_note VARCHAR(500);
CREATE INDEX alerts_subject ON alerts (subject);

-- The person a console login link is for: the token it becomes carries their name, so the audit
-- names the person, not the link.
ALTER TABLE login_links ADD COLUMN person VARCHAR(200);
