CREATE TABLE robot_logs (
    id           bigserial   PRIMARY KEY,
    tenant_id    bigint      NOT NULL,
    robot_id     bigint      NOT NULL,
    job_id       bigint      NOT NULL,
    level        text        NOT NULL,
    message      text        NOT NULL,
    time_stamp   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX robot_logs_tenant_id ON robot_logs (tenant_id, id DESC);
CREATE INDEX robot_logs_job ON robot_logs (job_id, id DESC);

CREATE TABLE queue_items (
    id           bigserial   PRIMARY KEY,
    tenant_id    bigint      NOT NULL,
    queue_name   text        NOT NULL,
    reference    text,
    payload      jsonb       NOT NULL,
    robot_id     bigint      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queue_items_tenant_queue ON queue_items (tenant_id, queue_name, id DESC);
