CREATE TABLE schedules (
    id            bigserial   PRIMARY KEY,
    tenant_id     bigint      NOT NULL,
    name          text        NOT NULL,
    process_name  text        NOT NULL,
    cron          text        NOT NULL,
    time_zone     text        NOT NULL,
    robot_id      bigint,
    enabled       boolean     NOT NULL DEFAULT true,
    next_fire_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schedules_tenant_name_key ON schedules (tenant_id, lower(name));
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled;

-- Every fire a schedule reached: one row per (schedule, planned time), so that no node, retry or
-- restart can run a fire twice. Pending: claimed, job not yet asked for; Created: the job exists;
-- Skipped: not run, never to be run (maintenance); Failed: job control refused it.
CREATE TABLE schedule_fires (
    schedule_id   bigint      NOT NULL,
    tenant_id     bigint      NOT NULL,
    planned_at    timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('Pending', 'Created', 'Skipped', 'Failed')),
    job_id        bigint,
    reason        text,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, planned_at)
);
CREATE INDEX schedule_fires_pending ON schedule_fires (planned_at) WHERE outcome = 'Pending';
CREATE INDEX schedule_fires_tenant ON schedule_fires (tenant_id, planned_at DESC);
