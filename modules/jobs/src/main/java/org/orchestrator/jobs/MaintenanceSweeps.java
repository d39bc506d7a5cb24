package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
import org.orchestrator.contracts.jobs.JobMessages.ListWindowJobs;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.StartFence;
import org.orchestrator.platform.database.SqlStates;

/**
 * What maintenance does to jobs, set-based: one {@code UPDATE} stops (or kills) every job of every
 * tenant, tagged with the window that did it. Both sweeps are idempotent: a job already Stopping is
 * not touched by a second Stop sweep, one already Terminating not by a second Kill sweep.
 */
final class MaintenanceSweeps {

  private static final String ACTIVE = JobSql.ACTIVE;
  /**
   * A sweep locks many jobs in its own order, and a group of job writes (decision 121) holds a few
   * until it commits: when the two meet in a deadlock and PostgreSQL gives the sweep up, it runs
   * again (the group then has committed), rather than failing the operator's Start.
   */
  private static final int DEADLOCK_ATTEMPTS = 3;

  private final Pool pool;

  MaintenanceSweeps(Pool pool) {
    this.pool = pool;
  }

  /**
   * Running jobs, and Pending ones already handed to a robot, go to Stopping: every tenant's, or
   * ({@code tenantId}) one tenant's for its own window; jobs of exempt processes are left alone
   * while their tenant is Draining ({@link JobSql#toStop}).
   */
  Future<SweepResult> stopAll(long windowId, Long tenantId, boolean exemptionsEnd) {
    // the exempt jobs it leaves running are tagged with the window (their record in the tenant's log);
    // the guard skips the per-row check when the window exempts nothing
    String stop = exemptionsEnd ? JobSql.stoppable("") : JobSql.toStop("");
    return SqlStates.retryOnDeadlock(() -> pool.preparedQuery("WITH stopped AS ("
            + " UPDATE jobs SET state = 'Stopping', updated_at = now(),"
            + " stop_requested_at = coalesce(stop_requested_at, now()), stop_window_id = $1"
            + " WHERE ($2::bigint IS NULL OR tenant_id = $2) AND " + stop + " RETURNING id),"
            + " tagged AS ("
            + " UPDATE jobs SET exempt_window_id = $1"
            + " WHERE NOT $3::boolean AND ($2::bigint IS NULL OR tenant_id = $2) AND " + JobSql.ACTIVE
            + " AND exempt_window_id IS DISTINCT FROM $1"
            + " AND " + StartFence.windowExempts("$1")
            + " AND " + StartFence.exemptWindow("tenant_id", "process_name") + " = $1 RETURNING id)"
            + " SELECT (SELECT count(*) FROM stopped), (SELECT count(*) FROM tagged)")
        .execute(Tuple.of(windowId, tenantId, exemptionsEnd)), DEADLOCK_ATTEMPTS)
        .map(rows -> new SweepResult((int) (long) rows.iterator().next().getLong(0)));
  }

  /**
   * Every job a robot has that is not already being killed goes to Terminating (one tenant's, or
   * every one's), except those of exempt processes while Draining ({@link JobSql#toKill}).
   */
  Future<SweepResult> killAll(long windowId, Long tenantId, boolean exemptionsEnd) {
    return SqlStates.retryOnDeadlock(() -> pool.preparedQuery("""
            UPDATE jobs SET state = 'Terminating', updated_at = now(),
              kill_requested_at = coalesce(kill_requested_at, now()), kill_window_id = $1
            WHERE ($2::bigint IS NULL OR tenant_id = $2) AND\s""" + (exemptionsEnd ? JobSql.killable("") : JobSql.toKill("")))
        .execute(Tuple.of(windowId, tenantId)), DEADLOCK_ATTEMPTS)
        .map(rows -> new SweepResult(rows.rowCount()));
  }

