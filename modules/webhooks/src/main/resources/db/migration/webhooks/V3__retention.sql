-- Retention (webhooks.retention.*) counts a settled delivery's age from settled_at, which every
-- way of settling one sets (an attempt that delivers or gives up, a removed webhook's Pending ones).
-- A settled row without it (none is made by the code; one edited by hand) gets the time it was
-- delivered, else made, and the rule is kept from now on.
UPDATE webhook_deliveries SET settled_at = coalesce(delivered_at, created_at)
WHERE state <> 'Pending' AND settled_at IS NULL;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_settled_at
    CHECK (state = 'Pending' OR settled_at IS NOT NULL);

-- A tenant's settled deliveries are read and deleted in id order after a key, aged before an
-- instant (the age checked in the index); the oldest settled delivery is one index entry.
CREATE INDEX webhook_deliveries_settled_retention ON webhook_deliveries (tenant_id, id, settled_at)
    WHERE state IN ('Delivered', 'GaveUp');
CREATE INDEX webhook_deliveries_settled ON webhook_deliveries (settled_at)
    WHERE state IN ('Delivered', 'GaveUp');
