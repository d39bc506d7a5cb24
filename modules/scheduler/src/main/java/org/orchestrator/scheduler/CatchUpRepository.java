package org.orchestrator.scheduler;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.platform.database.Timestamps;

/**
 * The catch-ups of RunOnce schedules: which windows skipped fires, the one catch-up each RunOnce
 * schedule is owed per closed window, and their settlement. Tables {@code schedule_catch_up_windows}
 * and {@code schedule_catch_ups}.
 */
final class CatchUpRepository {

  /** A catch-up due, with what its job needs (null process name: the schedule was deleted since). */
  record DueCatchUp(long scheduleId, long windowId, long tenantId, Instant plannedAt, String processName,
      Long robotId, boolean enabled) {
  }

  /** How a catch-up ends: its job, or why not. */
  record Settled(long scheduleId, long windowId, long tenantId, Long jobId, String refusal) {
  }

  private final Pool pool;

  CatchUpRepository(Pool pool) {
    this.pool = pool;
  }

  /** Registers the windows of skipped fires (in the transaction recording them); planned later. */
  static Future<Void> skippedIn(SqlClient client, Collection<Long> windows) {
    if (windows.isEmpty()) {
      return Future.succeededFuture();
    }
    return client.preparedQuery("INSERT INTO schedule_catch_up_windows (window_id) SELECT unnest($1::bigint[]) "
            + "ON CONFLICT DO NOTHING")
        .execute(Tuple.of(windows.toArray(Long[]::new)))
        .mapEmpty();
  }

  /** Windows that skipped fires and whose catch-ups are not planned yet, except those still open. */
  Future<List<Long>> unplanned(Collection<Long> open) {
    return pool.preparedQuery("SELECT window_id FROM schedule_catch_up_windows WHERE catch_ups IS NULL "
            + "AND NOT (window_id = ANY($1)) ORDER BY window_id")
        .execute(Tuple.of(open.toArray(Long[]::new)))
        .map(rows -> {
          List<Long> windows = new ArrayList<>(rows.size());
          rows.forEach(row -> windows.add(row.getLong(0)));
          return windows;
        });
  }

  /**
   * Plans the catch-ups of a closed window, once: each RunOnce schedule (enabled) that skipped fires
   * in it is owed one job, keyed by its last skipped fire, due evenly over {@code spreadSeconds}
   * from {@code now}. The window's row is locked, so that of two nodes planning at once one plans
   * and the other finds it done.
   *
   * @return how many catch-ups the window owes (planned now or before)
   */
  Future<Integer> plan(long windowId, Instant now, int spreadSeconds) {
    return pool.withTransaction(tx -> tx.preparedQuery(
            "SELECT catch_ups FROM schedule_catch_up_windows WHERE window_id = $1 FOR UPDATE")
        .execute(Tuple.of(windowId))
        .compose(rows -> {
          Integer planned = rows.size() == 0 ? Integer.valueOf(0) : rows.iterator().next().getInteger(0);
          if (planned != null) {
            return Future.succeededFuture(planned);
          }
          return tx.preparedQuery("""
                  WITH owed AS (
                    SELECT f.schedule_id, s.tenant_id, max(f.planned_at) AS planned_at
                    FROM schedule_fires f JOIN schedules s ON s.id = f.schedule_id
                    WHERE f.window_id = $1 AND f.outcome = 'Skipped' AND s.missed_fire_policy = 'RunOnce' AND s.enabled
                    GROUP BY f.schedule_id, s.tenant_id
                  ), numbered AS (
                    SELECT owed.*, row_number() OVER (ORDER BY schedule_id) - 1 AS n, count(*) OVER () AS total
                    FROM owed
                  )
                  INSERT INTO schedule_catch_ups (schedule_id, window_id, tenant_id, planned_at, due_at)
                  SELECT schedule_id, $1, tenant_id, planned_at,
                         $2::timestamptz + make_interval(secs => n * $3::double precision / total)
                  FROM numbered
                  ON CONFLICT DO NOTHING""")
              .execute(Tuple.of(windowId, Timestamps.utc(now), spreadSeconds))
              .compose(inserted -> tx.preparedQuery("UPDATE schedule_catch_up_windows SET catch_ups = $2, "
                      + "planned_at = now() WHERE window_id = $1")
                  .execute(Tuple.of(windowId, inserted.rowCount()))
                  .map(updated -> inserted.rowCount()));
        }));
  }

  /**
   * Claims at most {@code limit} catch-ups due at {@code now} ({@code FOR UPDATE SKIP LOCKED}) and
   * records what {@code decide} made of them, in one transaction. When {@code decide} fails they
   * stay Pending, to be asked again; job control answers a repeated request with the job it
   * created the first time (one job per schedule and planned time).
   */
  Future<List<Settled>> claimDue(Instant now, int limit, Collection<Long> waiting,
      Function<List<DueCatchUp>, Future<List<Settled>>> decide) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
            SELECT c.schedule_id, c.window_id, c.tenant_id, c.planned_at, s.process_name, s.robot_id, s.enabled
            FROM schedule_catch_ups c LEFT JOIN schedules s ON s.id = c.schedule_id
            WHERE c.outcome = 'Pending' AND c.due_at <= $1 AND NOT (c.tenant_id = ANY($3))
            ORDER BY c.due_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED""")
        .execute(Tuple.of(Timestamps.utc(now), limit, waiting.toArray(Long[]::new)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(List.<Settled>of());
          }
          List<DueCatchUp> due = new ArrayList<>(rows.size());
          for (Row row : rows) {
            Boolean enabled = row.getBoolean("enabled");
            due.add(new DueCatchUp(row.getLong("schedule_id"), row.getLong("window_id"), row.getLong("tenant_id"),
                row.getOffsetDateTime("planned_at").toInstant(), row.getString("process_name"),
                row.getLong("robot_id"), Boolean.TRUE.equals(enabled)));
          }
          return decide.apply(due).compose(settled -> record(tx, settled).map(settled));
        }));
  }

  private static Future<Void> record(SqlClient tx, List<Settled> settled) {
    int n = settled.size();
    Long[] schedules = new Long[n];
    Long[] windows = new Long[n];
    Long[] jobs = new Long[n];
    String[] reasons = new String[n];
    for (int i = 0; i < n; i++) {
      schedules[i] = settled.get(i).scheduleId();
      windows[i] = settled.get(i).windowId();
      jobs[i] = settled.get(i).jobId();
      reasons[i] = settled.get(i).refusal();
    }
    return tx.preparedQuery("""
            UPDATE schedule_catch_ups c SET outcome = CASE WHEN u.job IS NULL THEN 'Failed' ELSE 'Created' END,
              job_id = u.job, reason = u.reason, settled_at = now()
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[]) AS u(s, w, job, reason)
            WHERE c.schedule_id = u.s AND c.window_id = u.w""")
        .execute(Tuple.tuple().addArrayOfLong(schedules).addArrayOfLong(windows).addArrayOfLong(jobs)
            .addArrayOfString(reasons))
        .mapEmpty();
  }
}
