package org.orchestrator.jobs;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.orchestrator.contracts.jobs.JobMessages.CommandType;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.Origin;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommand;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJob;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.phase.MaintenanceRules.Work;
import org.orchestrator.contracts.phase.StartFence;
import org.orchestrator.platform.database.GroupCommit;
import org.orchestrator.platform.database.Timestamps;

/** Jobs and robot presence in PostgreSQL. Every state change is a compare-and-set on the state. */
final class JobRepository {

  static final String COLUMNS = "id, tenant_id, process_name, robot_id, state, origin, schedule_id, created_at, "
      + "started_at, ended_at, stop_requested_at, kill_requested_at, start_delivered_at, fault_reason";

  /** Why a job becomes Faulted when its robot, heartbeating, no longer lists it (twice in a row). */
  static final String NO_LONGER_RUNS = "robot no longer runs this job";
  /** Why a job becomes Faulted when its robot stayed silent longer than jobs.robotDeadAfterSeconds. */
  static final String UNRESPONSIVE = "robot unresponsive";

  /** A job faulted by the server, with the state it had. */
  record Faulted(long jobId, JobState was) {
  }

  /** What one heartbeat did: the commands for the robot and the jobs reconciliation faulted. */
  /** @param claimed whether a new job was handed out to the robot by this heartbeat */
  record HeartbeatOutcome(List<RobotCommand> commands, List<Faulted> faulted, boolean claimed) {
  }

  private final Pool pool;
  /** Heartbeats' presence, written in groups (used on the jobs verticle's event loop only). */
  private final PresenceWriter presence;
  /** The heartbeats that claim nothing and list nothing, answered in groups (decision 125). */
  private final QuietHeartbeats quiet;
  /**
   * The robots' job reports (Running, Stopped, ...) and the users' Stop and Kill, committed in
   * groups (decision 121): at the start of a window the whole fleet reports Stopped at once, and
   * after End it reports Running at once. Used on the jobs verticle's event loop only.
   */
  private final GroupCommit writes;

  JobRepository(Pool pool) {
    this(pool, pool);
  }

  /**
   * @param pool the shared pool
   * @param quietPool the connection the quiet heartbeats' groups are written on, one group at a time:
   *     on the node a connection of its own that plans their statement once (decision 127)
   */
  JobRepository(Pool pool, Pool quietPool) {
    this.pool = pool;
    this.presence = new PresenceWriter(pool);
    // a quiet heartbeat alone (its group met a deadlock) is the path every other heartbeat takes
    this.quiet = new QuietHeartbeats(quietPool, (tenantId, robotId) -> heartbeatAlone(tenantId, robotId, null, Work.NONE)
        .map(HeartbeatOutcome::commands));
    this.writes = new GroupCommit(pool);
  }

