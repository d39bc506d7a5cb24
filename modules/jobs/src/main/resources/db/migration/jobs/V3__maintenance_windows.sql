-- Which maintenance window sent the Stop / Kill (for the tenant logs and drain progress).
ALTER TABLE jobs ADD COLUMN stop_window_id bigint, ADD COLUMN kill_window_id bigint;
CREATE INDEX jobs_stop_window ON jobs (stop_window_id) WHERE stop_window_id IS NOT NULL;
CREATE INDEX jobs_kill_window ON jobs (kill_window_id) WHERE kill_window_id IS NOT NULL;
-- Pending jobs a robot was given count as active (the robot may be starting them).
CREATE INDEX jobs_pending_delivered ON jobs (id) WHERE state = 'Pending' AND start_delivered_at IS NOT NULL;
