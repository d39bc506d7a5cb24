package org.orchestrator.webhooks;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.webhooks.WebhookMessages.Attempt;
import org.orchestrator.contracts.webhooks.WebhookMessages.Delivery;
import org.orchestrator.contracts.webhooks.WebhookMessages.Webhook;
import org.orchestrator.platform.database.Timestamps;

/** The webhooks, the outbox of deliveries and their attempts. */
final class WebhookRepository {

  private static final String COLUMNS = "id, tenant_id, url, events, created_at, created_by";

  /** A delivery claimed for an attempt: what to send where, signed with what. */
  record Claimed(UUID id, String event, long eventId, String body, Instant createdAt, int attempts, String url,
      String secret, boolean webhookDeleted) {
  }

  /** A delivery to store: its id, the webhook, and the body as it will be sent on every attempt. */
  record Outgoing(UUID id, long webhookId, long tenantId, String event, long eventId, String body) {
  }

  /** An active webhook subscribed to some events. */
  record Subscriber(long id, long tenantId, List<String> events) {
  }

  private final Pool pool;

  WebhookRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Webhook> insert(long tenantId, String url, String secret, List<String> events, String by, int maxPerTenant) {
    return pool.withTransaction(tx -> tx.preparedQuery(
            // the tenant's rows are locked, so two registrations at once cannot both pass the limit
            "SELECT count(*) FROM (SELECT id FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL FOR UPDATE) t")
        .execute(Tuple.of(tenantId))
        .compose(count -> count.iterator().next().getLong(0) >= maxPerTenant
            ? Future.failedFuture(Failure.conflict("the tenant has " + maxPerTenant + " webhooks, the limit; "
                + "remove one first"))
            : tx.preparedQuery("INSERT INTO webhooks (tenant_id, url, secret, events, created_by) VALUES ($1, $2, $3, "
                    + "$4, $5) RETURNING " + COLUMNS)
                .execute(Tuple.of(tenantId, url, secret, events.toArray(String[]::new), by)))
        .map(rows -> webhook(rows.iterator().next())));
  }

