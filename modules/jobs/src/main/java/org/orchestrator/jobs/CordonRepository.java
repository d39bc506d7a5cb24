package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.jobs.JobMessages.RobotCordon;
import org.orchestrator.contracts.jobs.JobMessages.CordonPreview;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.platform.database.Timestamps;

/**
 * Robots out of rotation (table {@code robot_cordons}). The robot protocol reads it where it hands
 * out work ({@link JobRepository}'s claim): a cordoned robot claims nothing.
 */
final class CordonRepository {

  /** A job a cordon stopped or killed, with the state it left (for the transition counters). */
  record Changed(long jobId, long robotId, JobState was) {
  }

  private final Pool pool;

  CordonRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Cordons a robot (again: the first cordon's time and author stay; a new {@code killAt} replaces
   * the old one) and, with {@code stopRunning}, sends Stop to its running job and to one handed to
   * it but not started, in one transaction.
   */
  Future<CordonOutcome> cordon(long tenantId, long robotId, String by, Instant now, Instant killAt,
      boolean stopRunning) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO robot_cordons (robot_id, tenant_id, cordoned_at, cordoned_by, kill_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (robot_id) DO UPDATE SET kill_at = excluded.kill_at
            RETURNING cordoned_at, cordoned_by, kill_at""")
        .execute(Tuple.of(robotId, tenantId, Timestamps.utc(now), by, Timestamps.utc(killAt)))
        .compose(cordoned -> {
          Row row = cordoned.iterator().next();
          Future<List<Changed>> stopped = stopRunning ? stop(tx, tenantId, robotId) : Future.succeededFuture(List.of());
          return stopped.map(jobs -> new CordonOutcome(new RobotCordon(robotId,
              Timestamps.instant(row, "cordoned_at"), row.getString("cordoned_by"), Timestamps.instant(row, "kill_at"),
              jobs.size()), jobs));
        }));
  }

  /** What a cordon did: the robot's cordon, and the jobs it sent Stop to. */
  record CordonOutcome(RobotCordon cordon, List<Changed> stopped) {
  }

  private static Future<List<Changed>> stop(io.vertx.sqlclient.SqlClient tx, long tenantId, long robotId) {
    return tx.preparedQuery("""
            WITH mine AS (
              SELECT id, state FROM jobs WHERE robot_id = $1 AND tenant_id = $2
                AND\s""" + JobSql.stoppable("") + """
              FOR UPDATE)
            UPDATE jobs SET state = 'Stopping', updated_at = now(), stop_requested_at = coalesce(stop_requested_at, now())
            FROM mine WHERE jobs.id = mine.id
            RETURNING jobs.id, mine.state AS was""")
        .execute(Tuple.of(robotId, tenantId))
        .map(rows -> changed(rows, robotId));
  }

  /** What cordoning the robot would do now (nothing is changed). */
  Future<CordonPreview> preview(long tenantId, long robotId) {
    return pool.preparedQuery("""
            SELECT (SELECT cordoned_at FROM robot_cordons WHERE robot_id = $1) AS cordoned_at,
                   coalesce(array_agg(id ORDER BY id) FILTER (WHERE\s""" + JobSql.stoppable("") + """
                     ), '{}') AS stop,
                   coalesce(array_agg(id ORDER BY id) FILTER (WHERE state = 'Pending' AND start_delivered_at IS NULL),
                     '{}') AS wait
            FROM jobs WHERE robot_id = $1 AND tenant_id = $2 AND state IN ('Pending', 'Running')""")
        .execute(Tuple.of(robotId, tenantId))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new CordonPreview(robotId, Timestamps.instant(row, "cordoned_at"), List.of(row.getArrayOfLongs("stop")),
              List.of(row.getArrayOfLongs("wait")));
        });
  }

  /** Uncordons a robot; its kill deadline goes with it. The cordon it had, or null. */
  Future<RobotCordon> uncordon(long tenantId, long robotId) {
    return pool.preparedQuery("DELETE FROM robot_cordons WHERE robot_id = $1 AND tenant_id = $2 "
            + "RETURNING cordoned_at, cordoned_by")
        .execute(Tuple.of(robotId, tenantId))
        .map(rows -> new RobotCordon(robotId, null, null, null, 0));
  }

  /**
   * Kills what cordoned robots whose deadline passed still run (their kill_at cleared in the same
   * statement, so each deadline kills once, whichever node gets there).
   */
  Future<List<Changed>> killOverdue(Instant now) {
    return pool.preparedQuery("""
            WITH due AS (
              UPDATE robot_cordons SET kill_at = NULL WHERE kill_at <= $1 RETURNING robot_id
            ), mine AS (
              SELECT j.id, j.state, j.robot_id FROM jobs j JOIN due ON due.robot_id = j.robot_id
              WHERE\s""" + JobSql.killable("j.") + """
              FOR UPDATE OF j)
            UPDATE jobs SET state = 'Terminating', updated_at = now(),
              kill_requested_at = coalesce(kill_requested_at, now())
            FROM mine WHERE jobs.id = mine.id
            RETURNING jobs.id, jobs.robot_id, mine.state AS was""")
        .execute(Tuple.of(Timestamps.utc(now)))
        .map(rows -> {
          List<Changed> changed = new ArrayList<>(rows.size());
          rows.forEach(row -> changed.add(new Changed(row.getLong("id"), row.getLong("robot_id"),
              JobState.valueOf(row.getString("was")))));
          return changed;
        });
  }

  private static List<Changed> changed(io.vertx.sqlclient.RowSet<Row> rows, long robotId) {
    List<Changed> changed = new ArrayList<>(rows.size());
    rows.forEach(row -> changed.add(new Changed(row.getLong("id"), robotId, JobState.valueOf(row.getString("was")))));
    return changed;
  }
}
