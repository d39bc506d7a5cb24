package org.orchestrator.contracts.phase;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.Exemptions;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;

/**
 * The maintenance records as the edges show them (HTTP, the event stream, the bridge): UiPath's
 * names ({@code MaintenanceSetting}) plus ours, in one place, so that the phase module's Get view
 * and the edges' answers are the same JSON.
 */
public final class MaintenanceJson {

  private MaintenanceJson() {
  }

  /** A plan as JSON; the fields a tenant's view leaves out (null) are left out here too. */
  public static JsonObject planJson(MaintenancePlan plan) {
    if (plan == null) {
      return null;
    }
    JsonObject json = new JsonObject().put("id", plan.id()).put("drainAt", text(plan.drainAt()))
        .put("expectedEnd", text(plan.expectedEnd())).put("reason", plan.reason()).put("state", plan.state().name());
    if (plan.createdBy() != null) {
      json.put("killAfter", plan.killAfter() == null ? null : plan.killAfter().toString())
          .put("autoSuspend", plan.autoSuspend()).put("createdAt", text(plan.createdAt()))
          .put("createdBy", plan.createdBy()).put("settledAt", text(plan.settledAt()))
          .put("settledBy", plan.settledBy()).put("windowId", plan.windowId());
    }
    return json;
  }
  public static JsonObject windowSummary(long windowId, List<TenantWindowLog> logs, Map<Long, String> names) {
    TenantWindowLog first = logs.get(0);
    WindowFacts facts = first.facts();
    return new JsonObject().put("windowId", windowId).put("startedAt", text(first.startedAt()))
        .put("endedAt", text(first.endedAt()))
        .put("reason", facts == null ? null : facts.reason()).put("startedBy", facts == null ? null : facts.startedBy())
        .put("killDeadlineAt", facts == null ? null : text(facts.killDeadlineAt()))
        .put("jobStopsAttempted", logs.stream().mapToLong(l -> l.stoppedJobs().size()).sum())
        .put("jobKillsAttempted", logs.stream().mapToLong(l -> l.killedJobs().size()).sum())
        .put("triggersSkipped", logs.stream().mapToLong(l -> l.skippedTriggers().size()).sum())
        .put("tenants", new JsonArray(logs.stream().map(l -> tenantCounts(l, names)).toList()));
  }
  private static JsonObject tenantCounts(TenantWindowLog log, Map<Long, String> names) {
    return new JsonObject().put("tenantId", log.tenantId()).put("tenantName", names.get(log.tenantId()))
        .put("jobStopsAttempted", log.stoppedJobs().size()).put("jobKillsAttempted", log.killedJobs().size())
        .put("triggersSkipped", log.skippedTriggers().size()).put("exemptJobs", log.exemptJobs().size());
  }
  /**
   * UiPath's MaintenanceSetting, with our additions. {@code logs}: the window's tenant logs, or null
   * for the host's view of an open window, whose counts come from {@code progress}.
   */
  public static JsonObject setting(PhaseSnapshot snapshot, Long tenantId, List<TenantWindowLog> logs,
      DrainProgress progress, Caller caller, Map<Long, String> names) {
    JsonArray maintenanceLogs = new JsonArray();
    JsonArray audit = new JsonArray();
    for (Transition t : snapshot.transitions()) {
      if (t.changed()) {
        maintenanceLogs.add(new JsonObject().put("state", t.phase().name()).put("timeStamp", t.at().toString()));
      }
      audit.add(new JsonObject().put("state", t.phase().name()).put("changed", t.changed())
          .put("timeStamp", t.at().toString()).put("by", t.by()).put("note", t.note()));
    }
    long stops;
    long kills;
    long skipped;
    JsonArray tenants;
    if (logs == null) {
      stops = progress.stopsSent();
      kills = progress.killsSent();
      skipped = progress.triggersSkipped();
      tenants = new JsonArray(progress.tenants().entrySet().stream().map(e -> new JsonObject().put("tenantId", e.getKey())
          .put("tenantName", names.get(e.getKey())).put("jobStopsAttempted", e.getValue().jobStopsAttempted())
          .put("jobKillsAttempted", e.getValue().jobKillsAttempted())
          .put("triggersSkipped", e.getValue().triggersSkipped())).toList());
    } else {
      stops = logs.stream().mapToLong(l -> l.stoppedJobs().size()).sum();
      kills = logs.stream().mapToLong(l -> l.killedJobs().size()).sum();
      skipped = logs.stream().mapToLong(l -> l.skippedTriggers().size()).sum();
      tenants = new JsonArray(logs.stream().map(l -> tenantCounts(l, names)).toList());
    }
    JsonObject setting = new JsonObject()
        .put("state", snapshot.phase().name())
        .put("maintenanceLogs", maintenanceLogs)
        .put("jobStopsAttempted", stops)
        .put("jobKillsAttempted", kills)
        .put("triggersSkipped", skipped)
        .put("systemTriggersSkipped", 0)
        .put("tenantId", tenantId)
        .put("tenantName", tenantId == null ? null : names.get(tenantId))
        .put("windowId", snapshot.windowId())
        .put("startedAt", text(snapshot.windowStartedAt()))
        .put("windowStartedAt", text(snapshot.windowStartedAt()))
        .put("endedAt", text(snapshot.windowEndedAt()))
        .put("phaseSince", text(snapshot.phaseSince()))
        .put("startedBy", snapshot.startedBy())
        .put("reason", snapshot.reason())
        .put("killAfter", snapshot.killAfter() == null ? null : snapshot.killAfter().toString())
        .put("killDeadlineAt", text(snapshot.killDeadlineAt()))
        .put("deadlineSecondsLeft", progress == null ? null : progress.deadlineSecondsLeft())
        .put("autoSuspend", snapshot.autoSuspend());
    if (tenantId != null) {
      TenantWindowLog log = logs.stream().filter(l -> l.tenantId() == tenantId).findFirst().orElse(null);
      setting.put("stoppedJobs", log == null ? new JsonArray() : new JsonArray(log.stoppedJobs()))
          .put("killedJobs", log == null ? new JsonArray() : new JsonArray(log.killedJobs()))
          .put("skippedTriggers", log == null ? new JsonArray() : skippedTriggers(log))
          .put("jobs", log == null ? new JsonArray() : jobOutcomes(log))
          .put("exemptJobs", log == null ? new JsonArray() : exemptJobs(log));
    } else {
      setting.put("tenants", tenants);
      // the tenants in a window of their own, beside the platform's
      setting.put("tenantWindows", new JsonArray(snapshot.tenants().values().stream().map(window -> new JsonObject()
          .put("tenantId", window.tenantId()).put("tenantName", names.get(window.tenantId()))
          .put("state", window.phase().name()).put("windowId", window.windowId())
          .put("startedAt", text(window.startedAt())).put("phaseSince", text(window.phaseSince()))
          .put("startedBy", window.startedBy()).put("reason", window.reason())).toList()));
    }
    setting.put("scope", snapshot.windowId() == null ? null : "Platform");
    if (progress != null) {
      setting.put("progress", progress(progress, tenantId, names));
    }
    if (caller.isHostAdmin()) {
      setting.put("audit", audit);
    }
    // the next planned window, as every tenant is told of it (the host sees the whole plan)
    setting.put("upcoming", planJson(snapshot.upcoming() == null ? null
        : caller.isHostAdmin() ? snapshot.upcoming() : snapshot.upcoming().forTenants()))
        .put("expectedEnd", text(snapshot.phase().inMaintenance() ? snapshot.expectedEnd() : null));
    return setting;
  }
  public static JsonObject progress(DrainProgress progress, Long tenantId) {
    return progress(progress, tenantId, Map.of());
  }
  /**
   * The drain progress (one tenant's share, or all of it with per-tenant rows). Outside
   * maintenance there is no drain: {@code draining} is false and {@code remaining} 0.
   * {@code names}: tenant id -> name (may be empty).
   */
  public static JsonObject progress(DrainProgress progress, Long tenantId, Map<Long, String> names) {
    long remaining = tenantId == null ? progress.remaining() : progress.remainingByTenant().getOrDefault(tenantId, 0L);
    JsonObject json = new JsonObject().put("phase", progress.phase().name()).put("at", progress.at().toString())
        .put("draining", progress.draining()).put("remaining", remaining)
        .put("exemptRunning", tenantId == null ? progress.exemptRunning()
            : progress.exemptRunningByTenant().getOrDefault(tenantId, 0L))
        .put("killDeadlineAt", text(progress.killDeadlineAt()))
        .put("deadlineSecondsLeft", progress.deadlineSecondsLeft())
        .put("stalled", progress.stalled()).put("stalledSeconds", progress.stalled() ? progress.sinceLastEndSeconds() : null)
        .put("sinceLastEndSeconds", progress.sinceLastEndSeconds());
    if (tenantId == null) {
      Map<Long, Long> rows = new TreeMap<>();
      if (progress.draining()) {
        names.keySet().forEach(id -> rows.put(id, 0L));
      }
      rows.putAll(progress.remainingByTenant());
      json.put("remainingByTenant", byTenant(progress.remainingByTenant()))
          .put("exemptRunningByTenant", byTenant(progress.exemptRunningByTenant()))
          .put("tenants", new JsonArray(rows.entrySet().stream().map(e -> new JsonObject().put("tenantId", e.getKey())
              .put("tenantName", names.get(e.getKey())).put("remaining", e.getValue())).toList()))
          .put("stopsSent", progress.stopsSent()).put("stopsAcknowledged", progress.stopsAcknowledged())
          .put("killsSent", progress.killsSent()).put("killsAcknowledged", progress.killsAcknowledged())
          .put("triggersSkipped", progress.triggersSkipped()).put("ratio", progress.ratio())
          .put("estimatedSecondsLeft", progress.estimatedSecondsLeft())
          .put("estimateBasis", progress.estimateBasis());
    }
    return json;
  }
  /**
   * The phase as the event stream and the bridge carry it: {@code phaseSince} (this phase began),
   * {@code windowStartedAt} (the window began; {@code startedAt} is the same, kept for clients).
   */
  public static JsonObject phaseJson(PhaseSnapshot snapshot) {
    return new JsonObject().put("state", snapshot.phase().name()).put("version", snapshot.version())
        .put("windowId", snapshot.windowId()).put("startedAt", text(snapshot.windowStartedAt()))
        .put("windowStartedAt", text(snapshot.windowStartedAt())).put("phaseSince", text(snapshot.phaseSince()))
        .put("killDeadlineAt", text(snapshot.phase().inMaintenance() ? snapshot.killDeadlineAt() : null))
        .put("reason", snapshot.reason()).put("startedBy", snapshot.startedBy());
  }
  public static JsonObject tenantLog(TenantWindowLog log) {
    JsonObject json = new JsonObject().put("windowId", log.windowId()).put("tenantId", log.tenantId())
        .put("startedAt", text(log.startedAt())).put("endedAt", text(log.endedAt()))
        .put("jobStopsAttempted", log.stoppedJobs().size()).put("jobKillsAttempted", log.killedJobs().size())
        .put("triggersSkipped", log.skippedTriggers().size())
        .put("stoppedJobs", new JsonArray(log.stoppedJobs())).put("killedJobs", new JsonArray(log.killedJobs()))
        .put("skippedTriggers", skippedTriggers(log)).put("jobs", jobOutcomes(log))
        .put("exemptJobs", exemptJobs(log));
    WindowFacts facts = log.facts();
    if (facts != null) {
      json.put("reason", facts.reason()).put("startedBy", facts.startedBy()).put("killAfter", facts.killAfter())
          .put("killDeadlineAt", text(facts.killDeadlineAt()))
          .put("timeline", new JsonArray(facts.timeline().stream().map(step -> new JsonObject()
              .put("phase", step.phase()).put("at", text(step.at())).put("by", step.by())).toList()));
    }
    return json;
  }
  private static JsonArray skippedTriggers(TenantWindowLog log) {
    return new JsonArray(log.skippedTriggers().stream().map(s -> new JsonObject().put("scheduleId", s.scheduleId())
        .put("scheduleName", s.scheduleName()).put("plannedAt", s.plannedAt().toString())).toList());
  }
  /** The jobs that ran through the window as exempt, with the exemption's reason. */
  private static JsonArray exemptJobs(TenantWindowLog log) {
    return new JsonArray(log.exemptJobs().stream().map(j -> new JsonObject().put("id", j.jobId())
        .put("processName", j.processName()).put("reason", j.reason()).put("state", j.state())).toList());
  }
  /** Each job with what became of it (the UiPath lists above keep a killed job in both). */
  private static JsonArray jobOutcomes(TenantWindowLog log) {
    return new JsonArray(log.jobs().stream().map(j -> new JsonObject().put("id", j.jobId())
        .put("processName", j.processName()).put("outcome", j.outcome()).put("state", j.state())
        .put("reason", j.reason())).toList());
  }
  public static JsonArray activeJobs(List<ActiveJob> jobs) {
    return new JsonArray(jobs.stream().map(j -> new JsonObject().put("id", j.id()).put("tenantId", j.tenantId())
        .put("state", j.state()).put("robotId", j.robotId()).put("processName", j.processName())
        .put("exempt", j.exempt())).toList());
  }
  /** The list with tenant names ({@code names} may be empty: identity did not answer). */
  public static JsonObject exemptionsJson(Exemptions exemptions, Map<Long, String> names) {
    return new JsonObject().put("items", exemptionItems(exemptions.items(), names))
        .put("setAt", text(exemptions.setAt())).put("setBy", exemptions.setBy())
        .put("inEffect", exemptionItems(exemptions.inEffect(), names));
  }
  private static JsonArray exemptionItems(List<Exemption> items, Map<Long, String> names) {
    return new JsonArray(items.stream().map(item -> new JsonObject().put("tenantId", item.tenantId())
        .put("tenantName", names.get(item.tenantId())).put("processName", item.processName())
        .put("reason", item.reason())).toList());
  }
  public static JsonObject byTenant(Map<Long, Long> counts) {
    JsonObject json = new JsonObject();
    counts.forEach((tenant, count) -> json.put(Long.toString(tenant), count));
    return json;
  }
  public static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }}
