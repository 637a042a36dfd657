-- Customers as targets: which private messages spend a customer's cadence, the conditions a plan
-- step carries to its claim, the slots taken, and handovers between accounts.
-- touch: 'marketing' (spends the cadence), 'transactional' (a step the admin marked), NULL (replies and the rest)
ALTER TABLE jobs ADD COLUMN touch VARCHAR(16);
-- the step's unless and the plan's exitOn, with the run's start: decided at the claim
ALTER TABLE jobs ADD COLUMN guard VARCHAR(1000);
CREATE INDEX jobs_customer ON jobs (customer_id);

-- One row per marketing private message that took a slot of its customer's cadence (leased, sent
-- or maybe sent); a definite failure gives it back.
CREATE TABLE cadence_slots (
  job_id       VARCHAR(255) PRIMARY KEY,
  customer_id  VARCHAR(64)  NOT NULL,
  taken_at     BIGINT       NOT NULL
);
CREATE INDEX cadence_slots_customer ON cadence_slots (customer_id, taken_at);

-- A handover of groups and customers from one account to another, and what became of each.
CREATE TABLE handovers (
  id                 VARCHAR(64)   PRIMARY KEY,
  from_account       VARCHAR(64)   NOT NULL,
  to_account         VARCHAR(64)   NOT NULL,
  reason             VARCHAR(500)  NOT NULL,
  requested_by       VARCHAR(200)  NOT NULL,
  at                 BIGINT        NOT NULL,
  groups_moved       INT           NOT NULL,
  customers_moved    INT           NOT NULL,
  customers_refused  INT           NOT NULL,
  jobs_moved         INT           NOT NULL,
  jobs_left          INT           NOT NULL
);
CREATE INDEX handovers_from ON handovers (from_account, at);

CREATE TABLE handover_items (
  handover_id  VARCHAR(64)   NOT NULL,
  kind         VARCHAR(16)   NOT NULL,
  item_id      VARCHAR(64)   NOT NULL,
  outcome      VARCHAR(16)   NOT NULL,
  detail       VARCHAR(500),
  PRIMARY KEY (handover_id, kind, item_id)
);
