package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.TenantCounts;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.jobs.JobMessages.WindowJob;
import org.orchestrator.contracts.jobs.JobMessages.WindowJobs;

/**
 * What maintenance does to jobs, set-based: one {@code UPDATE} stops (or kills) every job of every
 * tenant, tagged with the window that did it. Both sweeps are idempotent: a job already Stopping is
 * not touched by a second Stop sweep, one already Terminating not by a second Kill sweep.
 */
final class MaintenanceSweeps {

  private static final String ACTIVE = JobSql.ACTIVE;

  private final Pool pool;

  MaintenanceSweeps(Pool pool) {
    this.pool = pool;
  }

  /**
   * Running jobs, and Pending ones already handed to a robot, go to Stopping: every tenant's, or
   * ({@code tenantId}) one tenant's for its own window.
   */
  Future<SweepResult> stopAll(long windowId, Long tenantId) {
    return pool.preparedQuery("""
            UPDATE jobs SET state = 'Stopping', updated_at = now(),
              stop_requested_at = coalesce(stop_requested_at, now()), stop_window_id = $1
            WHERE ($2::bigint IS NULL OR tenant_id = $2) AND (state = 'Running' OR\s""" + JobSql.handedOut("") + ")")
        .execute(Tuple.of(windowId, tenantId))
        .map(rows -> new SweepResult(rows.rowCount()));
  }

  /** Every job a robot has that is not already being killed goes to Terminating (one tenant's, or every one's). */
  Future<SweepResult> killAll(long windowId, Long tenantId) {
    return pool.preparedQuery("""
            UPDATE jobs SET state = 'Terminating', updated_at = now(),
              kill_requested_at = coalesce(kill_requested_at, now()), kill_window_id = $1
            WHERE ($2::bigint IS NULL OR tenant_id = $2)
              AND (state IN ('Running', 'Stopping') OR\s""" + JobSql.handedOut("") + ")")
        .execute(Tuple.of(windowId, tenantId))
        .map(rows -> new SweepResult(rows.rowCount()));
  }

  Future<ActiveJobs> active(int sampleLimit) {
    Future<RowSet<Row>> counts = pool.query("SELECT tenant_id, count(*) FROM jobs WHERE " + ACTIVE
        + " GROUP BY tenant_id ORDER BY tenant_id").execute();
    Future<RowSet<Row>> sample = sampleLimit <= 0 ? Future.succeededFuture(null)
        : pool.preparedQuery("SELECT id, tenant_id, state, robot_id FROM jobs WHERE " + ACTIVE
            + " ORDER BY id LIMIT $1").execute(Tuple.of(sampleLimit));
    return Future.all(counts, sample).map(both -> {
      Map<Long, Long> byTenant = new LinkedHashMap<>();
      long total = 0;
      for (Row row : counts.result()) {
        byTenant.put(row.getLong(0), row.getLong(1));
        total += row.getLong(1);
      }
      List<ActiveJob> jobs = new ArrayList<>();
      if (sample.result() != null) {
        for (Row row : sample.result()) {
          jobs.add(new ActiveJob(row.getLong("id"), row.getLong("tenant_id"), row.getString("state"),
              row.getLong("robot_id")));
        }
      }
      return new ActiveJobs(total, byTenant, jobs);
    });
  }

  /**
   * The window's Stop and Kill counts per tenant. A Stop is acknowledged when its job ended without
   * being sent Kill in the window; a job killed after ignoring its Stop acknowledged its Kill only
   * (as {@code orchestrator_job_stops_acknowledged_total} counts it: docs/metrics.md).
   */
  Future<WindowCounts> counts(long windowId) {
    String ended = JobSql.FINAL;
    return pool.preparedQuery("SELECT tenant_id,"
            + " count(*) FILTER (WHERE stop_window_id = $1),"
            + " count(*) FILTER (WHERE stop_window_id = $1 AND kill_window_id IS DISTINCT FROM $1 AND " + ended + "),"
            + " count(*) FILTER (WHERE kill_window_id = $1),"
            + " count(*) FILTER (WHERE kill_window_id = $1 AND " + ended + ")"
            + " FROM jobs WHERE stop_window_id = $1 OR kill_window_id = $1 GROUP BY tenant_id")
        .execute(Tuple.of(windowId))
        .map(rows -> {
          Map<Long, TenantCounts> byTenant = new TreeMap<>();
          for (Row row : rows) {
            byTenant.put(row.getLong(0), new TenantCounts(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4)));
          }
          return new WindowCounts(byTenant);
        });
  }

  Future<WindowJobs> windowJobs(long windowId, Long tenantId) {
    return pool.preparedQuery("""
            SELECT tenant_id, id, coalesce(stop_window_id = $1, false) AS stopped,
                   coalesce(kill_window_id = $1, false) AS killed, process_name, state
            FROM jobs WHERE (stop_window_id = $1 OR kill_window_id = $1) AND ($2::bigint IS NULL OR tenant_id = $2)
            ORDER BY tenant_id, id""")
        .execute(Tuple.of(windowId, tenantId))
        .map(rows -> {
          List<WindowJob> jobs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            jobs.add(new WindowJob(row.getLong("tenant_id"), row.getLong("id"), row.getBoolean("stopped"),
                row.getBoolean("killed"), row.getString("process_name"), row.getString("state")));
          }
          return new WindowJobs(jobs);
        });
  }
}
