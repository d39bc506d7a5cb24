-- Per-tenant maintenance: a window of one tenant only (tenant_id), beside the platform's (tenant_id
-- null). Each tenant in maintenance has one row here; End deletes it. Every change still moves the
-- one version of maintenance_state (its compare-and-set orders every writer), so a node reloads
-- the platform's phase and every tenant's together.
ALTER TABLE maintenance_windows ADD COLUMN tenant_id bigint;
-- one open window for the platform, and one per tenant
DROP INDEX maintenance_windows_one_open;
CREATE UNIQUE INDEX maintenance_windows_one_open ON maintenance_windows ((true)) WHERE ended_at IS NULL AND tenant_id IS NULL;
CREATE UNIQUE INDEX maintenance_windows_one_open_per_tenant ON maintenance_windows (tenant_id)
    WHERE ended_at IS NULL AND tenant_id IS NOT NULL;
CREATE TABLE tenant_maintenance_state (
    tenant_id   bigint      PRIMARY KEY,
    phase       text        NOT NULL CHECK (phase IN ('Draining', 'Suspended')),
    window_id   bigint      NOT NULL REFERENCES maintenance_windows (id),
    phase_since timestamptz NOT NULL
);
-- An event of a tenant's own window concerns that tenant only (null: every tenant).
ALTER TABLE maintenance_events ADD COLUMN tenant_id bigint;
