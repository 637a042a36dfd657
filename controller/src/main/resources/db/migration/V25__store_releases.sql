-- Which release of wecom-rpa opened the store at which schema version: a node older than the
-- schema refuses to act on it and names the release that migrated it.
CREATE TABLE store_releases (
  release          VARCHAR(200) NOT NULL PRIMARY KEY,
  schema_version   INT          NOT NULL,
  first_started_at BIGINT       NOT NULL,
  last_started_at  BIGINT       NOT NULL
);
