-- An agent token may name the one agent id it speaks for (besides the devices it may announce).
ALTER TABLE api_tokens ADD COLUMN agent_id VARCHAR(64);
