-- One record per tenant per maintenance window, frozen at End.
CREATE TABLE tenant_maintenance_logs (
    window_id         bigint      NOT NULL,
    tenant_id         bigint      NOT NULL,
    started_at        timestamptz NOT NULL,
    ended_at          timestamptz NOT NULL,
    closed_at         timestamptz NOT NULL DEFAULT now(),
    stopped_jobs      bigint[]    NOT NULL,
    killed_jobs       bigint[]    NOT NULL,
    skipped_triggers  jsonb       NOT NULL,
    PRIMARY KEY (window_id, tenant_id)
);
CREATE INDEX tenant_maintenance_logs_tenant ON tenant_maintenance_logs (tenant_id, window_id DESC);
