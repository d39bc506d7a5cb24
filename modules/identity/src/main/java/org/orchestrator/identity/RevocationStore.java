package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's copy of the revocations ({@code principal_revocations} of the last token lifetime),
 * published on this node's bus ({@code identity.revocations.changed}) whenever it changes, for the
 * token checks of the HTTP edge ({@code RevokedTokens}) and the robots' push channels.
 *
 * <p>How every node learns of a revocation: the transaction that writes one sends {@code NOTIFY}
 * on the schema's channel, delivered at commit to every node's {@code LISTEN}, which reloads
 * (milliseconds). The listening connection reconnects by itself and reloads once connected, in case
 * it missed a notice meanwhile; and every node reloads every {@link #RELOAD_PERIOD_MS} whatever it
 * heard, which bounds a revocation's way to a node whose connection died silently. The node that
 * wrote a revocation reloads before it answers, so its own next request is refused already.
 *
 * <p>Reloads run one at a time, on the identity verticle's event loop, each reading everything (a
 * few rows: revocations of the last hour); a reload asked for while one runs runs after it, so
 * versions grow in the order of what they read.
 */
final class RevocationStore {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationStore.class);
  /** The safety net: every node reloads this often, NOTIFY or not. */
  static final long RELOAD_PERIOD_MS = 2_000;
  static final String USER = "User";
  static final String ROBOT = "Robot";

  private final Vertx vertx;
  private final Pool pool;
  private final DatabaseEndpoint database;
  private final String channel;
  /** How far back revocations matter: a token's lifetime, its verifier's leeway and a margin. */
  private final int windowSeconds;
  private Revocations current = Revocations.NONE;
  private boolean loading;
  private List<Promise<Revocations>> waiting = new ArrayList<>();
  private PgSubscriber subscriber;
  private long timer = -1;
  /** Whether the last reload failed (logged once, and once again when reloads work again). */
  private boolean failing;

  RevocationStore(Vertx vertx, Pool pool, DatabaseEndpoint database, int tokenTtlSeconds) {
    this.vertx = vertx;
    this.pool = pool;
    this.database = database;
    this.channel = ("orchestrator_revocations_" + database.schema()).toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9_]", "_");
    this.windowSeconds = tokenTtlSeconds + 5 + 60;
  }

  /** Loads once, then LISTENs and reloads every {@link #RELOAD_PERIOD_MS}. */
  Future<Void> start() {
    return reload().compose(loaded -> {
      timer = vertx.setPeriodic(RELOAD_PERIOD_MS, id -> reload().onComplete(reloaded -> {
        if (reloaded.failed() && !failing) {
          LOG.warn("revocations not reloaded (this node refuses what it last read, until a reload works): {}",
              reloaded.cause().getMessage());
        } else if (reloaded.succeeded() && failing) {
          LOG.info("revocations reloaded again");
        }
        failing = reloaded.failed();
      }));
      subscriber = PgSubscriber.subscriber(vertx, database.connectOptions()).reconnectPolicy(retries -> 1_000L);
      subscriber.channel(channel)
          .subscribeHandler(subscribed -> reload())
          .handler(payload -> reload()
              .onFailure(failure -> LOG.warn("revocation {} not loaded: {}", payload, failure.getMessage())));
      return subscriber.connect();
    });
  }

  Future<Void> close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  /** What this node refuses now. */
  Revocations current() {
    return current;
  }

  /**
   * Writes a revocation in {@code tx}, and the NOTIFY that every node receives when it commits:
   * tokens of the principal with a lower generation are refused ({@link Revocations#DELETED}: all).
   */
  Future<Void> revoke(SqlClient tx, String kind, long principalId, Long tenantId, int generation) {
    return tx.preparedQuery("""
            INSERT INTO principal_revocations (kind, principal_id, tenant_id, generation) VALUES ($1, $2, $3, $4)
            ON CONFLICT (kind, principal_id) DO UPDATE SET generation = excluded.generation, revoked_at = now()""")
        .execute(Tuple.of(kind, principalId, tenantId, generation))
        .compose(done -> tx.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, kind + ":" + principalId)))
        .mapEmpty();
  }

  /**
   * A reload that starts after this call (one running now may have read before a change this
   * caller just committed); completes with what it read, published when it changed.
   */
  Future<Revocations> reload() {
    Promise<Revocations> promise = Promise.promise();
    waiting.add(promise);
    if (!loading) {
      next();
    }
    return promise.future();
  }

  private void next() {
    loading = true;
    List<Promise<Revocations>> batch = waiting;
    waiting = new ArrayList<>();
    load().onComplete(loaded -> {
      if (loaded.succeeded()) {
        Revocations read = loaded.result();
        if (!read.users().equals(current.users()) || !read.robots().equals(current.robots())) {
          current = new Revocations(current.version() + 1, read.users(), read.robots());
          Addresses.IDENTITY_REVOCATIONS_CHANGED.publish(vertx.eventBus(), current);
        }
        batch.forEach(promise -> promise.complete(current));
      } else {
        batch.forEach(promise -> promise.fail(loaded.cause()));
      }
      loading = false;
      if (!waiting.isEmpty()) {
        next();
      }
    });
  }

  private Future<Revocations> load() {
    return pool.preparedQuery("SELECT kind, principal_id, generation FROM principal_revocations "
            + "WHERE revoked_at > now() - make_interval(secs => $1)")
        .execute(Tuple.of(windowSeconds))
        .map(rows -> {
          Map<Long, Integer> users = new HashMap<>();
          Map<Long, Integer> robots = new HashMap<>();
          rows.forEach(row -> (ROBOT.equals(row.getString("kind")) ? robots : users)
              .put(row.getLong("principal_id"), row.getInteger("generation")));
          return new Revocations(0, Map.copyOf(users), Map.copyOf(robots));
        });
  }
}
