package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommand;
import org.orchestrator.platform.database.SqlStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeats that claim nothing (while maintenance allows no work, or the start pace holds it
 * back) and send no list of running jobs, answered in groups (decision 125): the heartbeats that
 * arrive while one group is written are the next group, one statement for all of them, which
 * stores their robots' presence, marks the Stop and Kill commands it delivers and reads every
 * robot's commands. Such a heartbeat was a presence write (in a group) and a statement of its own;
 * in a window every robot whose job was stopped sends one in each of its log slots, and those
 * statements queued on the node's shared pool behind everything else (docs/benchmarks.md, session 20).
 *
 * <p>Each robot's answer is what its heartbeat alone would have answered: its presence is stored
 * before it is answered, and its commands are read from its active jobs as the statement began.
 * When PostgreSQL gives the group's statement up to break a deadlock, each of its heartbeats is
 * answered the way it would have been alone ({@code alone}); any other failure (the database is
 * failing) fails each of them, as a heartbeat whose presence could not be stored fails. Confined to
 * the jobs verticle's event loop.
 *
 * <p>One group is written at a time, on the node on a connection of its own that plans the statement
 * once (decision 127): for a group of a few robots PostgreSQL judged a plan for the values cheaper
 * than the generic one and planned the statement anew for every group, which cost more than running it.
 */
final class QuietHeartbeats {

  private static final Logger LOG = LoggerFactory.getLogger(QuietHeartbeats.class);

  /**
   * Presence first in the statement's order of effects is not needed: nothing is handed out here.
   * The presence rows are locked in robot order (the arrays are sorted), as {@link PresenceWriter}
   * locks them. The jobs it marks are locked in id order, and one another writer holds (a sweep, a
   * group of job reports) is left unmarked: its command is answered all the same, and a later
   * heartbeat marks it. Many robots' jobs in one statement would otherwise meet those writers in a
   * deadlock, each costing a second's wait.
   */
  private static final String GROUP = "WITH seen AS (" + PresenceWriter.UPSERT + "),\n"
      + "marked AS (\n  UPDATE jobs SET " + JobSql.MARK_DELIVERED + "\n  WHERE id IN (SELECT id FROM jobs"
      + " WHERE robot_id = ANY($1) AND " + JobSql.UNDELIVERED + " ORDER BY id FOR UPDATE SKIP LOCKED))\n"
      + JobRepository.COMMANDS_OF;

  private final Pool pool;
  private final Alone alone;
  /** Robot id to tenant id, sorted, and every waiting heartbeat's answer by robot. */
  private Map<Long, Long> waiting = new TreeMap<>();
  private Map<Long, List<Promise<List<RobotCommand>>>> answers = new HashMap<>();
  private boolean writing;

  /** A robot's quiet heartbeat on its own: its presence, then its statement. */
  interface Alone {
    Future<List<RobotCommand>> heartbeat(long tenantId, long robotId);
  }

  QuietHeartbeats(Pool pool, Alone alone) {
    this.pool = pool;
    this.alone = alone;
  }

  /** The robot's commands, once its presence is stored with its group's. */
  Future<List<RobotCommand>> heard(long tenantId, long robotId) {
    Promise<List<RobotCommand>> answer = Promise.promise();
    waiting.put(robotId, tenantId);
    answers.computeIfAbsent(robotId, id -> new ArrayList<>(1)).add(answer);
    if (!writing) {
      writeNext();
    }
    return answer.future();
  }

  private void writeNext() {
    if (waiting.isEmpty()) {
      return;
    }
    writing = true;
    Map<Long, Long> group = waiting;
    Map<Long, List<Promise<List<RobotCommand>>>> groupAnswers = answers;
    waiting = new TreeMap<>();
    answers = new HashMap<>();
    pool.preparedQuery(GROUP)
        .execute(Tuple.tuple().addArrayOfLong(group.keySet().toArray(Long[]::new))
            .addArrayOfLong(group.values().toArray(Long[]::new)))
        .onComplete(done -> {
          if (done.succeeded()) {
            answer(group, groupAnswers, done.result());
          } else if (SqlStates.isDeadlock(done.cause())) {
            LOG.debug("a group of {} quiet heartbeats met a deadlock; answering them one by one", group.size());
            groupAnswers.forEach((robot, promises) -> promises.forEach(
                p -> alone.heartbeat(group.get(robot), robot).onComplete(p)));
          } else {
            // the database is failing (a lost connection, an outage): each heartbeat fails, as one
            // whose presence was not stored does, rather than becoming one statement each
            groupAnswers.values().forEach(promises -> promises.forEach(p -> p.tryFail(done.cause())));
          }
          // set only now: an answer's listener that hears another robot queues it for the next group
          writing = false;
          writeNext();
        });
  }

  private static void answer(Map<Long, Long> group, Map<Long, List<Promise<List<RobotCommand>>>> groupAnswers,
      io.vertx.sqlclient.RowSet<Row> rows) {
    Map<Long, List<RobotCommand>> commands;
    try {
      commands = JobRepository.commandsByRobot(group.keySet(), rows);
    } catch (RuntimeException e) {
      groupAnswers.values().forEach(promises -> promises.forEach(p -> p.tryFail(e)));
      return;
    }
    groupAnswers.forEach((robot, promises) -> promises.forEach(p -> p.tryComplete(commands.get(robot))));
  }
}
