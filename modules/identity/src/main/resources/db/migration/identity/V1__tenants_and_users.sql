-- Tenants and the users who sign in to them. Host users have no tenant.
CREATE TABLE tenants (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_name_key ON tenants (lower(name));

CREATE TABLE users (
    id             bigserial   PRIMARY KEY,
    tenant_id      bigint      REFERENCES tenants (id),
    username       text        NOT NULL,
    password_hash  text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('HostAdministrator', 'Administrator', 'Operator')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((tenant_id IS NULL) = (role = 'HostAdministrator'))
);
-- one user name per organization, the host counting as organization 0
CREATE UNIQUE INDEX users_tenant_username_key ON users (coalesce(tenant_id, 0), lower(username));
