-- Retention (SPEC section 7): how long finished rows are kept, the runs that archive and delete
-- them, and the archive files they wrote.

-- The host's policy (tenant_id 0) and tenants' overrides: the JSON fields each sets
-- (robotLogsDays, finishedJobsDays, queueItemsDays, webhookDeliveriesDays: 1..3650 or null = keep
-- forever; archive: true or false). A tenant's override sets only what differs from the host's.
CREATE TABLE retention_policies (
    tenant_id   bigint      PRIMARY KEY CHECK (tenant_id >= 0),
    fields      jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL
);
INSERT INTO retention_policies (tenant_id, fields, updated_at, updated_by) VALUES
    (0, '{"robotLogsDays": 30, "finishedJobsDays": 90, "queueItemsDays": 45, "webhookDeliveriesDays": 30, "archive": true}',
     now(), 'default');

-- One run: asked for (Manual, by POST /api/Retention/Run) or due (Schedule). Runs one at a time, on
-- the node holding the retention lock; a run whose node died is marked Interrupted by the next.
CREATE TABLE retention_runs (
    id                  bigserial   PRIMARY KEY,
    trigger             text        NOT NULL CHECK (trigger IN ('Schedule', 'Manual')),
    requested_by        text        NOT NULL,
    requested_at        timestamptz NOT NULL,
    started_at          timestamptz,
    ended_at            timestamptz,
    outcome             text        NOT NULL
        CHECK (outcome IN ('Requested', 'Running', 'Succeeded', 'Failed', 'Interrupted')),
    error               text,
    bytes_written       bigint      NOT NULL DEFAULT 0,
    files_written       bigint      NOT NULL DEFAULT 0,
    partitions_dropped  bigint      NOT NULL DEFAULT 0
);
CREATE INDEX retention_runs_requested ON retention_runs (id) WHERE outcome = 'Requested';

-- What a run did to one table of one tenant.
CREATE TABLE retention_run_counts (
    run_id      bigint NOT NULL REFERENCES retention_runs (id),
    tenant_id   bigint NOT NULL,
    table_name  text   NOT NULL,
    archived    bigint NOT NULL DEFAULT 0,
    deleted     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, tenant_id, table_name)
);

-- Every archive file, by its path under retention.archiveDir. Pending: written complete under its
-- final name (or about to be renamed to it), its rows perhaps still in their table; Committed: its
-- rows are deleted. A run first settles every Pending file (deletes the rows it holds, or forgets a
-- file that never got its final name), so no row is written to two files.
CREATE TABLE retention_files (
    path          text        PRIMARY KEY,
    run_id        bigint      NOT NULL REFERENCES retention_runs (id),
    tenant_id     bigint      NOT NULL,
    table_name    text        NOT NULL,
    rows          bigint      NOT NULL,
    bytes         bigint      NOT NULL,
    state         text        NOT NULL CHECK (state IN ('Pending', 'Committed')),
    created_at    timestamptz NOT NULL,
    committed_at  timestamptz
);
CREATE INDEX retention_files_pending ON retention_files (path) WHERE state = 'Pending';
