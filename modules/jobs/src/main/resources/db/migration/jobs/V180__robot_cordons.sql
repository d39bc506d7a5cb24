-- Robots out of rotation: a cordoned robot is handed no new job (jobs that name no robot go to the
-- tenant's others; jobs that name it wait) until it is uncordoned. kill_at: when what it still runs
-- is killed (the cordon's killAfter); null once done, or when no kill was asked for.
CREATE TABLE robot_cordons (
    robot_id    bigint      PRIMARY KEY,
    tenant_id   bigint      NOT NULL,
    cordoned_at timestamptz NOT NULL,
    cordoned_by text        NOT NULL,
    kill_at     timestamptz
);
CREATE INDEX robot_cordons_tenant ON robot_cordons (tenant_id);
CREATE INDEX robot_cordons_kill ON robot_cordons (kill_at) WHERE kill_at IS NOT NULL;
