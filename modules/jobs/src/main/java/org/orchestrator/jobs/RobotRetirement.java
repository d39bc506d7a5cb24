package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.jobs.JobMessages.RetiredRobot;
import org.orchestrator.contracts.jobs.JobState;

/**
 * What job control does when a robot is deleted (identity asks, {@code jobs.robot.retire}), in one
 * transaction: the jobs it holds or was handed become Faulted, the jobs waiting for it (naming it,
 * never handed out) become Stopped, both with the reason as their {@code info}; the queue items it
 * holds are New again, for the tenant's other robots; its presence and cordon rows go (it is no
 * longer a robot of the tenant, so neither the robots' list nor the gauges count it). Idempotent:
 * a second run finds nothing.
 */
final class RobotRetirement {

  /** A job the retirement ended, with the state it had. */
  record Ended(long jobId, JobState was) {
  }

  /** What one run did. */
  record Outcome(List<Ended> faulted, List<Long> stopped, int itemsReleased) {

    RetiredRobot reply() {
      return new RetiredRobot(faulted.stream().map(Ended::jobId).toList(), List.copyOf(stopped), itemsReleased);
    }

    boolean empty() {
      return faulted.isEmpty() && stopped.isEmpty() && itemsReleased == 0;
    }
  }

  private final Pool pool;

  RobotRetirement(Pool pool) {
    this.pool = pool;
  }

  Future<Outcome> retire(long tenantId, long robotId, String reason) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
            WITH gone AS (
              SELECT id, state FROM jobs
              WHERE tenant_id = $1 AND robot_id = $2 AND\s""" + JobSql.active("") + """
              FOR UPDATE)
            UPDATE jobs SET state = 'Faulted', ended_at = now(), updated_at = now(), fault_reason = $3
            FROM gone WHERE jobs.id = gone.id
            RETURNING jobs.id, gone.state AS was""")
        .execute(Tuple.of(tenantId, robotId, reason))
        .compose(faultedRows -> {
          List<Ended> faulted = new ArrayList<>(faultedRows.size());
          faultedRows.forEach(row -> faulted.add(new Ended(row.getLong("id"), JobState.valueOf(row.getString("was")))));
          return tx.preparedQuery("""
                  UPDATE jobs SET state = 'Stopped', ended_at = now(), updated_at = now(), fault_reason = $3
                  WHERE tenant_id = $1 AND robot_id = $2 AND state = 'Pending' AND start_delivered_at IS NULL
                  RETURNING id""")
              .execute(Tuple.of(tenantId, robotId, reason))
              .compose(stoppedRows -> {
                List<Long> stopped = new ArrayList<>(stoppedRows.size());
                stoppedRows.forEach(row -> stopped.add(row.getLong("id")));
                return tx.preparedQuery("""
                        UPDATE queue_items SET status = 'New', processing_robot_id = NULL, started_at = NULL
                        WHERE tenant_id = $1 AND status = 'InProgress' AND processing_robot_id = $2""")
                    .execute(Tuple.of(tenantId, robotId))
                    .compose(items -> tx.preparedQuery("DELETE FROM robot_presence WHERE robot_id = $1 AND tenant_id = $2")
                        .execute(Tuple.of(robotId, tenantId))
                        .compose(presence -> tx.preparedQuery(
                                "DELETE FROM robot_cordons WHERE robot_id = $1 AND tenant_id = $2")
                            .execute(Tuple.of(robotId, tenantId)))
                        .map(cordon -> new Outcome(faulted, stopped, items.rowCount())));
              });
        }));
  }
}
