package org.orchestrator.http.robots;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.http.operations.Operations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.GetRobotCommands;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommand;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommandsChanged;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.http.GateHandler;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.http.support.Requests;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.security.RevokedTokens;
import org.orchestrator.platform.security.TokenClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The robots' push channels of this node: {@code GET /api/robot/events} (Server-Sent Events, robot
 * tokens). On connect and whenever a robot's commands change anywhere in the cluster
 * ({@code jobs.robot.commands-changed}, from a PostgreSQL NOTIFY), the robot gets
 * {@code event: commands} with the same commands a heartbeat returns, so a Stop reaches it without
 * waiting for its next heartbeat. The heartbeat stays the protocol (commands repeat there until
 * reported); the channel only makes them early.
 *
 * <p>Bounds: one channel per robot (a new one replaces the old, which ends with
 * {@code event: replaced}); a robot that does not read is cut off; a channel ends when its token
 * expires, when its token is revoked (the robot was deleted or disabled: {@code event: revoked},
 * on whichever node holds the channel, as soon as that node's revocations say so) and when the
 * phase becomes Suspended (the gate then refuses it like every robot route).
 * Each instance of the HTTP verticle has its own, on its event loop; the {@link Registry} they share
 * keeps one channel per robot across them.
 */
public final class RobotChannels {

  /** A robot's channel and the instance (event loop) that serves it. */
  private record Channel(RobotChannels owner, HttpServerResponse response) {
  }

  /** Every channel of the node, robot id -> channel; the gauge of open channels counts them. */
  public static final class Registry {
    private final Map<Long, Channel> all = new java.util.concurrent.ConcurrentHashMap<>();

    public Registry(MeterRegistry registry) {
      Gauge.builder(Meters.ROBOT_CHANNELS_OPEN, all, Map::size)
          .description("robots holding a push channel on this node").register(registry);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(RobotChannels.class);
  private static final long KEEPALIVE_MS = 20_000;
  /** Robots asked for at once when every channel refreshes. */
  private static final int BATCH = 1_000;

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final EventBus bus;
  private final Registry registry;
  /** This instance's channels (a subset of the registry's), touched on its event loop only. */
  private final Map<Long, HttpServerResponse> open = new HashMap<>();
  /** The tenant of each robot of {@link #open}. */
  private final Map<Long, Long> tenants = new HashMap<>();
  /** The claims of the token each robot of {@link #open} connected with. */
  private final Map<Long, JsonObject> claims = new HashMap<>();

  /** The settings that say when a robot is told to come back (Suspended) or to heartbeat (End). */
  private final OrchestratorConfig.Maintenance settings;
  /** The phase this instance last saw: End is a robot's tenant leaving maintenance. */
  private PhaseSnapshot seen;

  /** Made in the verticle's start, so that its context is the instance's event loop. */
  public RobotChannels(Vertx vertx, Registry registry, OrchestratorConfig.Maintenance settings, PhaseSnapshot phase) {
    this.vertx = vertx;
    this.settings = settings;
    this.seen = phase;
    this.context = vertx.getOrCreateContext();
    this.bus = vertx.eventBus();
    this.registry = registry;
    Addresses.JOBS_ROBOT_COMMANDS_CHANGED.subscribe(bus, this::changed);
    // a deleted or disabled robot's channel ends: its token no longer speaks for anyone
    Addresses.IDENTITY_REVOCATIONS_CHANGED.subscribe(bus, revocations -> {
      List<Long> revoked = claims.entrySet().stream()
          .filter(entry -> RevokedTokens.refuses(revocations, entry.getValue())).map(Map.Entry::getKey).toList();
      revoked.forEach(robotId -> {
        HttpServerResponse response = open.remove(robotId);
        tenants.remove(robotId);
        claims.remove(robotId);
        if (response != null) {
          registry.all.remove(robotId);
          end(response, "revoked", new JsonObject().put("message", RevokedTokens.REFUSAL));
        }
      });
    });
    // Suspended (the platform, or a robot's tenant in a window of its own) cuts its robots off, each
    // told when to try again; End tells each robot still connected when to heartbeat for its next job
    Addresses.PHASE_CHANGED.subscribe(bus, snapshot -> {
      PhaseSnapshot before = seen;
      seen = snapshot;
      List<Long> cut = open.keySet().stream()
          .filter(robotId -> snapshot.phaseOf(tenants.get(robotId)) == MaintenancePhase.Suspended).toList();
      if (!cut.isEmpty()) {
        LOG.info("Suspended: closing {} robot channels", cut.size());
        cut.forEach(robotId -> {
          HttpServerResponse response = open.remove(robotId);
          tenants.remove(robotId);
          claims.remove(robotId);
          registry.all.remove(robotId);
          int retryAfter = GateHandler.robotRetryAfter(settings.robotRetryAfterSeconds(),
              settings.robotReturnSpreadSeconds());
          end(response, "suspended", new JsonObject()
              .put("message", "the orchestrator is Suspended; reconnect after it ends")
              .put("retryAfterSeconds", retryAfter));
        });
      }
      if (before != null && snapshot.version() > before.version()) {
        resumed(before, snapshot);
      }
    });
  }

  /**
   * End, for the robots whose tenant left maintenance: {@code event: resumed} with
   * {@code heartbeatAfterMillis}, a random share of the return spread, so that the fleet takes its
   * next jobs over a slope rather than in the same second (the start pace holds either way).
   */
  private void resumed(PhaseSnapshot before, PhaseSnapshot now) {
    int spreadMillis = settings.robotReturnSpreadSeconds() * 1_000;
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    open.forEach((robotId, response) -> {
      Long tenant = tenants.get(robotId);
      if (before.phaseOf(tenant).inMaintenance() && !now.phaseOf(tenant).inMaintenance()) {
        write(response, "event: resumed\ndata: " + new JsonObject()
            .put("message", "maintenance ended; heartbeat for your next job after heartbeatAfterMillis")
            .put("heartbeatAfterMillis", spreadMillis == 0 ? 0 : random.nextInt(spreadMillis + 1)).encode() + "\n\n");
      }
    });
  }

  public void bind(Operations operations) {
    operations.handler("robotEvents", this::connect);
  }

  private void connect(RoutingContext ctx) {
    Caller robot = Requests.robot(ctx);
    long robotId = robot.principalId();
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    Channel channel = new Channel(this, response);
    open.put(robotId, response);
    tenants.put(robotId, robot.tenantId());
    claims.put(robotId, ctx.user().principal());
    Channel previous = registry.all.put(robotId, channel);
    if (previous != null) {
      // the robot's older channel, on this event loop or another's: ended there
      previous.owner().context.runOnContext(v -> previous.owner().replaced(robotId, previous.response()));
    }
    response.write(": connected\n\n");
    long keepAlive = vertx.setPeriodic(KEEPALIVE_MS, id -> write(response, ": keep-alive\n\n"));
    long[] expiry = {-1};
    Long expires = TokenClaims.expiresAtSeconds(ctx.user());
    if (expires != null) {
      expiry[0] = vertx.setTimer(Math.max(1, expires * 1000 - System.currentTimeMillis()), id -> end(response,
          "expired", new JsonObject().put("message", "the token expired; sign in again and reconnect")));
    }
    response.closeHandler(closed -> {
      vertx.cancelTimer(keepAlive);
      vertx.cancelTimer(expiry[0]);
      if (open.remove(robotId, response)) {
        tenants.remove(robotId);
        claims.remove(robotId);
      }
      registry.all.remove(robotId, channel);
    });
    refresh(List.of(robotId));
  }

  /** Ends a channel a newer one of the same robot replaced (on this instance's event loop). */
  private void replaced(long robotId, HttpServerResponse response) {
    if (open.remove(robotId, response)) {
      tenants.remove(robotId);
      claims.remove(robotId);
    }
    end(response, "replaced", new JsonObject().put("message", "another channel of this robot opened"));
  }

  private void changed(RobotCommandsChanged changed) {
    List<Long> robots = new ArrayList<>();
    if (changed.everyRobot()) {
      robots.addAll(open.keySet());
    } else {
      changed.robotIds().stream().filter(open::containsKey).forEach(robots::add);
    }
    for (int from = 0; from < robots.size(); from += BATCH) {
      refresh(robots.subList(from, Math.min(robots.size(), from + BATCH)));
    }
  }

  private void refresh(List<Long> robots) {
    Addresses.JOBS_ROBOT_COMMANDS_GET.request(bus, new GetRobotCommands(List.copyOf(robots)))
        .onSuccess(found -> found.commands().forEach((robotId, commands) -> {
          HttpServerResponse response = open.get(robotId);
          if (response != null) {
            write(response, "event: commands\ndata: " + json(commands).encode() + "\n\n");
          }
        }))
        .onFailure(failure -> LOG.debug("robot commands not read for their channels: {}", failure.getMessage()));
  }

  private static JsonObject json(List<RobotCommand> commands) {
    JsonArray list = new JsonArray();
    commands.forEach(command -> list.add(new JsonObject().put("type", command.type().name())
        .put("jobId", command.jobId()).put("processName", command.processName())));
    return new JsonObject().put("commands", list);
  }

  /** One event; a robot that does not read is cut off rather than buffered for. */
  private static void write(HttpServerResponse response, String text) {
    if (response.closed() || response.ended()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.reset();
      return;
    }
    response.write(text);
  }

  private static void end(HttpServerResponse response, String event, JsonObject data) {
    write(response, "event: " + event + "\ndata: " + data.encode() + "\n\n");
    if (!response.closed() && !response.ended()) {
      response.end();
    }
  }
}
