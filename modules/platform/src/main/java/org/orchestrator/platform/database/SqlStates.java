package org.orchestrator.platform.database;

import io.vertx.pgclient.PgException;

/** PostgreSQL error classes the repositories turn into domain failures. */
public final class SqlStates {

  private SqlStates() {
  }

  /** A unique constraint refused the row (SQLSTATE 23505). */
  public static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException pg && "23505".equals(pg.getSqlState());
  }
}
