package org.orchestrator.http.operations;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.AddQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.AppendLogs;
import org.orchestrator.contracts.jobs.JobMessages.FinishQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.QueueItemStatus;
import org.orchestrator.contracts.jobs.JobMessages.TakeQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.Heartbeat;
import org.orchestrator.contracts.jobs.JobMessages.ReportJobState;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.http.support.Requests;

/** What robots call (robot tokens only): heartbeat, job state, log upload, queue items. */
public final class RobotProtocolOperations {

  private static final java.util.Set<String> QUEUE_ITEM_FIELDS = java.util.Set.of("reference", "payload");
  private static final java.util.Set<String> STATE_FIELDS = java.util.Set.of("state");
  /** What a robot may report (the contract's StateReport). */
  private static final List<String> REPORTABLE = List.of("Running", "Successful", "Faulted", "Stopped");
  private static final java.util.Set<String> RESULT_FIELDS = java.util.Set.of("status", "output");
  /** How a queue item may end (the contract's QueueItemResult). */
  private static final List<String> FINISHED = List.of("Successful", "Failed");
  private static final int MAX_OUTPUT_FIELDS = 100;

  private RobotProtocolOperations() {
  }

  public static void bind(Operations operations) {
    // The robot routes skip the contract's validator (it builds a schema validator per parameter
    // per request: a third of a node's CPU under UiPath's profile, docs/benchmarks.md); each checks
    // what the contract says by hand, and BadInputCorpusTest holds them to the same 400s.
    operations.bus("robotHeartbeat", Addresses.JOBS_ROBOT_HEARTBEAT,
        ctx -> new Heartbeat(Requests.robot(ctx), runningJobs(ctx)), reply -> {
          JsonArray commands = new JsonArray();
          reply.commands().forEach(command -> commands.add(new JsonObject()
              .put("type", command.type().name()).put("jobId", command.jobId())
              .put("processName", command.processName())));
          return new JsonObject().put("commands", commands);
        }).setDoValidation(false);
    operations.bus("robotReportState", Addresses.JOBS_JOB_REPORT, ctx -> {
      long id = Requests.pathLong(ctx, "id");
      JsonObject body = Requests.body(ctx);
      Requests.onlyFields(body, STATE_FIELDS);
      if (!(body.getValue("state") instanceof String state) || !REPORTABLE.contains(state)) {
        throw Failure.badRequest("state is one of " + REPORTABLE + ", and required");
      }
      return new ReportJobState(Requests.robot(ctx), id, JobState.parse(state));
    }, JsonViews::job).setDoValidation(false);
    // The hot path of robot traffic: the batch is checked here, field by field, against the same
    // rules the contract states (LogBatch), which is several times cheaper than the generic
    // JSON-schema validator on 500-line arrays (docs/benchmarks.md).
    operations.bus("robotUploadLogs", Addresses.JOBS_LOG_APPEND, ctx -> {
      LogBatch batch = LogBatch.parse(ctx.body().buffer());
      return new AppendLogs(Requests.robot(ctx), batch.batchId(), batch.lines());
    }, stored -> new JsonObject().put("stored", stored.stored())).setDoValidation(false);
    operations.bus("robotAddQueueItem", Addresses.JOBS_QUEUE_ITEM_ADD, ctx -> {
      JsonObject body = Requests.body(ctx);
      Requests.onlyFields(body, QUEUE_ITEM_FIELDS);
      if (!(body.getValue("payload") instanceof JsonObject payload)) {
        throw Failure.badRequest("payload is a JSON object, and required");
      }
      Object reference = body.getValue("reference");
      if (reference != null && !(reference instanceof String)) {
        throw Failure.badRequest("reference is a string");
      }
      return new AddQueueItem(Requests.robot(ctx), Requests.pathString(ctx, "queue"), (String) reference,
          payload.copy());
    }, id -> new JsonObject().put("id", id.id())).setDoValidation(false);
    // 204 when the queue has nothing New
    operations.bus("robotTakeQueueItem", Addresses.JOBS_QUEUE_ITEM_TAKE,
        ctx -> new TakeQueueItem(Requests.robot(ctx), Requests.pathString(ctx, "queue")),
        taken -> taken.item() == null ? null : new JsonObject().put("id", taken.item().id())
            .put("reference", taken.item().reference()).put("payload", taken.item().payload()))
        .setDoValidation(false);
    operations.bus("robotFinishQueueItem", Addresses.JOBS_QUEUE_ITEM_FINISH, ctx -> {
      long id = Requests.pathLong(ctx, "id");
      JsonObject body = Requests.body(ctx);
      Requests.onlyFields(body, RESULT_FIELDS);
      if (!(body.getValue("status") instanceof String status) || !FINISHED.contains(status)) {
        throw Failure.badRequest("status is one of " + FINISHED + ", and required");
      }
      Object given = body.getValue("output");
      if (given != null && !(given instanceof JsonObject)) {
        throw Failure.badRequest("output is a JSON object");
      }
      JsonObject output = (JsonObject) given;
      if (output != null && output.size() > MAX_OUTPUT_FIELDS) {
        throw Failure.badRequest("output has at most " + MAX_OUTPUT_FIELDS + " fields");
      }
      return new FinishQueueItem(Requests.robot(ctx), id, QueueItemStatus.valueOf(status),
          output == null ? null : output.copy());
    }, JsonViews::queueItem).setDoValidation(false);
  }

  /** The heartbeat's optional {@code runningJobs}: null when the robot does not say. */
  private static List<Long> runningJobs(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    Object listed = Requests.body(ctx).getValue("runningJobs");
    if (listed == null) {
      return null;
    }
    if (!(listed instanceof JsonArray array) || array.size() > Heartbeat.MAX_RUNNING_JOBS) {
      throw Failure.badRequest("runningJobs is an array of at most " + Heartbeat.MAX_RUNNING_JOBS + " job ids");
    }
    List<Long> ids = new ArrayList<>(array.size());
    for (Object id : array) {
      if (!(id instanceof Integer || id instanceof Long) || ((Number) id).longValue() < 1) {
        throw Failure.badRequest("runningJobs holds job ids (integers from 1 to " + Long.MAX_VALUE + ")");
      }
      ids.add(((Number) id).longValue());
    }
    return ids;
  }
}
