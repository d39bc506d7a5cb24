package org.orchestrator.http.operations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.retention.RetentionMessages.GetPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.ListRuns;
import org.orchestrator.contracts.retention.RetentionMessages.PolicyView;
import org.orchestrator.contracts.retention.RetentionMessages.PutPolicy;
import org.orchestrator.contracts.retention.RetentionMessages.Run;
import org.orchestrator.contracts.retention.RetentionMessages.StartRun;
import org.orchestrator.http.support.Requests;

/** Retention: the policy (host's and tenants' overrides) and its runs. */
public final class RetentionOperations {

  private RetentionOperations() {
  }

  public static void bind(Operations operations) {
    operations.bus("getRetention", Addresses.RETENTION_POLICY_GET,
        ctx -> new GetPolicy(Requests.human(ctx), Requests.queryLong(ctx, "tenantId")), RetentionOperations::view);
    operations.bus("putRetention", Addresses.RETENTION_POLICY_PUT,
        ctx -> new PutPolicy(Requests.human(ctx), Requests.queryLong(ctx, "tenantId"), Requests.body(ctx)),
        RetentionOperations::view);
    operations.bus("startRetentionRun", Addresses.RETENTION_RUN_START, ctx -> new StartRun(Requests.human(ctx)),
        started -> new JsonObject().put("runId", started.runId()));
    operations.bus("listRetentionRuns", Addresses.RETENTION_RUN_LIST,
        ctx -> new ListRuns(Requests.human(ctx), Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE)),
        page -> JsonViews.page(page, RetentionOperations::run));
  }

  static JsonObject view(PolicyView view) {
    return new JsonObject().put("tenantId", view.tenantId()).put("policy", view.stored())
        .put("effective", view.effective());
  }

  static JsonObject run(Run run) {
    JsonArray counts = new JsonArray();
    run.counts().forEach(count -> counts.add(new JsonObject().put("tenantId", count.tenantId())
        .put("table", count.table().name()).put("archived", count.archived()).put("deleted", count.deleted())));
    return new JsonObject().put("id", run.id()).put("trigger", run.trigger()).put("outcome", run.outcome())
        .put("error", run.error()).put("startedAt", JsonViews.text(run.startedAt()))
        .put("endedAt", JsonViews.text(run.endedAt())).put("bytesWritten", run.bytesWritten())
        .put("filesWritten", run.filesWritten()).put("partitionsDropped", run.partitionsDropped())
        .put("counts", counts);
  }
}
