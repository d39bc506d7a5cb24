-- The drain deadline's Kill runs once per window in the whole cluster: the node that claims it
-- (deadline_kill_claimed_at, a lease a dead claimant loses after a while) sends it and records
-- it done (deadline_kill_done_at); every other timer, reload or restart finds it done.
ALTER TABLE maintenance_windows ADD COLUMN deadline_kill_claimed_at timestamptz,
    ADD COLUMN deadline_kill_done_at timestamptz;
