-- What becomes of the fires a schedule misses in a maintenance window: Skip (never run, UiPath's
-- behaviour and the default) or RunOnce (one job after the window, however many it missed).
ALTER TABLE schedules ADD COLUMN missed_fire_policy text NOT NULL DEFAULT 'Skip'
    CHECK (missed_fire_policy IN ('Skip', 'RunOnce'));

-- The one catch-up job of a RunOnce schedule for a window it skipped fires in. planned_at is its
-- last skipped fire: with the schedule, the job's key at job control (one job per schedule and
-- planned time), so a catch-up asked for twice is created once. due_at spreads the catch-ups of a
-- window over scheduler.catchUpSpreadSeconds after it closed.
CREATE TABLE schedule_catch_ups (
    schedule_id bigint      NOT NULL,
    window_id   bigint      NOT NULL,
    tenant_id   bigint      NOT NULL,
    planned_at  timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    outcome     text        NOT NULL DEFAULT 'Pending' CHECK (outcome IN ('Pending', 'Created', 'Failed')),
    job_id      bigint,
    reason      text,
    settled_at  timestamptz,
    PRIMARY KEY (schedule_id, window_id)
);
CREATE INDEX schedule_catch_ups_due ON schedule_catch_ups (due_at) WHERE outcome = 'Pending';

-- Every window a fire was skipped in, written with the skipped fires: catch_ups stays null until
-- the window has closed and its catch-ups are planned (then: how many). Windows closed before this
-- version owe none.
CREATE TABLE schedule_catch_up_windows (
    window_id  bigint      PRIMARY KEY,
    planned_at timestamptz,
    catch_ups  integer
);
CREATE INDEX schedule_catch_up_windows_unplanned ON schedule_catch_up_windows (window_id) WHERE catch_ups IS NULL;
INSERT INTO schedule_catch_up_windows (window_id, planned_at, catch_ups)
    SELECT DISTINCT window_id, now(), 0 FROM schedule_fires WHERE window_id IS NOT NULL;