  /** A new Pending job; empty when the committed phase admits no new work for the tenant (the start fence). */
  Future<Optional<Job>> insert(long tenantId, String processName, Long robotId) {
    return pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id) SELECT $1, $2, $3 "
            + "WHERE " + StartFence.admits("$1", "$2") + " RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, processName, robotId))
        .map(JobRepository::first);
  }

  /**
   * The fires among {@code fires} whose committed phase admits no new job (their tenant is in
   * maintenance and their process is not exempt), holding the start fence shared until {@code tx}
   * ends (so that no other tenant enters maintenance before it commits).
   */
  private static Future<java.util.Set<Fenced>> fenced(SqlClient tx, List<CreateScheduledJob> fires) {
    return tx.preparedQuery("SELECT t, p FROM (SELECT DISTINCT t, p FROM unnest($1::bigint[], $2::text[]) AS f(t, p)) f "
            + "WHERE NOT " + StartFence.admits("f.t", "f.p"))
        .execute(Tuple.tuple().addArrayOfLong(fires.stream().map(CreateScheduledJob::tenantId).toArray(Long[]::new))
            .addArrayOfString(fires.stream().map(CreateScheduledJob::processName).toArray(String[]::new)))
        .map(rows -> {
          java.util.Set<Fenced> refused = new java.util.HashSet<>();
          rows.forEach(row -> refused.add(new Fenced(row.getLong(0), row.getString(1))));
          return refused;
        });
  }

  /** A tenant's process the start fence refused. */
  private record Fenced(long tenantId, String processName) {

    static Fenced of(CreateScheduledJob fire) {
      return new Fenced(fire.tenantId(), fire.processName());
    }
  }

  /**
   * Inserts the jobs of many schedule fires in one statement and answers the job id of each fire:
   * the new job, or the one an earlier attempt (or another node) created, since there is at most one
   * job per (schedule, planned time). When a concurrent insert of the same fire wins,
   * {@code ON CONFLICT DO NOTHING} waits for it to commit; the winners' rows are then read by a
   * second statement (a statement's own snapshot cannot see them).
   */
  Future<List<ScheduledJob>> insertScheduled(List<CreateScheduledJob> all) {
    return pool.withTransaction(tx -> fenced(tx, all).compose(refused -> {
      List<CreateScheduledJob> admitted = refused.isEmpty() ? all
          : all.stream().filter(fire -> !refused.contains(Fenced.of(fire))).toList();
      Future<List<ScheduledJob>> created = admitted.isEmpty() ? Future.succeededFuture(List.of())
          : insertScheduled(tx, admitted);
      return created.map(jobs -> {
        if (refused.isEmpty()) {
          return jobs;
        }
        List<ScheduledJob> answer = new ArrayList<>(jobs);
        all.stream().filter(fire -> refused.contains(Fenced.of(fire))).forEach(fire -> answer.add(
            new ScheduledJob(fire.scheduleId(), fire.plannedAt(), null, ScheduledJob.MAINTENANCE)));
        return answer;
      });
    }));
  }

  private static Future<List<ScheduledJob>> insertScheduled(SqlClient tx, List<CreateScheduledJob> fires) {
    int n = fires.size();
    Long[] tenants = new Long[n];
    String[] processes = new String[n];
    Long[] robots = new Long[n];
    Long[] schedules = new Long[n];
    OffsetDateTime[] planned = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      CreateScheduledJob fire = fires.get(i);
      tenants[i] = fire.tenantId();
      processes[i] = fire.processName();
      robots[i] = fire.robotId();
      schedules[i] = fire.scheduleId();
      planned[i] = Timestamps.utc(fire.plannedAt());
    }
    Map<String, Long> jobIds = new HashMap<>(n * 2);
    return tx.preparedQuery("""
            INSERT INTO jobs (tenant_id, process_name, robot_id, origin, schedule_id, planned_at)
            SELECT t, p, r, 'Schedule', s, a
            FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS f(t, p, r, s, a)
            ON CONFLICT (schedule_id, planned_at) WHERE schedule_id IS NOT NULL DO NOTHING
            RETURNING id, schedule_id, planned_at""")
        .execute(Tuple.tuple().addArrayOfLong(tenants).addArrayOfString(processes).addArrayOfLong(robots)
            .addArrayOfLong(schedules).addArrayOfOffsetDateTime(planned))
        .compose(inserted -> {
          inserted.forEach(row -> jobIds.put(fireKey(row), row.getLong("id")));
          if (inserted.size() == n) {
            return Future.succeededFuture();
          }
          return tx.preparedQuery("""
                  SELECT j.id, j.schedule_id, j.planned_at FROM jobs j
                  JOIN unnest($1::bigint[], $2::timestamptz[]) AS f(s, a) ON j.schedule_id = f.s AND j.planned_at = f.a""")
              .execute(Tuple.tuple().addArrayOfLong(schedules).addArrayOfOffsetDateTime(planned))
              .map(existing -> {
                existing.forEach(row -> jobIds.put(fireKey(row), row.getLong("id")));
                return null;
              });
        })
        .map(done -> {
          List<ScheduledJob> result = new ArrayList<>(n);
          for (CreateScheduledJob fire : fires) {
            result.add(new ScheduledJob(fire.scheduleId(), fire.plannedAt(),
                jobIds.get(fire.scheduleId() + "@" + fire.plannedAt()), null));
          }
          return result;
        });
  }

  private static String fireKey(Row row) {
    return row.getLong("schedule_id") + "@" + row.getOffsetDateTime("planned_at").toInstant();
  }

  Future<Optional<Job>> find(long tenantId, long jobId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = $1 AND tenant_id = $2")
        .execute(Tuple.of(jobId, tenantId))
        .map(JobRepository::first);
  }

  /** A job the given robot was given (assigned to it). */
  Future<Optional<Job>> findForRobot(long tenantId, long robotId, long jobId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = $1 AND tenant_id = $2 AND robot_id = $3")
        .execute(Tuple.of(jobId, tenantId, robotId))
        .map(JobRepository::first);
  }

  /**
   * Moves a job from {@code expected} to {@code next}, stamping the matching time columns. Empty when
   * the job was no longer in {@code expected} (a concurrent change won). Committed in a group with
   * other job writes ({@link #writes}).
   */
  Future<Optional<Job>> transition(long jobId, JobState expected, JobState next) {
    return writes.submit(client -> client.preparedQuery(TRANSITION)
        .execute(Tuple.of(jobId, expected.name(), next.name()))
        .map(JobRepository::first));
  }

  private static final String TRANSITION = """
      UPDATE jobs SET state = $3, updated_at = now(),
        started_at = CASE WHEN $3 = 'Running' THEN coalesce(started_at, now()) ELSE started_at END,
        ended_at = CASE WHEN $3 IN ('Successful', 'Faulted', 'Stopped') THEN now() ELSE ended_at END,
        stop_requested_at = CASE WHEN $3 = 'Stopping' THEN coalesce(stop_requested_at, now())
                                 ELSE stop_requested_at END,
        kill_requested_at = CASE WHEN $3 = 'Terminating' THEN coalesce(kill_requested_at, now())
                                 ELSE kill_requested_at END
      WHERE id = $1 AND state = $2
      RETURNING\s""" + COLUMNS;

  /**
   * A robot starts a job it was handed (Pending to Running), when the committed phase admits work
   * for the job's tenant (the start fence). Empty when it did not: the job was no longer Pending
   * (a concurrent change won) or the fence refused; the caller reads the job again to tell which.
   * Committed in a group with other job writes ({@link #writes}): the fence's lock, taken here, is
   * held until that group commits, so a phase change waits for the group as it waits for a start alone.
   */
  Future<Optional<Job>> start(long jobId) {
    return writes.submit(client -> client.preparedQuery(START).execute(Tuple.of(jobId)).map(JobRepository::first));
  }

  private static final String START = """
      UPDATE jobs SET state = 'Running', updated_at = now(), started_at = coalesce(started_at, now()),
        exempt_window_id = coalesce(\s""" + StartFence.exemptWindow("tenant_id", "process_name") + """
        , exempt_window_id)
      WHERE id = $1 AND state = 'Pending' AND start_delivered_at IS NOT NULL
        AND\s""" + StartFence.admits("tenant_id", "process_name") + """
      RETURNING\s""" + COLUMNS;

  /** A page of a tenant's jobs, newest first (keyset on id: jobs_tenant_id, jobs_tenant_state_id). */
  Future<Page<Job>> page(long tenantId, JobState state, PageRequest page) {
    Tuple params = Tuple.of(tenantId, state == null ? null : state.name(), page.afterId(), page.limit(),
        page.offset());
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM jobs WHERE tenant_id = $1 "
            + "AND ($2::text IS NULL OR state = $2) AND ($3::bigint IS NULL OR id < $3) "
            + "ORDER BY id DESC LIMIT $4 OFFSET $5")
        .execute(params)
        .map(rows -> Page.of(all(rows), page, job -> Long.toString(job.id())));
  }

  /**
   * One heartbeat: records the robot as seen (its presence written together with other robots', by
   * {@link PresenceWriter}), then reconciles the robot's own list of running jobs when it sends one
   * ({@code runningJobs}, null: it does not say), gives it the next Pending job when it has none and
   * maintenance allows it ({@code work}: any job, or only those of exempt processes while Draining;
   * its own assigned ones first, then any unassigned one of its tenant), and
   * returns every command it must act on, writing nothing when nothing changes.
   *
   * <p>Reconciliation: a job the server holds as running on this robot (Running, Stopping,
   * Terminating) that the list leaves out counts one miss; at the second miss in a row it becomes
   * Faulted ({@value #NO_LONGER_RUNS}), which frees the robot for new work in the same heartbeat. A
   * listed job that is final, unknown or not this robot's gets a KillJob.
   *
   * <p>Round trips (decision 121): without a list the heartbeat is one statement ({@link #HANDOUT}),
   * atomic by itself; with one it is the reconciliation and then that statement, in one transaction,
   * so that a job the reconciliation faulted frees the robot for the claim that follows. A heartbeat
   * that neither claims nor lists (maintenance allows no work, or the pace holds it back) is answered
   * in a group, one statement with its presence for every robot heard meanwhile (decision 125).
   */
  Future<HeartbeatOutcome> heartbeat(long tenantId, long robotId, List<Long> runningJobs, Work work) {
    Long[] listed = runningJobs == null ? null : runningJobs.toArray(Long[]::new);
    if (listed == null && work.none()) {
      // nothing to claim, nothing to reconcile: answered with the robots heard meanwhile
      return quiet.heard(tenantId, robotId).map(commands -> new HeartbeatOutcome(commands, List.of(), false));
    }
    return heartbeatAlone(tenantId, robotId, listed, work);
  }

  /** A heartbeat on its own: its presence (in a group), then its statement or its transaction. */
  private Future<HeartbeatOutcome> heartbeatAlone(long tenantId, long robotId, Long[] listed, Work work) {
    // presence first, stored before any job is handed out (the dead-robot sweep judges by it)
    return presence.heard(tenantId, robotId).compose(seen -> listed == null
        ? handOut(pool, tenantId, robotId, work, null, List.of())
        : pool.withTransaction(tx -> reconcile(tx, robotId, listed)
            .compose(faulted -> handOut(tx, tenantId, robotId, work, listed, faulted))));
  }

  /** Counts a miss for every running job the robot left out; faults those missed twice in a row. */
  private static Future<List<Faulted>> reconcile(SqlClient tx, long robotId, Long[] listed) {
    return tx.preparedQuery("""
            WITH mine AS (
              SELECT id, state FROM jobs
              WHERE robot_id = $1 AND\s""" + JobSql.held("") + """
                AND (id <> ALL($2) OR missing_heartbeats > 0)
              FOR UPDATE)
            UPDATE jobs SET updated_at = now(),
              missing_heartbeats = CASE WHEN jobs.id = ANY($2) THEN 0 ELSE jobs.missing_heartbeats + 1 END,
              state = CASE WHEN jobs.id <> ALL($2) AND jobs.missing_heartbeats >= 1 THEN 'Faulted' ELSE jobs.state END,
              ended_at = CASE WHEN jobs.id <> ALL($2) AND jobs.missing_heartbeats >= 1 THEN now() ELSE jobs.ended_at END,
              fault_reason = CASE WHEN jobs.id <> ALL($2) AND jobs.missing_heartbeats >= 1 THEN $3
                                  ELSE jobs.fault_reason END
            FROM mine WHERE jobs.id = mine.id
            RETURNING jobs.id, mine.state AS was, jobs.state""")
        .execute(Tuple.tuple().addLong(robotId).addArrayOfLong(listed).addString(NO_LONGER_RUNS))
        .map(rows -> {
          List<Faulted> faulted = new ArrayList<>();
          for (Row row : rows) {
            if ("Faulted".equals(row.getString("state"))) {
              faulted.add(new Faulted(row.getLong("id"), JobState.valueOf(row.getString("was"))));
            }
          }
          return faulted;
        });
  }

  /**
   * The rest of a heartbeat in one statement: the claim of the next job ({@code claimed}, when
   * maintenance allows work), the Stop and Kill commands marked as delivered ({@code marked}), and
   * the answer: every command derived from the robot's active jobs, the claimed one's StartJob, and
   * (with a list) a KillJob for every listed job that is final, unknown or not this robot's.
   *
   * <p>The parts touch different rows (a claim takes a Pending job not yet handed out, the marking
   * Stopping and Terminating ones), and the answer's own read of the robot's jobs sees them as they
   * were when the statement began, so the claimed job comes from the claim's {@code RETURNING}, not
   * twice. The start fence's lock, taken by the claim, is held until the statement (or, with a list,
   * the heartbeat's transaction) commits.
   */
  private static final String MARK = "marked AS (\n  UPDATE jobs SET " + JobSql.MARK_DELIVERED
      + "\n  WHERE robot_id = $1 AND " + JobSql.UNDELIVERED + ")";
  private static final String CLAIM = """
      next AS (
        SELECT id FROM jobs
        WHERE tenant_id = $2 AND state = 'Pending' AND start_delivered_at IS NULL
          AND (robot_id = $1 OR robot_id IS NULL)
          AND ($3::boolean OR process_name = ANY($4::text[]))
          AND NOT EXISTS (SELECT 1 FROM robot_cordons c WHERE c.robot_id = $1)
          AND NOT EXISTS (
            SELECT 1 FROM jobs busy WHERE busy.robot_id = $1 AND\s""" + JobSql.active("busy.") + """
          )
        ORDER BY (robot_id IS NULL), id
        LIMIT 1
        FOR UPDATE SKIP LOCKED),
      claimed AS (
        UPDATE jobs SET robot_id = $1, start_delivered_at = now(), updated_at = now()
        FROM next WHERE jobs.id = next.id AND\s""" + StartFence.admits("jobs.tenant_id", "jobs.process_name") + """
        RETURNING jobs.id, jobs.state, jobs.process_name)""";
  private static final String ANSWER = """
      SELECT 0 AS part, id, state, process_name, start_delivered_at IS NOT NULL AS handed_out FROM jobs
      WHERE robot_id = $1 AND\s""" + JobSql.active("");
  private static final String CLAIMED = "\nUNION ALL SELECT 1, id, state, process_name, true FROM claimed";
  private static final String STRANGERS = """
      UNION ALL SELECT 2, l.id, NULL, j.process_name, NULL FROM (SELECT DISTINCT unnest($L::bigint[]) AS id) l
      LEFT JOIN jobs j ON j.id = l.id AND j.tenant_id = $2 AND j.robot_id = $1
      WHERE (j.id IS NULL OR j.""" + JobSql.FINAL + ")";
  /** The statement, by whether it claims (work allowed) and whether a list came: [claims][listed]. */
  private static final String[][] HANDOUT = new String[2][2];

  static {
    for (int claims = 0; claims < 2; claims++) {
      for (int listed = 0; listed < 2; listed++) {
        String answer = ANSWER + (claims == 1 ? CLAIMED : "");
        // every parameter a statement has is used in it (PostgreSQL types them by their use): the
        // list follows the claim's two when both are there
        HANDOUT[claims][listed] = "WITH " + (claims == 1 ? CLAIM + ",\n" : "") + MARK + "\n" + answer
            + (listed == 1 ? "\n" + STRANGERS.replace("$L", claims == 1 ? "$5" : "$3")
                // a listed job this statement claims is the robot's now (its StartJob), not a stranger
                + (claims == 1 ? " AND l.id NOT IN (SELECT id FROM claimed)" : "") : "") + "\nORDER BY part, id";
      }
    }
  }

  private static Future<HeartbeatOutcome> handOut(SqlClient client, long tenantId, long robotId, Work work,
      Long[] listed, List<Faulted> faulted) {
    boolean claims = !work.none();
    Tuple params = Tuple.tuple().addLong(robotId);
    if (claims || listed != null) {
      params.addLong(tenantId); // the claim's and the strangers' (a statement without them has only $1)
    }
    if (claims) {
      params.addBoolean(work.any()).addArrayOfString(work.processes().toArray(String[]::new));
    }
    if (listed != null) {
      params.addArrayOfLong(listed);
    }
    return client.preparedQuery(HANDOUT[claims ? 1 : 0][listed == null ? 0 : 1]).execute(params).map(rows -> {
      List<RobotCommand> commands = new ArrayList<>(rows.size());
      boolean claimed = false;
      for (Row row : rows) {
        int part = row.getInteger("part");
        if (part == 2) {
          commands.add(new RobotCommand(CommandType.KillJob, row.getLong("id"), row.getString("process_name")));
          continue;
        }
        claimed |= part == 1;
        command(row).ifPresent(commands::add);
      }
      return new HeartbeatOutcome(commands, faulted, claimed);
    });
  }

  /**
   * The active jobs of robots {@code $1}, by robot and id, as {@link #commandsByRobot} reads them:
   * what a push channel and a group of quiet heartbeats tell their robots.
   */
  static final String COMMANDS_OF = "SELECT robot_id, id, state, process_name, start_delivered_at IS NOT NULL"
      + " AS handed_out FROM jobs\nWHERE robot_id = ANY($1) AND " + JobSql.ACTIVE + "\nORDER BY robot_id, id";

  /** The commands of some robots now (for their push channels): nothing is handed out or marked. */
  Future<Map<Long, List<RobotCommand>>> commandsOf(List<Long> robotIds) {
    return pool.preparedQuery(COMMANDS_OF)
        .execute(Tuple.tuple().addArrayOfLong(robotIds.toArray(Long[]::new)))
        .map(rows -> commandsByRobot(robotIds, rows));
  }

  /** Each robot's commands from rows of {@link #COMMANDS_OF}: a list for every robot asked, empty when it has none. */
  static Map<Long, List<RobotCommand>> commandsByRobot(Collection<Long> robotIds, Iterable<Row> rows) {
    Map<Long, List<RobotCommand>> byRobot = new HashMap<>();
    robotIds.forEach(id -> byRobot.put(id, new ArrayList<>()));
    for (Row row : rows) {
      command(row).ifPresent(byRobot.get(row.getLong("robot_id"))::add);
    }
    return byRobot;
  }

  /** The command a job's row (its id, state, process_name and handed_out) gives its robot, if any. */
  private static Optional<RobotCommand> command(Row row) {
    return JobTransitions.command(JobState.valueOf(row.getString("state")), row.getBoolean("handed_out"))
        .map(type -> new RobotCommand(type, row.getLong("id"), row.getString("process_name")));
  }

  /** Heartbeat times of a tenant's robots, and whether each spoke within {@code grace}. */
  /** Each robot of the tenant job control knows of: heard from, cordoned, or both. */
  Future<List<Row>> presence(long tenantId, java.time.Duration grace) {
    return pool.preparedQuery("""
            SELECT coalesce(p.robot_id, c.robot_id) AS robot_id, p.last_heartbeat_at,
                   coalesce(p.last_heartbeat_at > now() - make_interval(secs => $2), false) AS connected,
                   c.cordoned_at, c.cordoned_by
            FROM (SELECT * FROM robot_presence WHERE tenant_id = $1) p
            FULL JOIN (SELECT * FROM robot_cordons WHERE tenant_id = $1) c ON c.robot_id = p.robot_id""")
        .execute(Tuple.of(tenantId, (double) grace.toSeconds()))
        .map(rows -> {
          List<Row> list = new ArrayList<>();
          rows.forEach(list::add);
          return list;
        });
  }

  /**
   * Faults the unfinished jobs of robots silent for longer than {@code deadAfterSeconds} (Running,
   * Stopping, Terminating, and Pending ones already handed to them): the one place where a job ends
   * without its robot being asked. Returns the jobs faulted with the state each had.
   */
  /** {@code spared}: tenants whose robots are cut off by their own window (or just were): not judged. */
  Future<List<Faulted>> faultJobsOfDeadRobots(int deadAfterSeconds, java.util.Collection<Long> spared) {
    return pool.preparedQuery("""
            WITH dead AS (
              SELECT j.id, j.state FROM jobs j JOIN robot_presence p ON p.robot_id = j.robot_id
              WHERE\s""" + JobSql.active("j.") + """
                AND p.last_heartbeat_at < now() - make_interval(secs => $1) AND NOT (j.tenant_id = ANY($3))
              FOR UPDATE OF j SKIP LOCKED)
            UPDATE jobs SET state = 'Faulted', ended_at = now(), updated_at = now(), fault_reason = $2
            FROM dead WHERE jobs.id = dead.id
            RETURNING jobs.id, dead.state AS was""")
        .execute(Tuple.of(deadAfterSeconds, UNRESPONSIVE, spared.toArray(Long[]::new)))
        .map(rows -> {
          List<Faulted> faulted = new ArrayList<>(rows.size());
          rows.forEach(row -> faulted.add(new Faulted(row.getLong("id"), JobState.valueOf(row.getString("was")))));
          return faulted;
        });
  }

  static Job toJob(Row row) {
    return new Job(row.getLong("id"), row.getLong("tenant_id"), row.getString("process_name"),
        row.getLong("robot_id"), JobState.valueOf(row.getString("state")), Origin.valueOf(row.getString("origin")),
        row.getLong("schedule_id"), Timestamps.instant(row, "created_at"), Timestamps.instant(row, "started_at"),
        Timestamps.instant(row, "ended_at"), Timestamps.instant(row, "stop_requested_at"), Timestamps.instant(row, "kill_requested_at"),
        Timestamps.instant(row, "start_delivered_at"), row.getString("fault_reason"));
  }

  private static Optional<Job> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toJob(rows.iterator().next()));
  }

  private static List<Job> all(RowSet<Row> rows) {
    List<Job> jobs = new ArrayList<>(rows.size());
    rows.forEach(row -> jobs.add(toJob(row)));
    return jobs;
  }
}
