package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommandsChanged;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node that robots' commands changed, so that the node holding a robot's push channel
 * sends them at once: a PostgreSQL {@code NOTIFY} (the payload is the robot ids, or {@code *} for
 * every robot, as after a maintenance sweep), received by every node's {@code LISTEN} and published
 * there as {@code jobs.robot.commands-changed}.
 */
final class RobotNotices {

  private static final Logger LOG = LoggerFactory.getLogger(RobotNotices.class);
  /** Beyond this many robots one notice says "every robot" (a NOTIFY payload holds 8000 bytes). */
  static final int MAX_LISTED = 400;
  private static final String EVERY_ROBOT = "*";

  private final Pool pool;
  private final String channel;
  private PgSubscriber subscriber;

  RobotNotices(Pool pool, DatabaseEndpoint database) {
    this.pool = pool;
    this.channel = ("orchestrator_robot_commands_" + database.schema()).toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9_]", "_");
  }

  /** Robots whose commands changed; an empty list is every robot. */
  Future<Void> announce(List<Long> robotIds) {
    String payload = robotIds.isEmpty() || robotIds.size() > MAX_LISTED ? EVERY_ROBOT
        : robotIds.stream().map(String::valueOf).collect(Collectors.joining(","));
    return pool.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, payload)).mapEmpty();
  }

  /** LISTENs and publishes each notice on this node's bus. */
  Future<Void> listen(Vertx vertx, DatabaseEndpoint database) {
    EventBus bus = vertx.eventBus();
    subscriber = PgSubscriber.subscriber(vertx, database.connectOptions()).reconnectPolicy(retries -> 1_000L);
    subscriber.channel(channel).handler(payload -> {
      RobotCommandsChanged changed = parse(payload);
      if (changed != null) {
        Addresses.JOBS_ROBOT_COMMANDS_CHANGED.publish(bus, changed);
      }
    });
    return subscriber.connect();
  }

  Future<Void> close() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  static RobotCommandsChanged parse(String payload) {
    if (EVERY_ROBOT.equals(payload)) {
      return new RobotCommandsChanged(List.of());
    }
    List<Long> ids = new ArrayList<>();
    try {
      for (String id : payload.split(",")) {
        ids.add(Long.parseLong(id));
      }
    } catch (NumberFormatException e) {
      LOG.warn("a robot notice that is not ours: {}", payload);
      return null;
    }
    return new RobotCommandsChanged(List.copyOf(ids));
  }
}
