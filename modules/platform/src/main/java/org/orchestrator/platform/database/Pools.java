package org.orchestrator.platform.database;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Creates the one reactive connection pool the verticles share. */
public final class Pools {

  private Pools() {
  }

  public static Pool create(Vertx vertx, DatabaseEndpoint endpoint, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setShared(false).setMaxWaitQueueSize(10_000))
        .connectingTo(endpoint.connectOptions())
        .using(vertx)
        .build();
  }
}
