-- One-time console login links: only the code's hash is kept; a link works once, until it expires.
CREATE TABLE login_links (
  code_hash     VARCHAR(64)  PRIMARY KEY,
  role          VARCHAR(16)  NOT NULL,
  created_by    VARCHAR(64)  NOT NULL,
  creator_name  VARCHAR(200) NOT NULL,
  created_at    BIGINT       NOT NULL,
  expires_at    BIGINT       NOT NULL,
  used_at       BIGINT
);

-- The console's device page (last failure, last screenshot) and today's counts.
CREATE INDEX executions_device ON executions (device_id, id);
CREATE INDEX jobs_updated ON jobs (updated_at);
