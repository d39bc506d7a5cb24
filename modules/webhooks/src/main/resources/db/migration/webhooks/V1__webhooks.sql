-- Tenants' receivers of maintenance events. The secret signs deliveries, so it is kept (never shown).
CREATE TABLE webhooks (
    id          bigserial   PRIMARY KEY,
    tenant_id   bigint      NOT NULL,
    url         text        NOT NULL,
    secret      text        NOT NULL,
    events      text[]      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    deleted_at  timestamptz
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id) WHERE deleted_at IS NULL;

-- The last maintenance event (phase module's sequence) turned into deliveries.
CREATE TABLE webhook_cursor (
    id             int    PRIMARY KEY CHECK (id = 1),
    last_event_id  bigint NOT NULL
);
INSERT INTO webhook_cursor (id, last_event_id) VALUES (1, 0);

-- The outbox: one row per (webhook, event), written with the cursor's advance in one transaction,
-- so an event becomes deliveries once (the unique key makes a repeat harmless) and none is lost.
CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    webhook_id       bigint      NOT NULL REFERENCES webhooks (id),
    tenant_id        bigint      NOT NULL,
    event            text        NOT NULL,
    event_id         bigint      NOT NULL,
    body             text        NOT NULL,
    created_at       timestamptz NOT NULL,
    state            text        NOT NULL DEFAULT 'Pending' CHECK (state IN ('Pending', 'Delivered', 'GaveUp')),
    attempts         int         NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    leased_until     timestamptz,
    delivered_at     timestamptz,
    settled_at       timestamptz,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'Pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at DESC);

-- Every attempt and what the receiver answered (the start of it).
CREATE TABLE webhook_attempts (
    id           bigserial   PRIMARY KEY,
    delivery_id  uuid        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    duration_ms  bigint      NOT NULL,
    status       int,
    error        text,
    response     text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
