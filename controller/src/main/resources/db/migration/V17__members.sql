-- Group members as the account's client shows them, kept from the join, leave and removal lines
-- listening reads (and from member lists when read): who is in which group since when.
CREATE TABLE group_members (
  group_id     VARCHAR(64)  NOT NULL REFERENCES chat_groups (id),
  name         VARCHAR(200) NOT NULL,
  customer_id  VARCHAR(64),
  staff        BOOLEAN      NOT NULL,
  state        VARCHAR(16)  NOT NULL,
  joined_at    BIGINT,
  left_at      BIGINT,
  -- joined by qr / invite; left by left / removed
  how          VARCHAR(16),
  PRIMARY KEY (group_id, name)
);
CREATE INDEX group_members_customer ON group_members (customer_id);

-- Friend requests seen in the client's new-contacts list: the accept job queued for each, and
-- when the client said the customer was added.
CREATE TABLE friend_requests (
  account_id    VARCHAR(64)  NOT NULL REFERENCES accounts (id),
  name          VARCHAR(200) NOT NULL,
  note          VARCHAR(500) NOT NULL,
  channel_code  VARCHAR(64),
  state         VARCHAR(16)  NOT NULL,
  heard_at      BIGINT       NOT NULL,
  attempts      INT          NOT NULL,
  job_id        VARCHAR(255),
  job_at        BIGINT,
  added_at      BIGINT,
  customer_id   VARCHAR(64),
  PRIMARY KEY (account_id, name)
);
