-- A window's records are frozen before its End commits (so End never leaves a window without one)
-- and completed after it (decision 128): frozen again with every stop, kill and skip that committed
-- before End did. completed_at is null in between; a node that crashed there leaves the records
-- incomplete, and the next node to look completes them. Records frozen before this version were
-- final when they were written (an End of the earlier release in flight while this runs keeps the
-- race decision 128 closes, once).
ALTER TABLE tenant_maintenance_logs ADD COLUMN completed_at timestamptz;
UPDATE tenant_maintenance_logs SET completed_at = closed_at;
CREATE INDEX tenant_maintenance_logs_incomplete ON tenant_maintenance_logs (window_id) WHERE completed_at IS NULL;
