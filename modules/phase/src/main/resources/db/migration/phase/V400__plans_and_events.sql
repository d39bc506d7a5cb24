-- Planned windows: at drain_at one node opens a window as if Start had been called. A plan leaves
-- Planned once (Started, Cancelled or Superseded), in the transaction that opens its window.
CREATE TABLE maintenance_plans (
    id                  bigserial   PRIMARY KEY,
    drain_at            timestamptz NOT NULL,
    kill_after_seconds  bigint,
    auto_suspend        boolean     NOT NULL DEFAULT false,
    expected_end        timestamptz,
    reason              text        NOT NULL,
    state               text        NOT NULL DEFAULT 'Planned'
                                    CHECK (state IN ('Planned', 'Started', 'Cancelled', 'Superseded')),
    created_at          timestamptz NOT NULL,
    created_by          text        NOT NULL,
    settled_at          timestamptz,
    settled_by          text,
    window_id           bigint      REFERENCES maintenance_windows (id)
);
CREATE INDEX maintenance_plans_due ON maintenance_plans (drain_at, id) WHERE state = 'Planned';

-- A window opened by a plan names it, and carries the end its tenants were told of.
ALTER TABLE maintenance_windows ADD COLUMN plan_id bigint REFERENCES maintenance_plans (id),
    ADD COLUMN expected_end timestamptz;

-- What tenants' webhooks are made of: one row per event, written in the transaction that made it
-- and after that transaction's compare-and-set on maintenance_state, whose row lock orders the
-- writers: ids grow in commit order, so a reader that keeps the last id it read misses nothing.
CREATE TABLE maintenance_events (
    id         bigserial   PRIMARY KEY,
    type       text        NOT NULL CHECK (type IN ('maintenance.planned', 'maintenance.cancelled',
                   'maintenance.draining', 'maintenance.suspended', 'maintenance.ended')),
    at         timestamptz NOT NULL,
    window_id  bigint      REFERENCES maintenance_windows (id),
    plan_id    bigint      REFERENCES maintenance_plans (id)
);
