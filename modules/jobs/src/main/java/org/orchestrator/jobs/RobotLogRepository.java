package org.orchestrator.jobs;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.orchestrator.platform.database.Timestamps;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.contracts.jobs.JobMessages.StoredLog;

/** Robot log lines: appended in one set-based statement per batch, read a page at a time. */
final class RobotLogRepository {

  private final Pool pool;

  RobotLogRepository(Pool pool) {
    this.pool = pool;
  }

  /** Ids among {@code jobIds} that are not jobs of this robot in this tenant. */
  Future<Set<Long>> foreignJobs(long tenantId, long robotId, Set<Long> jobIds) {
    Long[] ids = jobIds.toArray(Long[]::new);
    return pool.preparedQuery("SELECT id FROM jobs WHERE id = ANY($1) AND tenant_id = $2 AND robot_id = $3")
        .execute(Tuple.tuple().addArrayOfLong(ids).addLong(tenantId).addLong(robotId))
        .map(rows -> {
          Set<Long> missing = new TreeSet<>(jobIds);
          rows.forEach(row -> missing.remove(row.getLong(0)));
          return missing;
        });
  }

  /** What an upload did: lines stored, or ({@code replay}) the answer of the first upload of its batch id. */
  record Appended(int stored, boolean replay) {
  }

  /**
   * Stores every line of the batch, all or none: when any line names a job that is not this
   * robot's (in this tenant), nothing is inserted and 0 is returned. With a {@code batchId} the
   * batch is recorded in the same transaction; the same robot sending the same id again stores
   * nothing and gets the first count back ({@code replay}). Two concurrent uploads of one batch
   * meet on the primary key: the second waits for the first to commit, then replays its answer.
   */
  Future<Appended> append(long tenantId, long robotId, String batchId, List<LogLine> lines) {
    if (batchId == null) {
      return insertLines(pool, tenantId, robotId, lines).map(stored -> new Appended(stored, false));
    }
    Tuple key = Tuple.of(robotId, batchId);
    // the batch id is claimed with the count the upload stores when it is accepted (all its lines);
    // a refused upload (a line naming another robot's job) gives the claim up, so its id stays free
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored) VALUES ($1, $2, $3, $4)
            ON CONFLICT (robot_id, batch_id) DO NOTHING RETURNING 1""")
        .execute(Tuple.of(robotId, batchId, tenantId, lines.size()))
        .compose(claimed -> claimed.size() == 0
            ? tx.preparedQuery("SELECT stored FROM robot_log_batches WHERE robot_id = $1 AND batch_id = $2")
                .execute(key).map(rows -> new Appended(rows.iterator().next().getInteger(0), true))
            : insertLines(tx, tenantId, robotId, lines).compose(stored -> stored > 0
                ? Future.succeededFuture(new Appended(stored, false))
                : tx.preparedQuery("DELETE FROM robot_log_batches WHERE robot_id = $1 AND batch_id = $2").execute(key)
                    .map(done -> new Appended(0, false)))));
  }

  /** Forgets the batch ids received before {@code retention} ago; returns how many. */
  Future<Integer> pruneBatches(java.time.Duration retention) {
    return pool.preparedQuery("DELETE FROM robot_log_batches WHERE received_at < now() - make_interval(secs => $1)")
        .execute(Tuple.of((double) retention.toSeconds()))
        .map(rows -> rows.rowCount());
  }

  /**
   * Stores the lines unless one names a job that is not the robot's (then none); how many stored.
   * The check joins the jobs on their key alone and compares tenant and robot after: asked as
   * {@code NOT EXISTS (... id = job AND tenant_id = $1 AND robot_id = $2)}, the generic plan that
   * PostgreSQL settles on for a prepared statement could walk every job of the tenant by the tenant
   * index instead of looking the job up (4.5 ms against 0.2 ms at 6,500 jobs, growing with them;
   * seen on a server whose statistics lagged, decision 121).
   */
  private static Future<Integer> insertLines(SqlClient client, long tenantId, long robotId, List<LogLine> lines) {
    int n = lines.size();
    Long[] jobs = new Long[n];
    String[] levels = new String[n];
    String[] messages = new String[n];
    OffsetDateTime[] stamps = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      LogLine line = lines.get(i);
      jobs[i] = line.jobId();
      levels[i] = line.level();
      messages[i] = line.message();
      stamps[i] = Timestamps.utc(line.timeStamp());
    }
    return client.preparedQuery("""
            WITH l AS (
              SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
                AS l(job_id, level, message, time_stamp)),
            foreign_job AS (
              SELECT 1 FROM (SELECT DISTINCT job_id FROM l) d LEFT JOIN jobs j ON j.id = d.job_id
              WHERE j.id IS NULL OR j.tenant_id <> $1 OR j.robot_id IS DISTINCT FROM $2
              LIMIT 1)
            INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
            SELECT $1, $2, job_id, level, message, time_stamp FROM l
            WHERE NOT EXISTS (SELECT 1 FROM foreign_job)""")
        .execute(Tuple.tuple().addLong(tenantId).addLong(robotId).addArrayOfLong(jobs)
            .addArrayOfString(levels).addArrayOfString(messages).addArrayOfOffsetDateTime(stamps))
        .map(rows -> rows.rowCount());
  }

  /** A page of a tenant's logs, newest first (keyset on id). */
  Future<Page<StoredLog>> page(long tenantId, Long jobId, PageRequest page) {
    return pool.preparedQuery("""
            SELECT id, job_id, robot_id, level, message, time_stamp FROM robot_logs
            WHERE tenant_id = $1 AND ($2::bigint IS NULL OR job_id = $2) AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4 OFFSET $5""")
        .execute(Tuple.of(tenantId, jobId, page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<StoredLog> logs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            logs.add(new StoredLog(row.getLong("id"), row.getLong("job_id"), row.getLong("robot_id"),
                row.getString("level"), row.getString("message"), Timestamps.instant(row, "time_stamp")));
          }
          return Page.of(logs, page, log -> Long.toString(log.id()));
        });
  }

  static Set<Long> jobIds(List<LogLine> lines) {
    return lines.stream().map(LogLine::jobId).collect(Collectors.toCollection(TreeSet::new));
  }
}
