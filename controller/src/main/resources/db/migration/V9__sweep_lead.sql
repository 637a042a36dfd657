-- Which controller runs the periodic sweeps (plan expansion, lease and window expiry). The row is
-- the fence: a node sweeps only while it holds an unexpired term, timed by the database's clock, so
-- two nodes that both believe they lead (a split cluster, a node frozen and resumed) cannot both
-- act on it. term grows with every change of holder.
CREATE TABLE sweep_lead (
  name        VARCHAR(64)  PRIMARY KEY,
  holder      VARCHAR(200) NOT NULL,
  term        BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  taken_at    BIGINT       NOT NULL
);
