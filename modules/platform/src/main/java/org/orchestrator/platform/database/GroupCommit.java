package org.orchestrator.platform.database;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.contracts.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of small writes: while {@link #GROUPS_IN_FLIGHT} groups are being written, the
 * writes that arrive wait and are run together as the next group, in one transaction, so that one
 * WAL flush serves all of them instead of one each (on a durable server every commit waits for its
 * flush, and while it waits it holds a pooled connection). At low load a group is one write, run as
 * it would be alone, and nothing waits.
 *
 * <p>A write is a function of the client to run its statements on: the group's transaction, or the
 * pool when it runs alone. Its answer is given only after its group committed. A write that fails
 * with a {@link Failure} (a refusal: CONFLICT, NOT_FOUND, ...) must have changed nothing; that is
 * its answer, and the group commits for the others. Any other failure (an SQL error, which aborts
 * the transaction, a deadlock between two groups) rolls the group back, and each of its writes
 * then runs alone on the pool, so one write's failure never fails another's (a rolled-back write
 * changed nothing, so it runs again as if for the first time). When the COMMIT itself fails, whether
 * it took is not known: nothing runs again, and every write of the group answers that failure, as a
 * write alone whose connection was lost does (a robot resends; its references keep that safe).
 *
 * <p>Confined to one event loop: {@link #submit} is called on the owning verticle's context, whose
 * pool callbacks come back to it.
 */
public final class GroupCommit {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  /**
   * Groups written at once: two, so that the next group gathers (and its statements run on another
   * backend) while one waits for its flush.
   */
  public static final int GROUPS_IN_FLIGHT = 2;
  /** Writes in one group at most: a transaction short enough that its row locks are held briefly. */
  public static final int MAX_GROUP = 64;

  private record Write<T>(Function<SqlClient, Future<T>> work, Promise<T> answer) {

    Future<T> run(SqlClient client) {
      try {
        return work.apply(client);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }

    @SuppressWarnings("unchecked")
    void complete(AsyncResult<?> result) {
      answer.handle((AsyncResult<T>) result);
    }
  }

  private final Pool pool;
  private final ArrayDeque<Write<?>> waiting = new ArrayDeque<>();
  private int writing;
  private long groups;
  private long grouped;

  public GroupCommit(Pool pool) {
    this.pool = pool;
  }

  /** Runs {@code work} in the next group; its answer once that group committed (or it ran alone). */
  public <T> Future<T> submit(Function<SqlClient, Future<T>> work) {
    Promise<T> answer = Promise.promise();
    waiting.add(new Write<>(work, answer));
    if (writing < GROUPS_IN_FLIGHT) {
      writeNext();
    }
    return answer.future();
  }

  /** Groups of more than one write committed so far, and the writes they held (for a benchmark's reading). */
  public long[] grouping() {
    return new long[] {groups, grouped};
  }

  private void writeNext() {
    if (waiting.isEmpty()) {
      return;
    }
    writing++;
    List<Write<?>> group = new ArrayList<>(Math.min(MAX_GROUP, waiting.size()));
    while (!waiting.isEmpty() && group.size() < MAX_GROUP) {
      group.add(waiting.poll());
    }
    if (group.size() == 1) {
      Write<?> alone = group.get(0);
      alone.run(pool).onComplete(done -> {
        alone.complete(done);
        written();
      });
      return;
    }
    // each write's own outcome, in the group's order: its answer once the group committed
    List<Future<?>> runs = new ArrayList<>(group.size());
    boolean[] ran = new boolean[1];
    pool.withTransaction(tx -> {
      group.forEach(write -> runs.add(write.run(tx)));
      return Future.join(runs).transform(joined -> {
        for (Future<?> run : runs) {
          if (run.failed() && !(run.cause() instanceof Failure)) {
            return Future.failedFuture(run.cause());
          }
        }
        ran[0] = true;
        return Future.succeededFuture();
      });
    }).onComplete(done -> {
      if (done.succeeded()) {
        groups++;
        grouped += group.size();
        for (int i = 0; i < group.size(); i++) {
          group.get(i).complete(runs.get(i));
        }
      } else if (ran[0]) {
        // the COMMIT itself failed (the connection was lost): whether it took is not known here, so
        // nothing runs again; each write's caller gets the failure, as it would alone
        LOG.warn("the commit of a group of {} writes failed: {}", group.size(), done.cause().getMessage());
        group.forEach(write -> write.complete(Future.failedFuture(done.cause())));
      } else {
        LOG.debug("a group of {} writes failed ({}); running them one by one", group.size(),
            done.cause().getMessage());
        for (Write<?> write : group) {
          write.run(pool).onComplete(write::complete);
        }
      }
      written();
    });
  }

  private void written() {
    writing--;
    writeNext();
  }
}
