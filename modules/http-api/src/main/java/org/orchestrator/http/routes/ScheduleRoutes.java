package org.orchestrator.http.routes;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CreateSchedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Fire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListSchedules;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleAction;
import org.orchestrator.http.support.Requests;

/** Schedules (triggers) and their fire history. */
public final class ScheduleRoutes {

  private final EventBus bus;

  public ScheduleRoutes(EventBus bus) {
    this.bus = bus;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("createSchedule").addHandler(ctx -> Requests.guard(ctx, () -> {
      JsonObject body = Requests.body(ctx);
      CreateSchedule command = new CreateSchedule(Requests.human(ctx), body.getString("name"),
          body.getString("processName"), body.getString("cron"), body.getString("timeZone", "UTC"),
          body.getLong("robotId"));
      Requests.reply(ctx, 201, Addresses.SCHEDULER_SCHEDULE_CREATE.request(bus, command).map(ScheduleRoutes::view));
    }));
    builder.getRoute("listSchedules").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.SCHEDULER_SCHEDULE_LIST.request(bus, new ListSchedules(Requests.human(ctx)))
            .map(list -> JsonViews.items(list.items(), ScheduleRoutes::view)))));
    builder.getRoute("enableSchedule").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.SCHEDULER_SCHEDULE_ENABLE.request(bus, action(ctx)).map(ScheduleRoutes::view))));
    builder.getRoute("disableSchedule").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.SCHEDULER_SCHEDULE_DISABLE.request(bus, action(ctx)).map(ScheduleRoutes::view))));
    builder.getRoute("deleteSchedule").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.noContent(ctx, Addresses.SCHEDULER_SCHEDULE_DELETE.request(bus, action(ctx)))));
    builder.getRoute("listScheduleFires").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListFires query = new ListFires(Requests.human(ctx), Requests.pathLong(ctx, "id"),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", JobRoutes.DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.SCHEDULER_FIRE_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), ScheduleRoutes::view, page.page(), page.size(), page.total())));
    }));
  }

  private static ScheduleAction action(io.vertx.ext.web.RoutingContext ctx) {
    return new ScheduleAction(Requests.human(ctx), Requests.pathLong(ctx, "id"));
  }

  static JsonObject view(Schedule schedule) {
    return new JsonObject().put("id", schedule.id()).put("tenantId", schedule.tenantId())
        .put("name", schedule.name()).put("processName", schedule.processName()).put("cron", schedule.cron())
        .put("timeZone", schedule.timeZone()).put("robotId", schedule.robotId()).put("enabled", schedule.enabled())
        .put("nextFireAt", JsonViews.text(schedule.nextFireAt()))
        .put("createdAt", JsonViews.text(schedule.createdAt()));
  }

  static JsonObject view(Fire fire) {
    return new JsonObject().put("scheduleId", fire.scheduleId()).put("tenantId", fire.tenantId()).put("plannedAt", JsonViews.text(fire.plannedAt()))
        .put("outcome", fire.outcome().name()).put("jobId", fire.jobId()).put("reason", fire.reason());
  }
}
