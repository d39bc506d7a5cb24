-- Jobs and what robots were told about them. Robot commands are derived from the state:
-- Pending with start_delivered_at -> StartJob, Stopping -> StopJob, Terminating -> KillJob;
-- they are re-sent on every heartbeat until the robot reports, so no command can be lost.
CREATE TABLE jobs (
    id                 bigserial   PRIMARY KEY,
    tenant_id          bigint      NOT NULL,
    process_name       text        NOT NULL,
    robot_id           bigint,
    state              text        NOT NULL DEFAULT 'Pending'
        CHECK (state IN ('Pending', 'Running', 'Stopping', 'Terminating', 'Successful', 'Faulted', 'Stopped')),
    origin             text        NOT NULL DEFAULT 'Manual' CHECK (origin IN ('Manual', 'Schedule')),
    schedule_id        bigint,
    planned_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    start_delivered_at timestamptz,
    started_at         timestamptz,
    ended_at           timestamptz,
    stop_requested_at  timestamptz,
    stop_delivered_at  timestamptz,
    kill_requested_at  timestamptz,
    kill_delivered_at  timestamptz,
    fault_reason       text
);
CREATE INDEX jobs_tenant_id ON jobs (tenant_id, id DESC);
CREATE INDEX jobs_tenant_state ON jobs (tenant_id, state);
CREATE INDEX jobs_active_state ON jobs (state) WHERE state IN ('Pending', 'Running', 'Stopping', 'Terminating');
CREATE INDEX jobs_robot_active ON jobs (robot_id) WHERE state IN ('Pending', 'Running', 'Stopping', 'Terminating');
-- one job per schedule fire, whatever retries or nodes ask for it
CREATE UNIQUE INDEX jobs_schedule_fire_key ON jobs (schedule_id, planned_at) WHERE schedule_id IS NOT NULL;

CREATE TABLE robot_presence (
    robot_id           bigint      PRIMARY KEY,
    tenant_id          bigint      NOT NULL,
    last_heartbeat_at  timestamptz NOT NULL
);
CREATE INDEX robot_presence_tenant ON robot_presence (tenant_id);
