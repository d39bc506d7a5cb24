-- The backlog a heartbeat claims from (claimNext): a tenant's Pending jobs not handed out yet, those
-- naming a robot first, oldest first. Without it every heartbeat scanned the tenant's Pending rows.
CREATE INDEX jobs_backlog ON jobs (tenant_id, (robot_id IS NULL), id)
    WHERE state = 'Pending' AND start_delivered_at IS NULL;
