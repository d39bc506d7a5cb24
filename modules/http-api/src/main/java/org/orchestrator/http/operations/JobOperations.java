package org.orchestrator.http.operations;

import io.vertx.core.json.JsonObject;
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
public final class JobOperations {

  static final int DEFAULT_PAGE_SIZE = 50;

  private JobOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("createJob", Addresses.JOBS_JOB_CREATE, ctx -> {
      JsonObject body = Requests.body(ctx);
      return new CreateJob(Requests.human(ctx), body.getString("processName"), body.getLong("robotId"));
    }, JsonViews::job);
    operations.bus("listJobs", Addresses.JOBS_JOB_LIST, ctx -> new ListJobs(Requests.human(ctx),
            JobState.parse(Requests.queryString(ctx, "state")), Requests.page(ctx, DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, JsonViews::job));
    operations.bus("getJob", Addresses.JOBS_JOB_GET,
        ctx -> new GetJob(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::job);
    operations.bus("stopJob", Addresses.JOBS_JOB_STOP,
        ctx -> new ControlJob(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::job);
    operations.bus("killJob", Addresses.JOBS_JOB_KILL,
        ctx -> new ControlJob(Requests.human(ctx), Requests.pathLong(ctx, "id")), JsonViews::job);
    operations.reply("listQueueItems", ctx -> {
      ListQueueItems query = new ListQueueItems(Requests.human(ctx), Requests.queryString(ctx, "queue"),
          Requests.page(ctx, DEFAULT_PAGE_SIZE));
      return Addresses.JOBS_QUEUE_ITEM_LIST.request(ctx.vertx().eventBus(), query)
          .map(page -> JsonViews.page(page, JsonViews::queueItem)
              .put("queue", query.queueName()));
    });
    operations.bus("listRobotLogs", Addresses.JOBS_LOG_LIST, ctx -> new ListLogs(Requests.human(ctx),
            Requests.queryLong(ctx, "jobId"), Requests.page(ctx, DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, JsonViews::log));
  }
}
