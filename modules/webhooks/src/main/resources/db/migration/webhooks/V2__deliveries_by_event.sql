-- A webhook's deliveries are listed newest event first and paged by the event's sequence (keyset).
CREATE INDEX webhook_deliveries_webhook_event ON webhook_deliveries (webhook_id, event_id DESC);
DROP INDEX webhook_deliveries_webhook;
