-- Assets: named values a tenant keeps for its robots. Names are unique per tenant, whatever their
-- case (UiPath's asset names are case-insensitive).
CREATE TABLE assets (
    id          bigserial   PRIMARY KEY,
    tenant_id   bigint      NOT NULL,
    name        text        NOT NULL,
    type        text        NOT NULL CHECK (type IN ('Text', 'Integer', 'Bool', 'Credential')),
    value       text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX assets_tenant_name ON assets (tenant_id, lower(name));
