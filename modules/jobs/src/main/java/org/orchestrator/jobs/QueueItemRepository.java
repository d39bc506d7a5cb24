package org.orchestrator.jobs;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.orchestrator.platform.database.GroupCommit;
import org.orchestrator.platform.database.Timestamps;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;

/**
 * Queue items per tenant and queue. A robot's add, take and result are each a write of their own,
 * committed in groups ({@link GroupCommit}): under a fleet's load, the robots' queue writes that
 * arrive together share one transaction and one WAL flush. Call it on the jobs verticle's event loop.
 */
final class QueueItemRepository {

  private final Pool pool;
  private final GroupCommit writes;

  QueueItemRepository(Pool pool) {
    this.pool = pool;
    this.writes = new GroupCommit(pool);
  }

  /**
   * Adds an item. A {@code reference} is unique per tenant and queue: adding it again returns the
   * existing item's id when the payload is the same (a resent add), and fails with CONFLICT when it
   * differs (another item under a used reference).
   */
  Future<Long> insert(long tenantId, long robotId, String queueName, String reference, JsonObject payload) {
    return writes.submit(client -> insert(client, tenantId, robotId, queueName, reference, payload));
  }

  private static Future<Long> insert(SqlClient client, long tenantId, long robotId, String queueName,
      String reference, JsonObject payload) {
    return client.preparedQuery("""
            INSERT INTO queue_items (tenant_id, queue_name, reference, payload, robot_id) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, queue_name, reference) WHERE reference IS NOT NULL DO NOTHING
            RETURNING id""")
        .execute(Tuple.of(tenantId, queueName, reference, payload, robotId))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(rows.iterator().next().getLong(0))
            : client.preparedQuery("SELECT id, payload FROM queue_items WHERE tenant_id = $1 AND queue_name = $2 "
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

  private static final String COLUMNS =
      "id, queue_name, reference, payload, robot_id, created_at, status, processing_robot_id, output";

  /** A page of a tenant's queue items, newest first (keyset on id). */
  Future<Page<QueueItem>> page(long tenantId, String queueName, PageRequest page) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM queue_items"
            + " WHERE tenant_id = $1 AND ($2::text IS NULL OR queue_name = $2) AND ($3::bigint IS NULL OR id < $3)"
            + " ORDER BY id DESC LIMIT $4 OFFSET $5")
        .execute(Tuple.of(tenantId, queueName, page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<QueueItem> items = new ArrayList<>(rows.size());
          rows.forEach(row -> items.add(toItem(row)));
          return Page.of(items, page, item -> Long.toString(item.id()));
        });
  }

  /**
   * Begins a queue transaction: the oldest New item of the queue becomes InProgress for
   * {@code robotId} ({@code SKIP LOCKED}: two robots asking at once get two items, never one twice).
   */
  Future<QueueItem> takeNext(long tenantId, String queueName, long robotId) {
    return writes.submit(client -> client.preparedQuery("""
            WITH next AS (
              SELECT id FROM queue_items WHERE tenant_id = $1 AND queue_name = $2 AND status = 'New'
              ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE queue_items q SET status = 'InProgress', processing_robot_id = $3, started_at = now(),
              attempts = q.attempts + 1
            FROM next WHERE q.id = next.id
            RETURNING\s""" + prefixed("q."))
        .execute(Tuple.of(tenantId, queueName, robotId))
        .map(rows -> rows.size() == 0 ? null : toItem(rows.iterator().next())));
  }

  /**
   * Ends a queue transaction. Only the robot holding the item may, only from InProgress; the same
   * result reported again is answered as before (a resend), another one is CONFLICT.
   */
  Future<QueueItem> finish(long tenantId, long itemId, long robotId, String status, JsonObject output) {
    return writes.submit(client -> finish(client, tenantId, itemId, robotId, status, output));
  }

  private static Future<QueueItem> finish(SqlClient client, long tenantId, long itemId, long robotId, String status,
      JsonObject output) {
    return client.preparedQuery("""
            UPDATE queue_items SET status = $4, output = $5, ended_at = now()
            WHERE id = $1 AND tenant_id = $2 AND processing_robot_id = $3 AND status = 'InProgress'
            RETURNING\s""" + COLUMNS)
        .execute(Tuple.of(itemId, tenantId, robotId, status, output))
        .compose(rows -> rows.size() > 0 ? Future.succeededFuture(toItem(rows.iterator().next()))
            : client.preparedQuery("SELECT " + COLUMNS + " FROM queue_items WHERE id = $1 AND tenant_id = $2")
                .execute(Tuple.of(itemId, tenantId))
                .map(found -> {
                  if (found.size() == 0) {
                    throw Failure.notFound("no queue item " + itemId);
                  }
                  QueueItem item = toItem(found.iterator().next());
                  if (item.processingRobotId() == null || item.processingRobotId() != robotId) {
                    throw Failure.conflict("queue item " + itemId + " was not taken by this robot");
                  }
                  if (item.status().equals(status) && java.util.Objects.equals(item.output(), output)) {
                    return item; // the same result again: already recorded
                  }
                  throw Failure.conflict("queue item " + itemId + " is " + item.status() + " already");
                }));
  }

  /**
   * Items InProgress with robots silent for longer than {@code deadAfterSeconds} (the liveness rule
   * that faults their jobs) go back to New, for another robot to take: a transaction is never lost.
   */
  Future<Integer> releaseItemsOfSilentRobots(int deadAfterSeconds, java.util.Collection<Long> spared) {
    return pool.preparedQuery("""
            UPDATE queue_items q SET status = 'New', processing_robot_id = NULL, started_at = NULL
            FROM robot_presence p
            WHERE q.status = 'InProgress' AND p.robot_id = q.processing_robot_id
              AND p.last_heartbeat_at < now() - make_interval(secs => $1) AND NOT (q.tenant_id = ANY($2))""")
        .execute(Tuple.tuple().addInteger(deadAfterSeconds).addArrayOfLong(spared.toArray(Long[]::new)))
        .map(rows -> rows.rowCount());
  }

  private static String prefixed(String alias) {
    return java.util.Arrays.stream(COLUMNS.split(", ")).map(c -> alias + c)
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static QueueItem toItem(Row row) {
    return new QueueItem(row.getLong("id"), row.getString("queue_name"), row.getString("reference"),
        (JsonObject) row.getValue("payload"), row.getLong("robot_id"), Timestamps.instant(row, "created_at"),
        row.getString("status"), row.getLong("processing_robot_id"), (JsonObject) row.getValue("output"));
  }
}
