-- One row per controller start: fencing tokens are (epoch << 32) and up, so a token can never be
-- granted twice even if the store loses the tail of its commits (the epoch is synced at start).
CREATE TABLE controller_epochs (
  epoch       BIGINT       PRIMARY KEY,
  started_at  BIGINT       NOT NULL,
  node        VARCHAR(200) NOT NULL
);

-- A group the client could not find (renamed, dissolved, the bot removed): its jobs are held until
-- an operator renames it, retries it or confirms it gone. reachability: ok | unreachable | gone.
ALTER TABLE chat_groups ADD COLUMN reachability VARCHAR(16) DEFAULT 'ok' NOT NULL;
ALTER TABLE chat_groups ADD COLUMN unreachable_reason VARCHAR(1000);
ALTER TABLE chat_groups ADD COLUMN unreachable_since BIGINT;
ALTER TABLE chat_groups ADD COLUMN unreachable_job VARCHAR(255);
ALTER TABLE chat_groups ADD COLUMN unreachable_execution BIGINT;

-- Why an execution row exists without an offer from this store: a lease adopted after a crash.
ALTER TABLE executions ADD COLUMN note VARCHAR(1000);
