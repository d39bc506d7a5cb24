-- Retention (jobs.retention.*). A tenant's finished jobs and processed queue items are read and
-- deleted in id order after a key, aged before an instant:
--   tenant_id = $1 AND state IN (finished) AND ended_at < $2 AND id > $3 ORDER BY id LIMIT n
-- (tenant_id, id, ended_at) over the finished rows only serves it: the scan starts at the key, in id
-- order, and the age is checked in the index before any row is read. (tenant_id, ended_at, id)
-- would find the aged rows first but must sort all of them for every batch.
-- The oldest finished row (min(ended_at), for the stalled-retention alert) is one index entry.
CREATE INDEX jobs_finished_retention ON jobs (tenant_id, id, ended_at)
    WHERE state IN ('Successful', 'Faulted', 'Stopped');
CREATE INDEX jobs_finished_ended ON jobs (ended_at)
    WHERE state IN ('Successful', 'Faulted', 'Stopped');
CREATE INDEX queue_items_processed_retention ON queue_items (tenant_id, id, ended_at)
    WHERE status IN ('Successful', 'Failed');
CREATE INDEX queue_items_processed_ended ON queue_items (ended_at)
    WHERE status IN ('Successful', 'Failed');
