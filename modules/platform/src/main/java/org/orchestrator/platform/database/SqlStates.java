package org.orchestrator.platform.database;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import java.util.function.Supplier;

/** PostgreSQL error classes the repositories turn into domain failures. */
public final class SqlStates {

  private SqlStates() {
  }

  /** A unique constraint refused the row (SQLSTATE 23505). */
  public static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** PostgreSQL gave the transaction up to break a deadlock (SQLSTATE 40P01): it changed nothing. */
  public static boolean isDeadlock(Throwable failure) {
    return failure instanceof PgException pg && "40P01".equals(pg.getSqlState());
  }

  /**
   * Runs {@code statement} (one statement, or one transaction) again when PostgreSQL picked it to
   * break a deadlock, up to {@code attempts} times in all: for a statement whose caller must not see
   * that failure, such as a maintenance sweep meeting a group of job writes that locks rows in
   * another order (the other side of the deadlock then goes on and commits).
   */
  public static <T> Future<T> retryOnDeadlock(Supplier<Future<T>> statement, int attempts) {
    return statement.get().recover(failure -> attempts > 1 && isDeadlock(failure)
        ? retryOnDeadlock(statement, attempts - 1) : Future.failedFuture(failure));
  }
}
