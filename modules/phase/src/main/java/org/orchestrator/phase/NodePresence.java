package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.orchestrator.contracts.phase.PhaseMessages.NodeInfo;
import org.orchestrator.contracts.phase.PhaseMessages.NodeList;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.database.Timestamps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's row in {@code nodes} (decision 111): inserted at start, touched every {@link
 * #HEARTBEAT_MS}, deleted at a clean stop. A node is live while its row was touched within {@link
 * #LIVE_SECONDS} by the database's clock; rows not touched for {@link #FORGET_SECONDS} (a node that
 * died) are deleted by whichever node beats next. A row deleted under a live node (it could not
 * reach the database for a minute) is inserted again at its next beat.
 */
final class NodePresence {

  private static final Logger LOG = LoggerFactory.getLogger(NodePresence.class);
  static final long HEARTBEAT_MS = 5_000;
  static final int LIVE_SECONDS = 15;
  static final int FORGET_SECONDS = 60;

  private final Vertx vertx;
  private final Pool pool;
  private final BuildInfo build;
  private final String id;
  private final String host;
  private long timer = -1;
  private boolean beating;

  NodePresence(Vertx vertx, Pool pool, BuildInfo build) {
    this.vertx = vertx;
    this.pool = pool;
    this.build = build;
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    this.id = HexFormat.of().formatHex(random);
    this.host = hostName();
  }

  String id() {
    return id;
  }

  Future<Void> start() {
    return insert().onSuccess(inserted -> {
      LOG.info("node {} ({} on {}) joined the cluster", id, build.describe(), host);
      timer = vertx.setPeriodic(HEARTBEAT_MS, tick -> beat());
    });
  }

  /** Leaves the cluster: the row goes, so the others stop listing this node at once. */
  Future<Void> stop() {
    vertx.cancelTimer(timer);
    return pool.preparedQuery("DELETE FROM nodes WHERE id = $1").execute(Tuple.of(id))
        .<Void>mapEmpty()
        .otherwise(failure -> {
          LOG.warn("node {} not removed from the cluster's list (it drops out within {} s): {}", id, LIVE_SECONDS,
              failure.getMessage());
          return null;
        });
  }

  /** The nodes seen within {@link #LIVE_SECONDS}, oldest first. */
  Future<NodeList> live() {
    return pool.preparedQuery("SELECT id, version, commit_id, host, started_at, last_seen_at FROM nodes "
            + "WHERE last_seen_at > now() - make_interval(secs => $1) ORDER BY started_at, id")
        .execute(Tuple.of(LIVE_SECONDS))
        .map(rows -> {
          List<NodeInfo> nodes = new ArrayList<>();
          for (Row row : rows) {
            nodes.add(new NodeInfo(row.getString("id"), row.getString("version"), row.getString("commit_id"),
                row.getString("host"), Timestamps.instant(row, "started_at"),
                Timestamps.instant(row, "last_seen_at")));
          }
          return new NodeList(nodes);
        });
  }

  private Future<Void> insert() {
    return pool.preparedQuery("INSERT INTO nodes (id, version, commit_id, host) VALUES ($1, $2, $3, $4) "
            + "ON CONFLICT (id) DO UPDATE SET last_seen_at = now()")
        .execute(Tuple.of(id, build.version(), build.commit(), host)).mapEmpty();
  }

  private void beat() {
    if (beating) {
      return;
    }
    beating = true;
    pool.withTransaction(connection -> connection
            .preparedQuery("UPDATE nodes SET last_seen_at = now() WHERE id = $1").execute(Tuple.of(id))
            .compose(updated -> connection.preparedQuery(
                    "DELETE FROM nodes WHERE last_seen_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(FORGET_SECONDS)).map(updated.rowCount())))
        .compose(updated -> updated > 0 ? Future.<Void>succeededFuture() : insert())
        .onFailure(failure -> LOG.debug("node {} heartbeat not stored: {}", id, failure.getMessage()))
        .onComplete(done -> beating = false);
  }

  /** The machine's name as its operator knows it, without asking DNS (which may hang). */
  private static String hostName() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = Files.readString(Path.of("/etc/hostname")).trim();
      } catch (Exception e) {
        name = null;
      }
    }
    String pid = String.valueOf(ProcessHandle.current().pid());
    return (name == null || name.isBlank() ? "unknown" : name) + " (pid " + pid + ")";
  }
}
