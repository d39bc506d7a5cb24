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
import org.orchestrator.contracts.identity.IdentityMessages.ManageRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RegisterRobot;
import org.orchestrator.contracts.identity.IdentityMessages.RobotList;
import org.orchestrator.contracts.jobs.JobMessages.ListRobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.CordonRobot;
import org.orchestrator.contracts.jobs.JobMessages.PreviewCordon;
import org.orchestrator.contracts.jobs.JobMessages.RobotCordon;
import org.orchestrator.contracts.jobs.JobMessages.UncordonRobot;
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
    operations.bus("cordonRobot", Addresses.JOBS_ROBOT_CORDON, ctx -> {
      JsonObject body = Requests.body(ctx);
      Object stop = body.getValue("stopRunning");
      Object killAfter = body.getValue("killAfter");
      return new CordonRobot(Requests.human(ctx), Requests.pathLong(ctx, "id"), Boolean.TRUE.equals(stop),
          Requests.duration("killAfter", (String) killAfter));
    }, RobotOperations::cordon);
    operations.bus("previewCordon", Addresses.JOBS_ROBOT_CORDON_PREVIEW,
        ctx -> new PreviewCordon(Requests.human(ctx), Requests.pathLong(ctx, "id")),
        preview -> new JsonObject().put("robotId", preview.robotId()).put("cordoned", preview.cordonedAt() != null)
            .put("cordonedAt", JsonViews.text(preview.cordonedAt()))
            .put("wouldStop", new io.vertx.core.json.JsonArray(preview.wouldStop()))
            .put("wouldWait", new io.vertx.core.json.JsonArray(preview.wouldWait())));
    operations.bus("uncordonRobot", Addresses.JOBS_ROBOT_UNCORDON,
        ctx -> new UncordonRobot(Requests.human(ctx), Requests.pathLong(ctx, "id")), RobotOperations::cordon);
    operations.bus("registerRobot", Addresses.IDENTITY_ROBOT_REGISTER,
        ctx -> new RegisterRobot(Requests.human(ctx), Requests.body(ctx).getString("name")),
        registered -> JsonViews.robot(registered.robot()).put("secret", registered.secret())
            .put("connected", false).put("status", "Disconnected").putNull("lastHeartbeatAt"));
    operations.bus("deleteRobot", Addresses.IDENTITY_ROBOT_DELETE,
        ctx -> new ManageRobot(Requests.human(ctx), Requests.pathLong(ctx, "id")), deleted -> null);
    operations.bus("disableRobot", Addresses.IDENTITY_ROBOT_DISABLE,
        ctx -> new ManageRobot(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::robot);
    operations.bus("enableRobot", Addresses.IDENTITY_ROBOT_ENABLE,
        ctx -> new ManageRobot(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::robot);
    operations.reply("listRobots", ctx -> {
      Caller caller = Requests.human(ctx);
      EventBus bus = ctx.vertx().eventBus();
      Future<RobotList> robots = Addresses.IDENTITY_ROBOT_LIST.request(bus, new ListRobots(caller));
      return robots.compose(list -> Addresses.JOBS_ROBOT_PRESENCE_LIST
          .request(bus, new ListRobotPresence(caller.tenantId()))
          .map(presence -> merge(list, presence)));
    });
  }

  private static JsonObject cordon(RobotCordon cordon) {
    return new JsonObject().put("robotId", cordon.robotId()).put("cordoned", cordon.cordonedAt() != null)
        .put("cordonedAt", JsonViews.text(cordon.cordonedAt())).put("cordonedBy", cordon.cordonedBy())
        .put("killAt", JsonViews.text(cordon.killAt())).put("stopped", cordon.stopped());
  }

  private static JsonObject merge(RobotList robots, RobotPresenceList presence) {
    Map<Long, RobotPresence> seen = presence.items().stream()
        .collect(Collectors.toMap(RobotPresence::robotId, Function.identity()));
    return JsonViews.items(robots.items(), robot -> {
      RobotPresence p = seen.get(robot.id());
      boolean connected = p != null && p.connected();
      return JsonViews.robot(robot).put("connected", connected).put("status", connected ? "Connected" : "Disconnected")
          .put("lastHeartbeatAt", p == null ? null : JsonViews.text(p.lastHeartbeatAt()))
          .put("cordoned", p != null && p.cordonedAt() != null)
          .put("cordonedAt", p == null ? null : JsonViews.text(p.cordonedAt()))
          .put("cordonedBy", p == null ? null : p.cordonedBy());
    });
  }
}
