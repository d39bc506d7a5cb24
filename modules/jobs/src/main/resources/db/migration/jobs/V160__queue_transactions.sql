-- Queue transactions: a robot takes the next New item (InProgress, owned by that robot) and
-- reports its result (Successful or Failed, with an optional output). An item whose robot is
-- declared dead (liveness) goes back to New, so another robot takes it: nothing is lost.
ALTER TABLE queue_items
    ADD COLUMN status text NOT NULL DEFAULT 'New'
        CHECK (status IN ('New', 'InProgress', 'Successful', 'Failed')),
    ADD COLUMN processing_robot_id bigint,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN ended_at timestamptz,
    ADD COLUMN output jsonb,
    ADD COLUMN attempts integer NOT NULL DEFAULT 0;
CREATE INDEX queue_items_next ON queue_items (tenant_id, queue_name, id) WHERE status = 'New';
CREATE INDEX queue_items_in_progress ON queue_items (processing_robot_id) WHERE status = 'InProgress';
