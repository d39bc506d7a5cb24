-- Robots as they really behave (SPEC section 5).

-- Reconciliation: how many heartbeats in a row that carried the robot's own list of running jobs
-- did not list this job. At 2 the job becomes Faulted ("robot no longer runs this job").
ALTER TABLE jobs ADD COLUMN missing_heartbeats integer NOT NULL DEFAULT 0;

-- Idempotent log uploads: one row per batch a robot sent with a batchId, with the answer it got.
-- Kept for jobs.LOG_BATCH_RETENTION (7 days) and pruned by the jobs module; a robot retries within
-- seconds or minutes, so a week is far beyond any retry and bounds the table by the upload rate.
CREATE TABLE robot_log_batches (
    robot_id     bigint      NOT NULL,
    batch_id     text        NOT NULL,
    tenant_id    bigint      NOT NULL,
    stored       integer     NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (robot_id, batch_id)
);
CREATE INDEX robot_log_batches_received ON robot_log_batches (received_at);

-- Idempotent queue item adds: a reference is unique per tenant and queue. References that were
-- already used twice before this migration keep their first item as is; later ones get the
-- item id appended (" #<id>") so that no item is lost or merged.
UPDATE queue_items q SET reference = q.reference || ' #' || q.id
WHERE q.reference IS NOT NULL AND EXISTS (
  SELECT 1 FROM queue_items first
  WHERE first.tenant_id = q.tenant_id AND first.queue_name = q.queue_name
    AND first.reference = q.reference AND first.id < q.id);
CREATE UNIQUE INDEX queue_items_reference_key ON queue_items (tenant_id, queue_name, reference)
    WHERE reference IS NOT NULL;
