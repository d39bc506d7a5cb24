-- The phase survives stop, crash and restart: one row, changed only by compare-and-set on version.
CREATE TABLE maintenance_state (
    id           int         PRIMARY KEY CHECK (id = 1),
    version      bigint      NOT NULL,
    phase        text        NOT NULL CHECK (phase IN ('None', 'Draining', 'Suspended')),
    window_id    bigint,
    phase_since  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO maintenance_state (id, version, phase) VALUES (1, 0, 'None');

-- One row per maintenance window (Draining/Suspended until End).
CREATE TABLE maintenance_windows (
    id                  bigserial   PRIMARY KEY,
    started_at          timestamptz NOT NULL,
    started_by          text        NOT NULL,
    reason              text,
    kill_after_seconds  bigint,
    kill_deadline_at    timestamptz,
    auto_suspend        boolean     NOT NULL DEFAULT false,
    ended_at            timestamptz,
    ended_by            text
);
CREATE UNIQUE INDEX maintenance_windows_one_open ON maintenance_windows ((true)) WHERE ended_at IS NULL;

-- The audit: every action on a window, who and when. Rows with changed = true are the phase
-- changes UiPath clients read as maintenanceLogs.
CREATE TABLE maintenance_transitions (
    id          bigserial   PRIMARY KEY,
    window_id   bigint      NOT NULL REFERENCES maintenance_windows (id),
    phase       text        NOT NULL CHECK (phase IN ('None', 'Draining', 'Suspended')),
    changed     boolean     NOT NULL,
    at          timestamptz NOT NULL,
    by          text        NOT NULL,
    note        text
);
CREATE INDEX maintenance_transitions_window ON maintenance_transitions (window_id, id);
