package org.orchestrator.platform.database;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * Creates the reactive connection pools: the one the verticles share, and the ones of a hot statement
 * planned once ({@link #genericPlans}: the log writer's, the quiet heartbeats').
 *
 * <p>A request waits for a connection without a timer of the pool's own (decision 123). In Vert.x
 * 5.0.7 that timer can fire for a request that was already given its connection (its cancellation
 * races with the hand-over), and cancelling it then throws {@code IllegalStateException: Promise
 * already completed} in the middle of the pool's task chain: the tasks after it are dropped, among
 * them the hand-over of a connection to another waiting request, which then waits out the 30 s and
 * fails, and whose connection the pool never gets back (vert.x issue 6169, fixed after 5.0.x). The
 * wait stays bounded: every bus request a pool serves has a reply timeout of its own (10 s by
 * default), and at most {@link #MAX_WAITING} requests wait; more are refused at once.
 */
public final class Pools {

  /** Requests waiting for a connection at most; more are refused at once. */
  public static final int MAX_WAITING = 10_000;

  private Pools() {
  }

  public static Pool create(Vertx vertx, DatabaseEndpoint endpoint, int size) {
    return create(vertx, endpoint.connectOptions(), size);
  }

  /**
   * A pool whose connections plan each prepared statement once, for its parameters' types, and keep
   * that plan ({@code plan_cache_mode = force_generic_plan}, set when the connection starts): for a
   * hot statement whose plan does not depend on its values, which PostgreSQL would otherwise plan
   * anew on every execution (decision 124). Only such statements may run on it. Its connections are
   * named {@code orchestrator <purpose>} in {@code pg_stat_activity} (the node's other connections
   * are {@code orchestrator}), so that an operator counting a node's connections sees which are which.
   */
  public static Pool genericPlans(Vertx vertx, DatabaseEndpoint endpoint, int size, String purpose) {
    PgConnectOptions options = endpoint.connectOptions();
    options.addProperty("plan_cache_mode", "force_generic_plan");
    options.addProperty("application_name", "orchestrator " + purpose);
    return create(vertx, options, size);
  }

  /** A pool with these connection options (a setting of its own), held to the same rules as the others. */
  public static Pool create(Vertx vertx, PgConnectOptions options, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setShared(false).setMaxWaitQueueSize(MAX_WAITING)
            .setConnectionTimeout(0))
        .connectingTo(options)
        .using(vertx)
        .build();
  }
}
