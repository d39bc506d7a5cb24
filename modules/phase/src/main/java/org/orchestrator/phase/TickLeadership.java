package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node runs the maintenance tick: the one holding a PostgreSQL advisory lock, taken on a
 * connection of its own. When that node dies its connection closes, the lock is released, and the
 * next node to ask (every node asks once a tick) takes over within a tick. The lock's key is
 * derived from the schema, so nodes of different schemas (test classes) never contend.
 */
final class TickLeadership {

  private static final Logger LOG = LoggerFactory.getLogger(TickLeadership.class);

  private final Vertx vertx;
  private final DatabaseEndpoint database;
  private PgConnection connection;
  private boolean leading;
  private boolean asking;
  private boolean closed;

  TickLeadership(Vertx vertx, DatabaseEndpoint database) {
    this.vertx = vertx;
    this.database = database;
  }

  /** True when this node runs the tick (now holds the lock, or just took it). */
  Future<Boolean> lead() {
    if (leading || asking || closed) {
      return Future.succeededFuture(leading);
    }
    asking = true;
    Future<PgConnection> held = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, database.connectOptions()).onSuccess(opened -> {
          connection = opened;
          opened.closeHandler(gone -> {
            if (leading) {
              LOG.warn("lost the maintenance tick's lock (its connection closed); another node takes over");
            }
            connection = null;
            leading = false;
          });
        });
    return held
        .compose(c -> c.preparedQuery("SELECT pg_try_advisory_lock(hashtext($1))")
            .execute(Tuple.of("orchestrator maintenance tick " + database.schema())))
        .map(rows -> {
          leading = rows.iterator().next().getBoolean(0);
          if (leading) {
            LOG.info("this node runs the maintenance tick");
          }
          return leading;
        })
        .otherwise(failure -> {
          LOG.debug("maintenance tick's lock not taken: {}", failure.getMessage());
          return false;
        })
        .onComplete(done -> asking = false);
  }

  boolean leading() {
    return leading;
  }

  Future<Void> close() {
    closed = true;
    leading = false;
    PgConnection open = connection;
    connection = null;
    return open == null ? Future.succeededFuture() : open.close();
  }
}
