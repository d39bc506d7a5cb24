-- The maintenance window a job ran through as exempt (decision 116): set when a robot starts it
-- under an exemption and by each Stop sweep of the window for the exempt jobs it leaves running, so
-- that the tenant's record of the window lists the jobs that ran exempt without comparing clocks.
ALTER TABLE jobs ADD COLUMN exempt_window_id bigint;
CREATE INDEX jobs_exempt_window ON jobs (exempt_window_id) WHERE exempt_window_id IS NOT NULL;
