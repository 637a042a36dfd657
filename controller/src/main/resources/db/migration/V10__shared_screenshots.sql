-- Screenshots of failed steps kept in the shared database when controllers run as a cluster, so
-- any node can serve them (the embedded store keeps them as files in its data folder).
CREATE TABLE screenshots (
  id   VARCHAR(300) PRIMARY KEY,
  png  BYTEA        NOT NULL
);
