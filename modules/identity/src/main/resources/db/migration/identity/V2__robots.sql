-- Robots of a tenant and the digest of their client secret (256 random bits, so SHA-256 suffices).
CREATE TABLE robots (
    id             bigserial   PRIMARY KEY,
    tenant_id      bigint      NOT NULL REFERENCES tenants (id),
    name           text        NOT NULL,
    secret_sha256  bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX robots_tenant_name_key ON robots (tenant_id, lower(name));
