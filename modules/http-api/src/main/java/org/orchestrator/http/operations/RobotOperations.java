package org.orchestrator.http.operations;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListRobots;
import org.orchestrator.contracts.identity.IdentityMessages.RegisterRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RobotList;
import org.orchestrator.contracts.jobs.JobMessages.ListRobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresenceList;
import org.orchestrator.http.support.Requests;

/**
 * Robots as tenant users see them: registered in identity, connected or not as the jobs module
 * last heard from them.
 */
public final class RobotOperations {

  private RobotOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("registerRobot", Addresses.IDENTITY_ROBOT_REGISTER,
        ctx -> new RegisterRobot(Requests.human(ctx), Requests.body(ctx).getString("name")),
        registered -> JsonViews.robot(registered.robot()).put("secret", registered.secret())
            .put("connected", false).put("status", "Disconnected").putNull("lastHeartbeatAt"));
    operations.reply("listRobots", ctx -> {
      Caller caller = Requests.human(ctx);
      EventBus bus = ctx.vertx().eventBus();
      Future<RobotList> robots = Addresses.IDENTITY_ROBOT_LIST.request(bus, new ListRobots(caller));
      return robots.compose(list -> Addresses.JOBS_ROBOT_PRESENCE_LIST
          .request(bus, new ListRobotPresence(caller.tenantId()))
          .map(presence -> merge(list, presence)));
    });
  }

  private static JsonObject merge(RobotList robots, RobotPresenceList presence) {
    Map<Long, RobotPresence> seen = presence.items().stream()
        .collect(Collectors.toMap(RobotPresence::robotId, Function.identity()));
    return JsonViews.items(robots.items(), robot -> {
      RobotPresence p = seen.get(robot.id());
      boolean connected = p != null && p.connected();
      return JsonViews.robot(robot).put("connected", connected).put("status", connected ? "Connected" : "Disconnected")
          .put("lastHeartbeatAt", p == null ? null : JsonViews.text(p.lastHeartbeatAt()));
    });
  }
}
