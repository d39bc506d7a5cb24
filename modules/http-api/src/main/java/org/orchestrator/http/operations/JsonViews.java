package org.orchestrator.http.operations;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.identity.IdentityMessages.AuditEntry;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.User;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;
import org.orchestrator.contracts.jobs.JobMessages.StoredLog;

/** How message records look as API JSON (camelCase, ISO-8601 UTC instants). */
final class JsonViews {

  private JsonViews() {
  }

  static JsonObject tenant(Tenant tenant) {
    return new JsonObject().put("id", tenant.id()).put("name", tenant.name())
        .put("createdAt", tenant.createdAt().toString());
  }

  static JsonObject user(User user) {
    return new JsonObject().put("id", user.id()).put("username", user.username())
        .put("role", user.role().claim()).put("tenantId", user.tenantId())
        .put("createdAt", user.createdAt().toString()).put("enabled", user.enabled())
        .put("disabledAt", text(user.disabledAt())).put("disabledBy", user.disabledBy());
  }

  static JsonObject robot(Robot robot) {
    return new JsonObject().put("id", robot.id()).put("name", robot.name()).put("tenantId", robot.tenantId())
        .put("createdAt", robot.createdAt().toString()).put("enabled", robot.enabled())
        .put("disabledAt", text(robot.disabledAt())).put("disabledBy", robot.disabledBy());
  }

  static JsonObject audit(AuditEntry entry) {
    return new JsonObject().put("id", entry.id()).put("at", text(entry.at())).put("action", entry.action())
        .put("tenantId", entry.tenantId()).put("targetKind", entry.targetKind()).put("targetId", entry.targetId())
        .put("targetName", entry.targetName()).put("actorId", entry.actorId()).put("actorName", entry.actorName())
        .put("actorRole", entry.actorRole().claim()).put("detail", entry.detail())
        .put("actorAddress", entry.actorAddress());
  }

  static JsonObject job(Job job) {
    return new JsonObject().put("id", job.id()).put("tenantId", job.tenantId())
        .put("processName", job.processName()).put("robotId", job.robotId())
        .put("state", job.state().name()).put("origin", job.origin().name())
        .put("scheduleId", job.scheduleId())
        .put("createdAt", text(job.createdAt())).put("startedAt", text(job.startedAt()))
        .put("endedAt", text(job.endedAt())).put("stopRequestedAt", text(job.stopRequestedAt()))
        .put("killRequestedAt", text(job.killRequestedAt())).put("info", job.info());
  }

  static JsonObject log(StoredLog log) {
    return new JsonObject().put("id", log.id()).put("jobId", log.jobId()).put("robotId", log.robotId())
        .put("level", log.level()).put("message", log.message()).put("timeStamp", text(log.timeStamp()));
  }

  static JsonObject queueItem(QueueItem item) {
    return new JsonObject().put("id", item.id()).put("queue", item.queueName()).put("reference", item.reference())
        .put("payload", item.payload()).put("robotId", item.robotId()).put("createdAt", text(item.createdAt()))
        .put("status", item.status()).put("processingRobotId", item.processingRobotId()).put("output", item.output());
  }

  static <T> JsonObject page(Page<T> page, Function<T, JsonObject> view) {
    return items(page.items(), view).put("size", page.size()).put("next", page.next());
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static <T> JsonObject items(List<T> items, Function<T, JsonObject> view) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(view.apply(item)));
    return new JsonObject().put("items", array);
  }
}
