-- The drain progress as the node that runs the maintenance tick computed it last (one row): every
-- other node reads it here (announced on the phase's NOTIFY channel) instead of counting again.
CREATE TABLE maintenance_progress (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    state_version bigint NOT NULL,
    computed_at timestamptz NOT NULL,
    body jsonb NOT NULL
);