  Future<List<Webhook>> list(long tenantId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM webhooks WHERE tenant_id = $1 AND deleted_at IS NULL "
            + "ORDER BY id")
        .execute(Tuple.of(tenantId))
        .map(rows -> {
          List<Webhook> list = new ArrayList<>();
          rows.forEach(row -> list.add(webhook(row)));
          return list;
        });
  }

  /**
   * Removes a webhook of the tenant; its waiting deliveries are given up. False when there is none.
   * One with no delivery at all is gone at once; the others are kept (removed) while their
   * deliveries are, so that their listing stays readable.
   */
  Future<Boolean> delete(long tenantId, long id, Instant at) {
    return pool.withTransaction(tx -> tx.preparedQuery("DELETE FROM webhooks w WHERE id = $1 AND tenant_id = $2 "
            + "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id)")
        .execute(Tuple.of(id, tenantId))
        .compose(gone -> gone.rowCount() > 0 ? Future.succeededFuture(true) : softDelete(tx, tenantId, id, at)));
  }

  private static Future<Boolean> softDelete(SqlClient tx, long tenantId, long id, Instant at) {
    return tx.preparedQuery("UPDATE webhooks SET deleted_at = $3 WHERE id = $1 "
            + "AND tenant_id = $2 AND deleted_at IS NULL")
        .execute(Tuple.of(id, tenantId, Timestamps.utc(at)))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : tx.preparedQuery("UPDATE webhook_deliveries SET state = 'GaveUp', settled_at = $2, leased_until = NULL "
                    + "WHERE webhook_id = $1 AND state = 'Pending'")
                .execute(Tuple.of(id, Timestamps.utc(at))).map(true));
  }

  /** Whether the tenant has this webhook (removed ones included: their deliveries stay readable). */
  Future<Boolean> owns(long tenantId, long id) {
    return pool.preparedQuery("SELECT 1 FROM webhooks WHERE id = $1 AND tenant_id = $2").execute(Tuple.of(id, tenantId))
        .map(rows -> rows.size() > 0);
  }

  /**
   * One page of a webhook's deliveries, newest event first, each with its attempts (oldest first);
   * keyset on the event's sequence (one delivery per webhook and event).
   */
  Future<Page<Delivery>> deliveries(long webhookId, PageRequest page) {
    return pool.preparedQuery("""
            SELECT id, event, event_id, state, attempts, created_at, next_attempt_at, delivered_at
            FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::bigint IS NULL OR event_id < $2)
            ORDER BY event_id DESC LIMIT $3 OFFSET $4""")
        .execute(Tuple.of(webhookId, page.afterId(), page.limit(), page.offset()))
        .compose(rows -> {
          Map<UUID, Row> byId = new LinkedHashMap<>();
          rows.forEach(row -> byId.put(row.getUUID("id"), row));
          if (byId.isEmpty()) {
            return Future.succeededFuture(List.<Delivery>of());
          }
          return pool.preparedQuery("SELECT delivery_id, at, duration_ms, status, error, response FROM webhook_attempts "
                  + "WHERE delivery_id = ANY($1) ORDER BY id")
              .execute(Tuple.of(byId.keySet().toArray(UUID[]::new)))
              .map(attempts -> {
                Map<UUID, List<Attempt>> tries = new LinkedHashMap<>();
                attempts.forEach(a -> tries.computeIfAbsent(a.getUUID("delivery_id"), k -> new ArrayList<>())
                    .add(new Attempt(Timestamps.instant(a.getOffsetDateTime("at")), a.getLong("duration_ms"),
                        a.getInteger("status"), a.getString("error"), a.getString("response"))));
                List<Delivery> list = new ArrayList<>();
                byId.forEach((id, row) -> list.add(new Delivery(id.toString(), row.getString("event"),
                    row.getLong("event_id"), row.getString("state"), row.getInteger("attempts"),
                    Timestamps.instant(row.getOffsetDateTime("created_at")),
                    "Pending".equals(row.getString("state")) ? Timestamps.instant(row.getOffsetDateTime("next_attempt_at"))
                        : null,
                    Timestamps.instant(row.getOffsetDateTime("delivered_at")), List.copyOf(tries.getOrDefault(id, List.of())))));
                return list;
              });
        }).map(list -> Page.of(list, page, delivery -> Long.toString(delivery.sequence())));
  }

  Future<Long> cursor() {
    return pool.query("SELECT last_event_id FROM webhook_cursor WHERE id = 1").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  Future<List<Subscriber>> subscribers() {
    return pool.query("SELECT id, tenant_id, events FROM webhooks WHERE deleted_at IS NULL").execute()
        .map(rows -> {
          List<Subscriber> list = new ArrayList<>();
          rows.forEach(row -> list.add(new Subscriber(row.getLong("id"), row.getLong("tenant_id"),
              Arrays.asList(row.getArrayOfStrings("events")))));
          return list;
        });
  }

  /**
   * Stores deliveries and moves the cursor to {@code lastEventId}, in one transaction: an event
   * becomes deliveries once, and a delivery stored twice (two nodes at once) is kept once.
   */
  Future<Void> enqueue(List<Outgoing> deliveries, long lastEventId, Instant at) {
    return pool.withTransaction(tx -> {
      Future<?> inserted = Future.succeededFuture();
      if (!deliveries.isEmpty()) {
        List<Tuple> batch = deliveries.stream().map(d -> Tuple.of(d.id(), d.webhookId(), d.tenantId(), d.event(),
            d.eventId(), d.body(), Timestamps.utc(at))).toList();
        inserted = tx.preparedQuery("""
                INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, created_at,
                  next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                ON CONFLICT (webhook_id, event_id) DO NOTHING""").executeBatch(batch);
      }
      return inserted.compose(ok -> tx.preparedQuery(
              "UPDATE webhook_cursor SET last_event_id = greatest(last_event_id, $1) WHERE id = 1")
          .execute(Tuple.of(lastEventId))).mapEmpty();
    });
  }

  /**
   * Claims up to {@code limit} deliveries due at {@code now} for this node until {@code leaseUntil}:
   * another node skips them meanwhile, and takes them up after it if this node died.
   */
  Future<List<Claimed>> claim(Instant now, Instant leaseUntil, int limit) {
    return pool.preparedQuery("""
            UPDATE webhook_deliveries d SET leased_until = $2
            FROM webhooks w
            WHERE w.id = d.webhook_id AND d.id IN (
              SELECT id FROM webhook_deliveries
              WHERE state = 'Pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
              ORDER BY next_attempt_at, event_id LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.event, d.event_id, d.body, d.created_at, d.attempts, w.url, w.secret,
              w.deleted_at IS NOT NULL AS deleted""")
        .execute(Tuple.of(Timestamps.utc(now), Timestamps.utc(leaseUntil), limit))
        .map(rows -> {
          List<Claimed> list = new ArrayList<>();
          rows.forEach(row -> list.add(new Claimed(row.getUUID("id"), row.getString("event"), row.getLong("event_id"),
              row.getString("body"), Timestamps.instant(row.getOffsetDateTime("created_at")), row.getInteger("attempts"),
              row.getString("url"), row.getString("secret"), row.getBoolean("deleted"))));
          return list;
        });
  }

  /** Where a delivery goes after an attempt: Delivered, tried again at {@code next}, or GaveUp. */
  enum Outcome { DELIVERED, RETRY, GAVE_UP }

  /** Records an attempt and the delivery's new state, in one transaction. */
  Future<Void> settle(UUID id, Instant at, long durationMillis, Integer status, String error, String response,
      Outcome outcome, Instant next) {
    return pool.withTransaction(tx -> attempt(tx, id, at, durationMillis, status, error, response)
        .compose(ok -> tx.preparedQuery("""
                UPDATE webhook_deliveries SET attempts = attempts + 1, leased_until = NULL, state = $2,
                  next_attempt_at = coalesce($3, next_attempt_at), delivered_at = $4, settled_at = $5
                WHERE id = $1""")
            .execute(Tuple.of(id, switch (outcome) {
              case DELIVERED -> "Delivered";
              case RETRY -> "Pending";
              case GAVE_UP -> "GaveUp";
            }, Timestamps.utc(next), outcome == Outcome.DELIVERED ? Timestamps.utc(at) : null,
                outcome == Outcome.RETRY ? null : Timestamps.utc(at))))
        .mapEmpty());
  }

  private static Future<Void> attempt(SqlClient tx, UUID id, Instant at, long durationMillis, Integer status,
      String error, String response) {
    return tx.preparedQuery("INSERT INTO webhook_attempts (delivery_id, at, duration_ms, status, error, response) "
            + "VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(id, Timestamps.utc(at), durationMillis, status, error, response))
        .mapEmpty();
  }

  /** Deliveries waiting, and when the oldest of them was made. */
  record Backlog(long waiting, Instant oldest) {
  }

  Future<Backlog> backlog() {
    return pool.query("SELECT count(*), min(created_at) FROM webhook_deliveries WHERE state = 'Pending'").execute()
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Backlog(row.getLong(0), Timestamps.instant(row.getOffsetDateTime(1)));
        });
  }

  /**
   * Forgets removed webhooks that have no delivery left to show. Settled deliveries themselves leave
   * by retention (its policy's webhookDeliveriesDays, archived first when it says so).
   */
  Future<Integer> forgetRemovedWebhooks() {
    return pool.query("DELETE FROM webhooks w WHERE deleted_at IS NOT NULL AND NOT EXISTS "
            + "(SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id)").execute()
        .map(webhooks -> webhooks.rowCount());
  }

  private static Webhook webhook(Row row) {
    return new Webhook(row.getLong("id"), row.getLong("tenant_id"), row.getString("url"),
        List.of(row.getArrayOfStrings("events")), Timestamps.instant(row.getOffsetDateTime("created_at")),
        row.getString("created_by"));
  }
}
