-- The live nodes (decision 111): each node inserts its row at start, touches last_seen_at every few
-- seconds and deletes it when it stops. A node that died stops touching it: readers show only rows
-- seen lately, and any node deletes rows not seen for a minute. Times are the database's clock, so
-- nodes with skewed clocks agree on who is live. Compatible: nodes of 0.1.0 never read this table.
CREATE TABLE nodes (
  id           text PRIMARY KEY,
  version      text NOT NULL,
  commit_id    text NOT NULL,
  host         text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
