-- The maintenance window that skipped a fire (for the tenant logs).
ALTER TABLE schedule_fires ADD COLUMN window_id bigint;
CREATE INDEX schedule_fires_window ON schedule_fires (window_id) WHERE window_id IS NOT NULL;
