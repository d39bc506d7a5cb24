package org.orchestrator.webhooks;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.retention.RetentionMessages.Oldest;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.platform.database.RetainedRows;
import org.orchestrator.platform.database.RetainedRows.KeyType;
import org.orchestrator.platform.database.RetainedRows.Table;

/**
 * The webhooks module's side of retention (the {@code webhooks.retention.*} addresses), for the
 * retention module only: settled deliveries (Delivered, GaveUp) by {@code settled_at}, keyed by
 * their UUID (in PostgreSQL's uuid order, which is the order of the lower-case text). A delivery's
 * line is its row with its attempts: the {@code attempts} field, which the row holds as a count,
 * is the array of its attempt rows, oldest first (as many as the count: each attempt adds one in
 * the same transaction). Deleting a delivery deletes its attempts (ON DELETE CASCADE). The oldest
 * row is the oldest settled delivery (a Pending one is not retention's to delete).
 */
final class DeliveryRetention {

  static final Table DELIVERIES = Table.of("webhook_deliveries", KeyType.UUID, "settled_at",
          "t.state IN ('Delivered', 'GaveUp')")
      .withLine("(to_jsonb(t) || jsonb_build_object('attempts', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.id) "
          + "FROM webhook_attempts a WHERE a.delivery_id = t.id), '[]'::jsonb)))::text");

  private final RetainedRows deliveries;

  DeliveryRetention(Pool pool) {
    this.deliveries = new RetainedRows(pool, DELIVERIES);
  }

  RetainedRows of(RetainedTable table) {
    if (table != RetainedTable.webhook_deliveries) {
      throw Failure.badRequest("the webhooks module does not keep " + table);
    }
    return deliveries;
  }

  /** Serves the {@code webhooks.retention.*} addresses; completes when every consumer is registered. */
  Future<?> serve(EventBus bus) {
    return Future.all(List.of(
        Addresses.WEBHOOKS_RETENTION_ROWS.serve(bus, ask -> of(ask.table()).rows(ask)).completion(),
        Addresses.WEBHOOKS_RETENTION_DELETE.serve(bus, ask -> of(ask.table()).delete(ask)).completion(),
        Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED.serve(bus, ask -> of(ask.table()).deleteExpired(ask))
            .completion(),
        Addresses.WEBHOOKS_RETENTION_OLDEST.serve(bus, ask -> of(ask.table()).oldest()
            .map(at -> new Oldest(ask.table(), at))).completion()));
  }
}
