-- Script sets served by the controller: every uploaded version kept, and per client kind which
-- version is stable and which is being tried on a share of devices (canary).
CREATE TABLE script_bundles (
  client_kind  VARCHAR(64)  NOT NULL,
  version      VARCHAR(64)  NOT NULL,
  supports     VARCHAR(1000) NOT NULL,
  files        TEXT         NOT NULL,
  digest       VARCHAR(64)  NOT NULL,
  uploaded_at  BIGINT       NOT NULL,
  uploaded_by  VARCHAR(200) NOT NULL,
  PRIMARY KEY (client_kind, version)
);

CREATE TABLE script_rollouts (
  client_kind     VARCHAR(64)  PRIMARY KEY,
  stable_version  VARCHAR(64),
  canary_version  VARCHAR(64),
  canary_percent  INT          NOT NULL DEFAULT 0,
  canary_devices  VARCHAR(2000),
  updated_at      BIGINT       NOT NULL
);

CREATE INDEX executions_script_version ON executions (script_version);