  /**
   * The active jobs (what maintenance waits for), per tenant, with those of exempt processes apart:
   * exempt on the committed phase, or ({@code assumed}, for a preview before any window) as if a
   * window with that list were Draining.
   */
  Future<ActiveJobs> active(int sampleLimit, List<Exemption> assumed) {
    String exempt = assumed == null ? JobSql.exempt("")
        : "(tenant_id, process_name) IN (SELECT t, p FROM unnest($2::bigint[], $3::text[]) AS x(t, p))";
    Tuple params = Tuple.tuple().addInteger(Math.max(0, sampleLimit));
    if (assumed != null) {
      params.addArrayOfLong(assumed.stream().map(Exemption::tenantId).toArray(Long[]::new))
          .addArrayOfString(assumed.stream().map(Exemption::processName).toArray(String[]::new));
    }
    return pool.preparedQuery("WITH a AS (SELECT id, tenant_id, state, robot_id, process_name, " + exempt
            + " AS exempt FROM jobs WHERE " + ACTIVE + "), "
            + "counts AS (SELECT tenant_id, count(*) AS n, count(*) FILTER (WHERE exempt) AS e FROM a GROUP BY tenant_id) "
            + "SELECT 'count' AS kind, tenant_id, n, e, NULL::bigint AS id, NULL AS state, NULL::bigint AS robot_id, "
            + "NULL AS process_name, NULL::boolean AS exempt FROM counts "
            + "UNION ALL (SELECT 'job', tenant_id, NULL, NULL, id, state, robot_id, process_name, exempt FROM a "
            + "ORDER BY exempt DESC, id LIMIT $1) ORDER BY kind, tenant_id, id")
        .execute(params)
        .map(rows -> {
          Map<Long, Long> byTenant = new LinkedHashMap<>();
          Map<Long, Long> exemptByTenant = new LinkedHashMap<>();
          List<ActiveJob> jobs = new ArrayList<>();
          long total = 0;
          long exempted = 0;
          for (Row row : rows) {
            if ("count".equals(row.getString("kind"))) {
              byTenant.put(row.getLong("tenant_id"), row.getLong("n"));
              total += row.getLong("n");
              if (row.getLong("e") > 0) {
                exemptByTenant.put(row.getLong("tenant_id"), row.getLong("e"));
                exempted += row.getLong("e");
              }
            } else {
              jobs.add(new ActiveJob(row.getLong("id"), row.getLong("tenant_id"), row.getString("state"),
                  row.getLong("robot_id"), row.getString("process_name"), row.getBoolean("exempt")));
            }
          }
          return new ActiveJobs(total, byTenant, jobs, exempted, exemptByTenant);
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

  /**
   * The jobs the window stopped or killed, and those that ran through it as exempt (tagged with it
   * when started or swept), each exempt one with the reason the window's list gives its process.
   */
  Future<WindowJobs> windowJobs(ListWindowJobs query) {
    List<Exemption> exempt = query.exempt() == null ? List.of() : query.exempt();
    return pool.preparedQuery("""
            SELECT tenant_id, id, coalesce(stop_window_id = $1, false) AS stopped,
                   coalesce(kill_window_id = $1, false) AS killed, process_name, state, NULL AS exempt_reason
            FROM jobs WHERE (stop_window_id = $1 OR kill_window_id = $1) AND ($2::bigint IS NULL OR tenant_id = $2)
            UNION ALL
            SELECT j.tenant_id, j.id, false, false, j.process_name, j.state, coalesce(e.r, '')
            FROM jobs j LEFT JOIN unnest($3::bigint[], $4::text[], $5::text[]) AS e(t, p, r)
              ON e.t = j.tenant_id AND e.p = j.process_name
            WHERE j.exempt_window_id = $1 AND ($2::bigint IS NULL OR j.tenant_id = $2)
              AND j.stop_window_id IS DISTINCT FROM $1 AND j.kill_window_id IS DISTINCT FROM $1
            ORDER BY 1, 2""")
        .execute(Tuple.tuple().addLong(query.windowId()).addValue(query.tenantId())
            .addArrayOfLong(exempt.stream().map(Exemption::tenantId).toArray(Long[]::new))
            .addArrayOfString(exempt.stream().map(Exemption::processName).toArray(String[]::new))
            .addArrayOfString(exempt.stream().map(Exemption::reason).toArray(String[]::new)))
        .map(rows -> {
          List<WindowJob> jobs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            jobs.add(new WindowJob(row.getLong("tenant_id"), row.getLong("id"), row.getBoolean("stopped"),
                row.getBoolean("killed"), row.getString("process_name"), row.getString("state"),
                row.getString("exempt_reason")));
          }
          return new WindowJobs(jobs);
        });
  }
}
