package org.orchestrator.platform.database;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;
import java.util.Set;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.FailureTranslator;

/**
 * The database failures a client should retry, answered 503 {@code UNAVAILABLE} with
 * {@code Retry-After} instead of 500: the server dropped the connection (a restart, a failover,
 * {@code pg_terminate_backend}), refused a new one, or gave up a transaction that may simply be
 * run again (serialization failure, deadlock). Nothing was committed by the request that met one
 * (a transaction whose connection dies is rolled back), so a retry is safe wherever the request
 * itself is idempotent or keyed (the robot protocol's are: heartbeats, reports, batch ids).
 * Registered with {@link java.util.ServiceLoader} for {@link FailureTranslator}.
 */
public final class DatabaseFailures implements FailureTranslator {

  /** SQLSTATEs that end a connection or a transaction through no fault of the request. */
  private static final Set<String> TRANSIENT = Set.of(
      "57P01", // admin_shutdown (pg_terminate_backend, a fast shutdown)
      "57P02", // crash_shutdown
      "57P03", // cannot_connect_now (starting up, shutting down)
      "53300", // too_many_connections
      "40001", // serialization_failure
      "40P01"); // deadlock_detected

  static final String MESSAGE = "the database is unavailable for a moment; retry";

  @Override
  public Optional<Failure> translate(Throwable failure) {
    boolean transientFailure = failure instanceof ClosedConnectionException
        || failure instanceof SocketException // refused, reset
        // the PostgreSQL client's only sign of a query sent on a connection that had just closed
        || failure instanceof VertxException && failure.getMessage() != null
            && failure.getMessage().startsWith("Connection is not active now")
        || failure instanceof ClosedChannelException
        || failure instanceof PgException pg && pg.getSqlState() != null
            && (pg.getSqlState().startsWith("08") || TRANSIENT.contains(pg.getSqlState()));
    return transientFailure ? Optional.of(new Failure(FailureCode.UNAVAILABLE, MESSAGE)) : Optional.empty();
  }
}
