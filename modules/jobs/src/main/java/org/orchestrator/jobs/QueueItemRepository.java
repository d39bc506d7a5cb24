package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.orchestrator.platform.database.Timestamps;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;

/** Queue items per tenant and queue. */
final class QueueItemRepository {

  private final Pool pool;

  QueueItemRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Adds an item. A {@code reference} is unique per tenant and queue: adding it again returns the
   * existing item's id when the payload is the same (a resent add), and fails with CONFLICT when it
   * differs (another item under a used reference).
   */
  Future<Long> insert(long tenantId, long robotId, String queueName, String reference, JsonObject payload) {
    return pool.preparedQuery("""
            INSERT INTO queue_items (tenant_id, queue_name, reference, payload, robot_id) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, queue_name, reference) WHERE reference IS NOT NULL DO NOTHING
            RETURNING id""")
        .execute(Tuple.of(tenantId, queueName, reference, payload, robotId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows.iterator().next().getLong(0))
            : pool.preparedQuery("SELECT id, payload FROM queue_items WHERE tenant_id = $1 AND queue_name = $2 "
                    + "AND reference = $3")
                .execute(Tuple.of(tenantId, queueName, reference))
                .map(existing -> {
                  Row row = existing.iterator().next();
                  if (!payload.equals(row.getValue("payload"))) {
                    throw Failure.conflict("queue " + queueName + " already has an item with reference '" + reference
                        + "' and another payload");
                  }
                  return row.getLong("id");
                }));
  }

  Future<List<QueueItem>> page(long tenantId, String queueName, int page, int size) {
    return pool.preparedQuery("""
            SELECT id, queue_name, reference, payload, robot_id, created_at FROM queue_items
            WHERE tenant_id = $1 AND ($2::text IS NULL OR queue_name = $2)
            ORDER BY id DESC LIMIT $3 OFFSET $4""")
        .execute(Tuple.of(tenantId, queueName, size, (long) (page - 1) * size))
        .map(rows -> {
          List<QueueItem> items = new ArrayList<>(rows.size());
          for (Row row : rows) {
            items.add(new QueueItem(row.getLong("id"), row.getString("queue_name"), row.getString("reference"),
                (JsonObject) row.getValue("payload"), row.getLong("robot_id"),
                Timestamps.instant(row, "created_at")));
          }
          return items;
        });
  }

  Future<Long> count(long tenantId, String queueName) {
    return pool.preparedQuery("SELECT count(*) FROM queue_items WHERE tenant_id = $1 AND ($2::text IS NULL OR queue_name = $2)")
        .execute(Tuple.of(tenantId, queueName))
        .map(rows -> rows.iterator().next().getLong(0));
  }
}
