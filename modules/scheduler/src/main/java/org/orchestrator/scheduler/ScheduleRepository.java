package org.orchestrator.scheduler;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Function;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.platform.database.SqlStates;
import org.orchestrator.platform.database.Timestamps;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Fire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.MissedFirePolicy;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FireOutcome;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFire;

/** Schedules and their fires in PostgreSQL. */
final class ScheduleRepository {

  private static final String COLUMNS = "id, tenant_id, name, process_name, cron, time_zone, robot_id, enabled, "
      + "next_fire_at, created_at, missed_fire_policy";

  /** A fire claimed and waiting for its job, with what the job needs. */
  record PendingFire(long scheduleId, long tenantId, Instant plannedAt, String processName, Long robotId) {
  }

  private final Pool pool;

  ScheduleRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Schedule> insert(long tenantId, String name, String processName, String cron, String timeZone,
      Long robotId, Instant nextFireAt, MissedFirePolicy missedFirePolicy) {
    return pool.preparedQuery("INSERT INTO schedules (tenant_id, name, process_name, cron, time_zone, robot_id, "
            + "next_fire_at, missed_fire_policy) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, name, processName, cron, timeZone, robotId, Timestamps.utc(nextFireAt),
            missedFirePolicy.name()))
        .map(rows -> toSchedule(rows.iterator().next()))
        .recover(failure -> Future.failedFuture(SqlStates.isUniqueViolation(failure)
            ? Failure.conflict("a schedule named '" + name + "' exists already") : failure));
  }

  Future<List<Schedule>> list(long tenantId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE tenant_id = $1 ORDER BY id")
        .execute(Tuple.of(tenantId))
        .map(rows -> {
          List<Schedule> list = new ArrayList<>(rows.size());
          rows.forEach(row -> list.add(toSchedule(row)));
          return list;
        });
  }

  Future<Optional<Schedule>> find(long tenantId, long id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE tenant_id = $1 AND id = $2")
        .execute(Tuple.of(tenantId, id))
        .map(ScheduleRepository::first);
  }

  /** Disables the enabled schedules of a tenant that name {@code robotId} (it was deleted); their ids. */
  Future<List<Long>> disableForRobot(long tenantId, long robotId) {
    return pool.preparedQuery("UPDATE schedules SET enabled = false, updated_at = now() "
            + "WHERE tenant_id = $1 AND robot_id = $2 AND enabled RETURNING id")
        .execute(Tuple.of(tenantId, robotId))
        .map(rows -> {
          List<Long> ids = new java.util.ArrayList<>(rows.size());
          rows.forEach(row -> ids.add(row.getLong("id")));
          return ids;
        });
  }

  Future<Optional<Schedule>> setEnabled(long tenantId, long id, boolean enabled, Instant nextFireAt) {
    return pool.preparedQuery("UPDATE schedules SET enabled = $3, next_fire_at = coalesce($4, next_fire_at), "
            + "updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, id, enabled, Timestamps.utc(nextFireAt)))
        .map(ScheduleRepository::first);
  }

  Future<Optional<Schedule>> delete(long tenantId, long id) {
    return pool.preparedQuery("DELETE FROM schedules WHERE tenant_id = $1 AND id = $2 RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, id))
        .map(ScheduleRepository::first);
  }

  /**
   * Claims the enabled schedules due at {@code now}, at most {@code limit} fires of them, and
   * records what became of those fires, in one transaction whatever their number: the due schedules
   * are locked ({@code FOR UPDATE SKIP LOCKED}: concurrent claims, of this node or another, take
   * other rows), {@code due} lists each schedule's fires up to {@code now} (and the range it missed
   * while no node ran the scheduler), {@code decide} settles the fires to run (it asks job control
   * for the jobs, or skips them during maintenance), then one statement records every fire with its
   * outcome and one moves every schedule to the fire after the last one settled. A schedule whose
   * fires do not all fit in the claim keeps the rest due, for the next claim.
   *
   * <p>When {@code decide} fails, or the node dies before the commit, nothing is recorded and the
   * schedules stay due: the next claim decides again, and job control answers with the jobs it
   * created the first time (one job per schedule and planned time), so a fire never runs twice.
   *
   * @return the fires recorded (a full batch, {@code limit} or more, when more may be due)
   */
  Future<List<Settlement>> claimDue(Instant now, Function<Schedule, FireDispatcher.DueFires> due, int limit,
      Function<List<PendingFire>, Future<List<Settlement>>> decide) {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT " + COLUMNS + " FROM schedules "
            + "WHERE enabled AND next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(Timestamps.utc(now), limit))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(List.<Settlement>of());
          }
          List<PendingFire> fires = new ArrayList<>(rows.size());
          List<Settlement> missed = new ArrayList<>();
          List<Long> ids = new ArrayList<>(rows.size());
          List<OffsetDateTime> next = new ArrayList<>(rows.size());
          for (Row row : rows) {
            if (fires.size() >= limit) {
              break; // the rest stay due: the claim is full
            }
            Schedule schedule = toSchedule(row);
            FireDispatcher.DueFires dueFires = due.apply(schedule);
            List<Instant> run = dueFires.run();
            int taken = Math.min(run.size(), limit - fires.size());
            for (Instant plannedAt : run.subList(0, taken)) {
              fires.add(new PendingFire(schedule.id(), schedule.tenantId(), plannedAt, schedule.processName(),
                  schedule.robotId()));
            }
            if (dueFires.missedFrom() != null) {
              missed.add(new Settlement(schedule.id(), schedule.tenantId(), dueFires.missedFrom(), FireOutcome.Skipped,
                  null, missedReason(dueFires), null));
            }
            ids.add(schedule.id());
            next.add(Timestamps.utc(taken < run.size() ? run.get(taken) : dueFires.next()));
          }
          return decide.apply(fires)
              .compose(settlements -> windowsStillOpen(tx, settlements).map(open -> settlements))
              .compose(settlements -> {
                List<Settlement> all = new ArrayList<>(settlements);
                all.addAll(missed);
                return record(tx, all)
                    .compose(recorded -> tx.preparedQuery("""
                            UPDATE schedules SET next_fire_at = f.n, enabled = enabled AND f.n IS NOT NULL
                            FROM unnest($1::bigint[], $2::timestamptz[]) AS f(s, n) WHERE id = f.s""")
                        .execute(Tuple.tuple().addArrayOfLong(ids.toArray(Long[]::new))
                            .addArrayOfOffsetDateTime(next.toArray(OffsetDateTime[]::new))))
                    .map(moved -> all);
              });
        }));
  }

  /**
   * Fires skipped in a window are recorded only while that window is open, under the start fence
   * (held shared until this claim commits; End takes it exclusively): so End's commit, and the
   * tenant's record it closes, come after every skip of its window (decision 115). A window that
   * ended between job control's refusal and this point fails the claim: its fires stay due, and the
   * next tick runs them (job control now admits them).
   */
  private static Future<Void> windowsStillOpen(SqlClient tx, List<Settlement> settlements) {
    Long[] windows = settlements.stream().filter(s -> s.outcome() == FireOutcome.Skipped && s.windowId() != null)
        .map(Settlement::windowId).distinct().toArray(Long[]::new);
    if (windows.length == 0) {
      return Future.succeededFuture();
    }
    // two statements: the read after the lock runs on a snapshot taken after it (READ COMMITTED),
    // so it sees an End that committed while this claim waited for the lock
    return tx.query("SELECT pg_advisory_xact_lock_shared(maintenance_fence_key())").execute()
        .compose(locked -> tx.preparedQuery("SELECT count(*) FROM maintenance_windows WHERE id = ANY($1) "
            + "AND ended_at IS NOT NULL").execute(Tuple.tuple().addArrayOfLong(windows)))
        .compose(rows -> rows.iterator().next().getLong(0) == 0 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new Failure(FailureCode.MAINTENANCE, "a window ended while its fires were being "
                + "skipped: they are run by the next tick")));
  }

  /** The reason of the one record of the fires a schedule missed while no node ran the scheduler. */
  static String missedReason(FireDispatcher.DueFires due) {
    return MISSED_REASON + ": the fires from " + due.missedFrom() + " to " + due.missedUntil()
        + " were missed (no node ran the scheduler then); the fire before them was settled on its own";
  }

  /** The reason of a Missed record starts with this. */
  static final String MISSED_REASON = "Missed";

  /** Records settled fires in one statement; a fire recorded Pending by an earlier version is settled. */
  private static Future<Void> record(SqlClient client, List<Settlement> settlements) {
    if (settlements.isEmpty()) {
      return Future.succeededFuture();
    }
    return client.preparedQuery("""
            INSERT INTO schedule_fires (schedule_id, tenant_id, planned_at, outcome, job_id, reason, window_id)
            SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[],
              $7::bigint[])
            ON CONFLICT (schedule_id, planned_at) DO UPDATE SET outcome = excluded.outcome, job_id = excluded.job_id,
              reason = excluded.reason, window_id = excluded.window_id, recorded_at = now()
            WHERE schedule_fires.outcome = 'Pending'""")
        .execute(columns(settlements, true))
        .compose(recorded -> CatchUpRepository.skippedIn(client, skippedWindows(settlements)));
  }

  private static Tuple columns(List<Settlement> settlements, boolean withTenant) {
    int n = settlements.size();
    Long[] schedules = new Long[n];
    Long[] tenants = new Long[n];
    OffsetDateTime[] planned = new OffsetDateTime[n];
    String[] outcomes = new String[n];
    Long[] jobs = new Long[n];
    String[] reasons = new String[n];
    Long[] windows = new Long[n];
    for (int i = 0; i < n; i++) {
      Settlement settlement = settlements.get(i);
      schedules[i] = settlement.scheduleId();
      tenants[i] = settlement.tenantId();
      planned[i] = Timestamps.utc(settlement.plannedAt());
      outcomes[i] = settlement.outcome().name();
      jobs[i] = settlement.jobId();
      reasons[i] = settlement.reason();
      windows[i] = settlement.windowId();
    }
    Tuple tuple = Tuple.tuple().addArrayOfLong(schedules);
    if (withTenant) {
      tuple.addArrayOfLong(tenants);
    }
    return tuple.addArrayOfOffsetDateTime(planned).addArrayOfString(outcomes).addArrayOfLong(jobs)
        .addArrayOfString(reasons).addArrayOfLong(windows);
  }

  /**
   * Fires recorded Pending at least {@code olderThanSeconds} ago and never settled. Claims no longer
   * leave a fire Pending (they record its outcome); an earlier version did, between claiming and
   * asking for the job, and a node that died in between left such fires behind. Their schedule's current
   * process and robot are returned (null process name: the schedule was deleted since).
   */
  Future<List<PendingFire>> stragglers(int olderThanSeconds, int limit) {
    return pool.preparedQuery("""
            SELECT f.schedule_id, f.tenant_id, f.planned_at, s.process_name, s.robot_id
            FROM schedule_fires f LEFT JOIN schedules s ON s.id = f.schedule_id
            WHERE f.outcome = 'Pending' AND f.recorded_at < now() - make_interval(secs => $1)
            ORDER BY f.planned_at LIMIT $2""")
        .execute(Tuple.of(olderThanSeconds, limit))
        .map(rows -> {
          List<PendingFire> fires = new ArrayList<>(rows.size());
          for (Row row : rows) {
            fires.add(new PendingFire(row.getLong("schedule_id"), row.getLong("tenant_id"),
                row.getOffsetDateTime("planned_at").toInstant(), row.getString("process_name"),
                row.getLong("robot_id")));
          }
          return fires;
        });
  }

  /** How one fire ends: its job, or why not. */
  record Settlement(long scheduleId, long tenantId, Instant plannedAt, FireOutcome outcome, Long jobId, String reason,
      Long windowId) {
  }

  /**
   * Settles fires left Pending (see {@link #stragglers}) in one statement; a fire already settled
   * (by another node) stays as it is.
   */
  Future<Void> settle(List<Settlement> settlements) {
    if (settlements.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("""
            UPDATE schedule_fires SET outcome = v.o, job_id = v.j, reason = v.r, window_id = v.w, recorded_at = now()
            FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::bigint[], $5::text[], $6::bigint[])
              AS v(s, a, o, j, r, w)
            WHERE schedule_id = v.s AND planned_at = v.a AND outcome = 'Pending'""")
        .execute(columns(settlements, false))
        .compose(recorded -> CatchUpRepository.skippedIn(pool, skippedWindows(settlements)));
  }

  private static java.util.Set<Long> skippedWindows(List<Settlement> settlements) {
    return settlements.stream()
        .filter(settled -> settled.outcome() == FireOutcome.Skipped && settled.windowId() != null)
        .map(Settlement::windowId).collect(java.util.stream.Collectors.toSet());
  }

  /** Fires a maintenance window skipped, with their schedules' names when they still exist. */
  Future<List<TenantFire>> skipped(long windowId, Long tenantId) {
    return pool.preparedQuery("""
            SELECT f.tenant_id, f.schedule_id, s.name, f.planned_at FROM schedule_fires f
            LEFT JOIN schedules s ON s.id = f.schedule_id
            WHERE f.window_id = $1 AND f.outcome = 'Skipped' AND ($2::bigint IS NULL OR f.tenant_id = $2)
            ORDER BY f.tenant_id, f.planned_at, f.schedule_id""")
        .execute(Tuple.of(windowId, tenantId))
        .map(rows -> {
          List<TenantFire> fires = new ArrayList<>(rows.size());
          for (Row row : rows) {
            fires.add(new TenantFire(row.getLong("tenant_id"), row.getLong("schedule_id"), row.getString("name"),
                row.getOffsetDateTime("planned_at").toInstant()));
          }
          return fires;
        });
  }

  Future<SkippedCounts> countSkipped(long windowId) {
    return pool.preparedQuery("""
            SELECT tenant_id, count(*) FROM schedule_fires WHERE window_id = $1 AND outcome = 'Skipped'
            GROUP BY tenant_id""")
        .execute(Tuple.of(windowId))
        .map(rows -> {
          Map<Long, Long> byTenant = new TreeMap<>();
          rows.forEach(row -> byTenant.put(row.getLong(0), row.getLong(1)));
          return new SkippedCounts(byTenant);
        });
  }

  /** One page of the enabled schedules, by id after {@code afterId}, for the preview. */
  Future<List<Schedule>> enabled(long afterId, int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE enabled AND id > $1 ORDER BY id LIMIT $2")
        .execute(Tuple.of(afterId, limit))
        .map(rows -> {
          List<Schedule> list = new ArrayList<>(rows.size());
          rows.forEach(row -> list.add(toSchedule(row)));
          return list;
        });
  }

  /** A page of a schedule's fires, newest first (keyset on planned_at: the primary key). */
  Future<Page<Fire>> fires(long tenantId, long scheduleId, PageRequest page) {
    Instant after = page.afterInstant();
    return pool.preparedQuery("SELECT schedule_id, planned_at, outcome, job_id, reason FROM schedule_fires "
            + "WHERE tenant_id = $1 AND schedule_id = $2 AND ($3::timestamptz IS NULL OR planned_at < $3) "
            + "ORDER BY planned_at DESC LIMIT $4 OFFSET $5")
        .execute(Tuple.of(tenantId, scheduleId, after == null ? null : after.atOffset(ZoneOffset.UTC), page.limit(),
            page.offset()))
        .map(rows -> {
          List<Fire> fires = new ArrayList<>(rows.size());
          for (Row row : rows) {
            fires.add(new Fire(row.getLong("schedule_id"), tenantId, row.getOffsetDateTime("planned_at").toInstant(),
                FireOutcome.valueOf(row.getString("outcome")), row.getLong("job_id"), row.getString("reason")));
          }
          return Page.of(fires, page, fire -> fire.plannedAt().toString());
        });
  }

  private static Optional<Schedule> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toSchedule(rows.iterator().next()));
  }

  private static Schedule toSchedule(Row row) {
    OffsetDateTime next = row.getOffsetDateTime("next_fire_at");
    return new Schedule(row.getLong("id"), row.getLong("tenant_id"), row.getString("name"),
        row.getString("process_name"), row.getString("cron"), row.getString("time_zone"), row.getLong("robot_id"),
        row.getBoolean("enabled"), next == null ? null : next.toInstant(),
        row.getOffsetDateTime("created_at").toInstant(), MissedFirePolicy.valueOf(row.getString("missed_fire_policy")));
  }

}
