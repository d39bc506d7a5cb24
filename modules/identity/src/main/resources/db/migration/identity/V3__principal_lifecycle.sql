-- Users and robots can be disabled (no sign-in, their tokens refused) and enabled again. A token
-- carries the principal's token_generation when it was signed (claim "gen"); a disable raises it,
-- so the tokens signed before stay refused after an enable.
ALTER TABLE users
    ADD COLUMN disabled_at      timestamptz,
    ADD COLUMN disabled_by      text,
    ADD COLUMN token_generation integer NOT NULL DEFAULT 0;
ALTER TABLE robots
    ADD COLUMN disabled_at      timestamptz,
    ADD COLUMN disabled_by      text,
    ADD COLUMN token_generation integer NOT NULL DEFAULT 0;
CREATE INDEX users_tenant_enabled_admins ON users (tenant_id) WHERE role = 'Administrator' AND disabled_at IS NULL;

-- The tokens no node may accept: per principal, the lowest generation still accepted (2147483647:
-- deleted, none). Every node holds the rows of the last token lifetime in memory, reloads them on
-- NOTIFY orchestrator_revocations_<schema> (sent in the transaction that writes a row) and every
-- 2 s; older rows name tokens that have expired anyway.
CREATE TABLE principal_revocations (
    kind          text        NOT NULL CHECK (kind IN ('User', 'Robot')),
    principal_id  bigint      NOT NULL,
    tenant_id     bigint,
    generation    integer     NOT NULL,
    revoked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, principal_id)
);
CREATE INDEX principal_revocations_recent ON principal_revocations (revoked_at);

-- Who created, deleted, disabled or enabled which user or robot, and when. Names are copied: the
-- row outlives its target and its author.
CREATE TABLE identity_audit (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    tenant_id    bigint,
    action       text        NOT NULL CHECK (action IN ('UserCreated', 'UserDeleted', 'UserDisabled', 'UserEnabled',
                                                        'RobotRegistered', 'RobotDeleted', 'RobotDisabled',
                                                        'RobotEnabled')),
    target_kind  text        NOT NULL CHECK (target_kind IN ('User', 'Robot')),
    target_id    bigint      NOT NULL,
    target_name  text        NOT NULL,
    actor_id     bigint      NOT NULL,
    actor_name   text        NOT NULL,
    actor_role   text        NOT NULL,
    detail       text
);
CREATE INDEX identity_audit_tenant ON identity_audit (tenant_id, id DESC);
