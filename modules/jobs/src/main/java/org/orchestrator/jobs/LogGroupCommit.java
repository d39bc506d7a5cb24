package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.jobs.RobotLogRepository.Appended;
import org.orchestrator.jobs.RobotLogRepository.Upload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of robot log uploads: while a group is being written, the uploads that arrive wait
 * and are written together as the next group, in one statement (one round trip and one WAL flush
 * for all of them instead of one each). At low load a group is one upload and nothing waits. Every
 * upload keeps its own rules ({@link RobotLogRepository#appendAll}): all its lines or none, and a
 * batch id stored once per robot whose resend gets the first answer. Each upload is answered only
 * after its group committed. When PostgreSQL refuses a group (a line it cannot store, a deadlock),
 * the group changed nothing and its uploads are written one by one, so one upload's failure never
 * fails another's; when the connection is lost instead, whether the group took is not known, and
 * every upload of it answers that failure, as an upload alone would (a robot resends under its
 * batch id, which keeps that safe).
 */
final class LogGroupCommit {

  private static final Logger LOG = LoggerFactory.getLogger(LogGroupCommit.class);
  /** Lines in one group at most (the uploads that do not fit wait for the next one). */
  static final int MAX_GROUP_LINES = 5_000;
  /**
   * Groups written at once: two, so that PostgreSQL inserts on two backends (one group's lines are
   * written by one) while the next group gathers.
   */
  static final int GROUPS_IN_FLIGHT = 2;
  /**
   * The uploads waiting at most, in characters of their messages and a line's other fields (a busy
   * node holds a few hundred lines; this is four of the largest uploads' bodies, 4 MiB each).
   */
  static final long MAX_WAITING_CHARS = 16L << 20;
  private static final int LINE_FIELDS_CHARS = 64;

  /** An upload and its answer, with its {@link #size} counted once for the bound. */
  private record Waiting(Upload upload, int size, Promise<Appended> answer) {
  }

  private final RobotLogRepository logs;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long waitingChars;
  private int writing;

  LogGroupCommit(RobotLogRepository logs) {
    this.logs = logs;
  }

  /**
   * Called on the jobs verticle's event loop only. Refused at once (UNAVAILABLE: 503, the robot
   * retries later) when the uploads waiting would outgrow {@link #MAX_WAITING_CHARS}, as when the
   * database stalls: what is held here never grows past that.
   */
  Future<Appended> append(long tenantId, long robotId, String batchId, List<LogLine> lines) {
    int size = size(lines);
    if (waitingChars + size > MAX_WAITING_CHARS) {
      return Future.failedFuture(new Failure(FailureCode.UNAVAILABLE, "log uploads are waiting for the database"));
    }
    Promise<Appended> answer = Promise.promise();
    waiting.add(new Waiting(new Upload(tenantId, robotId, batchId, lines), size, answer));
    waitingChars += size;
    if (writing < GROUPS_IN_FLIGHT) {
      writeNext();
    }
    return answer.future();
  }

  private void writeNext() {
    if (waiting.isEmpty()) {
      return;
    }
    writing++;
    List<Waiting> group = new ArrayList<>();
    int lines = 0;
    while (!waiting.isEmpty() && (group.isEmpty() || lines + waiting.peek().upload().lines().size() <= MAX_GROUP_LINES)) {
      Waiting next = waiting.poll();
      group.add(next);
      lines += next.upload().lines().size();
    }
    group.forEach(taken -> waitingChars -= taken.size());
    List<Upload> uploads = group.stream().map(Waiting::upload).toList();
    // through compose, so that a throw while the statement is built fails the group, not the writer
    Future.succeededFuture().compose(start -> logs.appendAll(uploads)).onComplete(done -> {
      if (done.succeeded()) {
        for (int i = 0; i < group.size(); i++) {
          done.result().get(i).onComplete(group.get(i).answer());
        }
      } else if (group.size() > 1 && done.cause() instanceof PgException) {
        LOG.debug("a group of {} log uploads failed ({}); writing them one by one", group.size(),
            done.cause().getMessage());
        for (Waiting one : group) {
          Upload upload = one.upload();
          logs.append(upload.tenantId(), upload.robotId(), upload.batchId(), upload.lines()).onComplete(one.answer());
        }
      } else {
        group.forEach(one -> one.answer().fail(done.cause()));
      }
      writing--;
      writeNext();
    });
  }

  private static int size(List<LogLine> lines) {
    int chars = 0;
    for (LogLine line : lines) {
      chars += LINE_FIELDS_CHARS + (line.message() == null ? 0 : line.message().length());
    }
    return chars;
  }
}
