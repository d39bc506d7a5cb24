package org.orchestrator.http.routes;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.ControlJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateJob;
import org.orchestrator.contracts.jobs.JobMessages.GetJob;
import org.orchestrator.contracts.jobs.JobMessages.ListJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListLogs;
import org.orchestrator.contracts.jobs.JobMessages.ListQueueItems;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.http.support.Requests;

/** The human side of jobs: create, list, read, stop, kill; queue items and robot logs. */
public final class JobRoutes {

  static final int DEFAULT_PAGE_SIZE = 50;

  private final EventBus bus;

  public JobRoutes(EventBus bus) {
    this.bus = bus;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("createJob").addHandler(ctx -> Requests.guard(ctx, () -> {
      JsonObject body = Requests.body(ctx);
      CreateJob command = new CreateJob(Requests.human(ctx), body.getString("processName"), body.getLong("robotId"));
      Requests.reply(ctx, 201, Addresses.JOBS_JOB_CREATE.request(bus, command).map(JsonViews::job));
    }));
    builder.getRoute("listJobs").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListJobs query = new ListJobs(Requests.human(ctx), JobState.parse(Requests.queryString(ctx, "state")),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.JOBS_JOB_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), JsonViews::job, page.page(), page.size(), page.total())));
    }));
    builder.getRoute("getJob").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.JOBS_JOB_GET.request(bus,
            new GetJob(Requests.human(ctx), Requests.pathLong(ctx, "id"))).map(JsonViews::job))));
    builder.getRoute("stopJob").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.JOBS_JOB_STOP.request(bus,
            new ControlJob(Requests.human(ctx), Requests.pathLong(ctx, "id"))).map(JsonViews::job))));
    builder.getRoute("killJob").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, Addresses.JOBS_JOB_KILL.request(bus,
            new ControlJob(Requests.human(ctx), Requests.pathLong(ctx, "id"))).map(JsonViews::job))));
    builder.getRoute("listQueueItems").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListQueueItems query = new ListQueueItems(Requests.human(ctx), Requests.queryString(ctx, "queue"),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.JOBS_QUEUE_ITEM_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), JsonViews::queueItem, page.page(), page.size(), page.total())
              .put("queue", query.queueName())));
    }));
    builder.getRoute("listRobotLogs").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListLogs query = new ListLogs(Requests.human(ctx), Requests.queryLong(ctx, "jobId"),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.JOBS_LOG_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), JsonViews::log, page.page(), page.size(), page.total())));
    }));
  }
}
