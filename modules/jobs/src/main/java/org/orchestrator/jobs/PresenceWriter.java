package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Group write of robot presence (when each robot was last heard from): heartbeats arriving while
 * one write is in flight are written together by the next, in one statement (one WAL flush for all
 * of them instead of one each), and a robot heard several times in a group is written once. At low
 * load a group is one heartbeat and nothing waits. Each heartbeat is answered only after its
 * presence is stored, as when each wrote its own row; the rest of a heartbeat (commands, the next
 * job) then writes nothing unless something changes, so a quiet heartbeat costs no flush of its own.
 */
final class PresenceWriter {

  /** Stores robots' presence: {@code $1} their ids (sorted, so that rows lock in order), {@code $2} their tenants. */
  static final String UPSERT = """
      INSERT INTO robot_presence (robot_id, tenant_id, last_heartbeat_at)
      SELECT r, t, now() FROM unnest($1::bigint[], $2::bigint[]) AS x(r, t)
      ON CONFLICT (robot_id) DO UPDATE SET last_heartbeat_at = now()""";

  private final Pool pool;
  /** Robot id to tenant id; sorted, so that two writers lock rows in the same order. */
  private Map<Long, Long> waiting = new TreeMap<>();
  private List<Promise<Void>> answers = new ArrayList<>();
  private boolean writing;

  PresenceWriter(Pool pool) {
    this.pool = pool;
  }

  /** Called on the jobs verticle's event loop only; completes once the robot's presence is stored. */
  Future<Void> heard(long tenantId, long robotId) {
    Promise<Void> answer = Promise.promise();
    waiting.put(robotId, tenantId);
    answers.add(answer);
    if (!writing) {
      writeNext();
    }
    return answer.future();
  }

  private void writeNext() {
    if (answers.isEmpty()) {
      return;
    }
    writing = true;
    Map<Long, Long> group = waiting;
    List<Promise<Void>> groupAnswers = answers;
    waiting = new TreeMap<>();
    answers = new ArrayList<>();
    pool.preparedQuery(UPSERT)
        .execute(Tuple.tuple().addArrayOfLong(group.keySet().toArray(Long[]::new))
            .addArrayOfLong(group.values().toArray(Long[]::new)))
        .onComplete(done -> {
          writing = false;
          for (Promise<Void> answer : groupAnswers) {
            if (done.succeeded()) {
              answer.complete();
            } else {
              answer.fail(done.cause());
            }
          }
          writeNext();
        });
  }
}
