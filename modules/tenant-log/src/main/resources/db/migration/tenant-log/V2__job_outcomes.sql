-- Each job of a record with what became of it ([{jobId, processName, outcome, state}]): stopped,
-- killed, finished on its own, or not ended. Records frozen before have none ('[]'); their
-- stopped_jobs and killed_jobs (UiPath's lists: a killed job was also sent Stop) stay as they were.
-- Skipped fires in skipped_triggers carry their schedule's name from now on.
ALTER TABLE tenant_maintenance_logs ADD COLUMN jobs jsonb NOT NULL DEFAULT '[]'::jsonb;
-- What the window was: {reason, startedBy, killAfter, killDeadlineAt, timeline: [{phase, at, by}]};
-- null in records frozen before.
ALTER TABLE tenant_maintenance_logs ADD COLUMN facts jsonb;
