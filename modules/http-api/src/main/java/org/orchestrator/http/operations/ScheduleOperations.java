package org.orchestrator.http.operations;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CreateSchedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Fire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSchedules;
import org.orchestrator.contracts.scheduler.ScheduleMessages.MissedFirePolicy;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleAction;
import org.orchestrator.http.support.Requests;

/** Schedules (triggers) and their fire history. */
public final class ScheduleOperations {

  private ScheduleOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("createSchedule", Addresses.SCHEDULER_SCHEDULE_CREATE, ctx -> {
      JsonObject body = Requests.body(ctx);
      String policy = body.getString("missedFirePolicy");
      return new CreateSchedule(Requests.human(ctx), body.getString("name"), body.getString("processName"),
          body.getString("cron"), body.getString("timeZone", "UTC"), body.getLong("robotId"),
          policy == null ? MissedFirePolicy.Skip : MissedFirePolicy.valueOf(policy));
    }, ScheduleOperations::view);
    operations.bus("listSchedules", Addresses.SCHEDULER_SCHEDULE_LIST, ctx -> new ListSchedules(Requests.human(ctx)),
        list -> JsonViews.items(list.items(), ScheduleOperations::view));
    operations.bus("enableSchedule", Addresses.SCHEDULER_SCHEDULE_ENABLE, ScheduleOperations::action,
        ScheduleOperations::view);
    operations.bus("disableSchedule", Addresses.SCHEDULER_SCHEDULE_DISABLE, ScheduleOperations::action,
        ScheduleOperations::view);
    operations.bus("deleteSchedule", Addresses.SCHEDULER_SCHEDULE_DELETE, ScheduleOperations::action, deleted -> null);
    operations.bus("listScheduleFires", Addresses.SCHEDULER_FIRE_LIST, ctx -> new ListFires(Requests.human(ctx),
            Requests.pathLong(ctx, "id"), Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, ScheduleOperations::view));
  }

  private static ScheduleAction action(RoutingContext ctx) {
    return new ScheduleAction(Requests.human(ctx), Requests.pathLong(ctx, "id"));
  }

  static JsonObject view(Schedule schedule) {
    return new JsonObject().put("id", schedule.id()).put("tenantId", schedule.tenantId())
        .put("name", schedule.name()).put("processName", schedule.processName()).put("cron", schedule.cron())
        .put("timeZone", schedule.timeZone()).put("robotId", schedule.robotId()).put("enabled", schedule.enabled())
        .put("nextFireAt", JsonViews.text(schedule.nextFireAt()))
        .put("createdAt", JsonViews.text(schedule.createdAt()))
        .put("missedFirePolicy", schedule.missedFirePolicy().name());
  }

  static JsonObject view(Fire fire) {
    return new JsonObject().put("scheduleId", fire.scheduleId()).put("tenantId", fire.tenantId()).put("plannedAt", JsonViews.text(fire.plannedAt()))
        .put("outcome", fire.outcome().name()).put("jobId", fire.jobId()).put("reason", fire.reason());
  }
}
