package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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

  /**
   * Stores every line of the batch in one statement, all or none: when any line names a job that
   * is not this robot's (in this tenant), nothing is inserted and 0 is returned.
   */
  Future<Integer> append(long tenantId, long robotId, List<LogLine> lines) {
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
    return pool.preparedQuery("""
            WITH l AS (
              SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
                AS l(job_id, level, message, time_stamp)),
            foreign_job AS (
              SELECT 1 FROM (SELECT DISTINCT job_id FROM l) d
              WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = d.job_id AND j.tenant_id = $1 AND j.robot_id = $2)
              LIMIT 1)
            INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
            SELECT $1, $2, job_id, level, message, time_stamp FROM l
            WHERE NOT EXISTS (SELECT 1 FROM foreign_job)""")
        .execute(Tuple.tuple().addLong(tenantId).addLong(robotId).addArrayOfLong(jobs)
            .addArrayOfString(levels).addArrayOfString(messages).addArrayOfOffsetDateTime(stamps))
        .map(rows -> rows.rowCount());
  }

  Future<List<StoredLog>> page(long tenantId, Long jobId, int page, int size) {
    return pool.preparedQuery("""
            SELECT id, job_id, robot_id, level, message, time_stamp FROM robot_logs
            WHERE tenant_id = $1 AND ($2::bigint IS NULL OR job_id = $2)
            ORDER BY id DESC LIMIT $3 OFFSET $4""")
        .execute(Tuple.of(tenantId, jobId, size, (long) (page - 1) * size))
        .map(rows -> {
          List<StoredLog> logs = new ArrayList<>(rows.size());
          for (Row row : rows) {
            logs.add(new StoredLog(row.getLong("id"), row.getLong("job_id"), row.getLong("robot_id"),
                row.getString("level"), row.getString("message"), Timestamps.instant(row, "time_stamp")));
          }
          return logs;
        });
  }

  Future<Long> count(long tenantId, Long jobId) {
    return pool.preparedQuery("SELECT count(*) FROM robot_logs WHERE tenant_id = $1 AND ($2::bigint IS NULL OR job_id = $2)")
        .execute(Tuple.of(tenantId, jobId))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  static Set<Long> jobIds(List<LogLine> lines) {
    return lines.stream().map(LogLine::jobId).collect(Collectors.toCollection(TreeSet::new));
  }
}
