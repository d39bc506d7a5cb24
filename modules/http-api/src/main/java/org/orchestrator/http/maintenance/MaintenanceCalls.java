package org.orchestrator.http.maintenance;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.phase.PhaseMessages.ListNodes;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.http.support.Requests;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.ListPlans;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.GetProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.platform.phase.PhaseWatch;

/**
 * The maintenance operations as both edges offer them (HTTP routes and the TCP event-bus bridge):
 * the same rules, the same JSON. Parameters arrive as text (query string or bridge JSON) and are
 * parsed here; results leave as JSON in UiPath's names plus ours.
 */
public final class MaintenanceCalls {

  /** A Start's outcome: done, or refused with a 409 body listing the running jobs. */
  public record Started(JsonObject refusal) {

    public boolean refused() {
      return refusal != null;
    }
  }

  private static final long NAMES_MAX_AGE_NANOS = 5_000_000_000L;

  private final EventBus bus;
  private final PhaseWatch phase;
  private volatile Map<Long, String> knownNames = Map.of();
  private volatile long namesReadAt = System.nanoTime() - NAMES_MAX_AGE_NANOS - 1;

  public MaintenanceCalls(EventBus bus, PhaseWatch phase) {
    this.bus = bus;
    this.phase = phase;
  }

  /** Start with text parameters as UiPath clients send them ({@code phase=draining&killJobs=True}). */
  public Future<Started> start(Caller caller, String phaseText, String killJobs, String force, String killAfter,
      String autoSuspend, String reason, Long tenantId) {
    if (phaseText == null || phaseText.isBlank()) {
      throw Failure.badRequest("phase is required: Draining or Suspended");
    }
    MaintenancePhase requested = MaintenancePhase.parse(phaseText);
    if (requested == null || requested == MaintenancePhase.None) {
      throw Failure.badRequest("phase must be Draining or Suspended, not '" + phaseText + "'");
    }
    StartMaintenance command = new StartMaintenance(caller, requested, flag("killJobs", killJobs),
        flag("force", force), duration("killAfter", killAfter), flag("autoSuspend", autoSuspend), reason, tenantId);
    return tenantExists(caller, tenantId).compose(known -> Addresses.PHASE_MAINTENANCE_START.request(bus, command))
        .map(outcome -> {
      if (!outcome.refused()) {
        return new Started(null);
      }
      Failure refusal = Failure.conflict(outcome.blocking().total() + " jobs are still running; Suspended needs "
          + "them stopped, or force=true, or killJobs=true");
      return new Started(ErrorReplies.body(refusal).put("runningJobs", outcome.blocking().total())
          .put("runningJobsByTenant", byTenant(outcome.blocking().byTenant()))
          .put("jobs", activeJobs(outcome.blocking().sample())));
    });
  }

  /**
   * Plans a window from JSON as both edges carry it: {@code drainAt}, {@code expectedEnd}
   * (ISO-8601 instants), {@code killAfter} (duration), {@code autoSuspend}, {@code reason}.
   */
  public Future<JsonObject> plan(Caller caller, JsonObject body) {
    CreatePlan command = new CreatePlan(caller, instant("drainAt", body.getValue("drainAt")),
        duration("killAfter", text("killAfter", body.getValue("killAfter"))),
        bool("autoSuspend", body.getValue("autoSuspend")), instant("expectedEnd", body.getValue("expectedEnd")),
        text("reason", body.getValue("reason")));
    return Addresses.PHASE_PLAN_CREATE.request(bus, command).map(MaintenanceCalls::planJson);
  }

  public Future<JsonObject> plans(Caller caller) {
    return Addresses.PHASE_PLAN_LIST.request(bus, new ListPlans(caller)).map(plans -> new JsonObject()
        .put("items", new JsonArray(plans.items().stream().map(MaintenanceCalls::planJson).toList()))
        .put("truncated", plans.truncated()));
  }

  public Future<JsonObject> cancelPlan(Caller caller, long id) {
    return Addresses.PHASE_PLAN_CANCEL.request(bus, new CancelPlan(caller, id)).map(MaintenanceCalls::planJson);
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

  private static Instant instant(String name, Object value) {
    String text = text(name, value);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw Failure.badRequest(name + " must be an ISO-8601 instant such as 2026-12-01T22:00:00Z, not '" + text + "'");
    }
  }

  private static String text(String name, Object value) {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw Failure.badRequest(name + " must be a string");
  }

  private static boolean bool(String name, Object value) {
    if (value == null || value instanceof Boolean) {
      return Boolean.TRUE.equals(value);
    }
    throw Failure.badRequest(name + " must be true or false");
  }

  public Future<PhaseSnapshot> end(Caller caller, Long tenantId) {
    return tenantExists(caller, tenantId)
        .compose(known -> Addresses.PHASE_MAINTENANCE_END.request(bus, new EndMaintenance(caller, tenantId)));
  }

  /**
   * NOT_FOUND for a tenant that does not exist (a window of nobody's); asked of the host only, so
   * that others are refused for their role first, as without a tenant.
   */
  private Future<Void> tenantExists(Caller caller, Long tenantId) {
    if (tenantId == null || !caller.isHostAdmin()) {
      return Future.succeededFuture();
    }
    return Addresses.IDENTITY_TENANT_DIRECTORY.request(bus, new ListTenantDirectory())
        .compose(list -> list.items().stream().anyMatch(t -> t.id() == tenantId) ? Future.<Void>succeededFuture()
            : Future.failedFuture(Failure.notFound("no tenant " + tenantId)));
  }

  /** UiPath's MaintenanceSetting for the host (all tenants, or one) or a tenant admin (own tenant). */
  public Future<JsonObject> get(Caller caller, Long requestedTenant) {
    return caller.administeredTenant(requestedTenant, "the maintenance state is read by administrators",
        "a tenant administrator reads the maintenance state of their own tenant only")
        .compose(tenant -> setting(caller, tenant))
        .compose(setting -> !caller.isHostAdmin() ? Future.succeededFuture(setting) : nodes()
            .map(nodes -> setting.put("nodes", nodes)));
  }

  /** The live nodes and the release each runs, so that a mixed-version cluster is seen. */
  private Future<JsonArray> nodes() {
    return Addresses.PHASE_NODES_LIST.request(bus, new ListNodes())
        .map(list -> new JsonArray(list.items().stream().map(node -> new JsonObject().put("id", node.id())
            .put("version", node.version()).put("commit", node.commit()).put("host", node.host())
            .put("startedAt", text(node.startedAt())).put("lastSeenAt", text(node.lastSeenAt()))).toList()));
  }

  private Future<JsonObject> setting(Caller caller, Long tenant) {
    PhaseSnapshot snapshot = phase.snapshot();
    Future<Map<Long, String>> names = tenantNames();
    TenantWindow own = tenant == null || snapshot.phase().inMaintenance() ? null : snapshot.tenants().get(tenant);
    if (own != null) {
      return tenantWindow(snapshot, own, caller, names);
    }
    if (snapshot.windowId() == null) {
      return names.map(known -> setting(snapshot, tenant, List.of(), null, caller, known));
    }
    // the host's view of an open window is counts, from the drain progress the tick keeps; job ids
    // are read only for one tenant's view, or from the logs frozen at End
    boolean countsOnly = tenant == null && snapshot.phase().inMaintenance();
    Future<WindowLogs> logs = countsOnly ? Future.succeededFuture(null)
        : Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(snapshot.windowId(), tenant));
    Future<DrainProgress> progress = Addresses.PHASE_PROGRESS_GET.request(bus, new GetProgress());
    return Future.all(logs, progress, names)
        .map(all -> setting(snapshot, tenant, countsOnly ? null : logs.result().tenants(), progress.result(), caller,
            names.result()));
  }

  /**
   * A tenant's own window as its MaintenanceSetting: the same fields as the platform's, for that
   * window ({@code scope: Tenant}), with the tenant's unfinished jobs as {@code remainingJobs}.
   */
  private Future<JsonObject> tenantWindow(PhaseSnapshot snapshot, TenantWindow own, Caller caller,
      Future<Map<Long, String>> names) {
    PhaseSnapshot scoped = snapshot.scopedTo(own);
    Future<WindowLogs> logs = Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(own.windowId(),
        own.tenantId()));
    Future<ActiveJobs> active = Addresses.JOBS_MAINTENANCE_ACTIVE.request(bus, new ListActive(0));
    return Future.all(logs, active, names).map(all -> setting(scoped, own.tenantId(), logs.result().tenants(), null,
            caller, names.result())
        .put("scope", "Tenant")
        .put("remainingJobs", active.result().byTenant().getOrDefault(own.tenantId(), 0L)));
  }

  /** Tenant id -> name, for what people read; empty (ids only) if identity does not answer. */
  public Future<Map<Long, String>> tenantNames() {
    return Addresses.IDENTITY_TENANT_DIRECTORY.request(bus, new ListTenantDirectory())
        .<Map<Long, String>>map(list -> {
          Map<Long, String> names = new TreeMap<>();
          list.items().forEach(t -> names.put(t.id(), t.name()));
          knownNames = Map.copyOf(names);
          namesReadAt = System.nanoTime();
          return names;
        })
        .otherwise(Map.of());
  }

  /**
   * The tenant names last read (for the event stream, which sends progress every second): read
   * again in the background when older than {@link #NAMES_MAX_AGE_NANOS}.
   */
  public Map<Long, String> recentTenantNames() {
    if (System.nanoTime() - namesReadAt > NAMES_MAX_AGE_NANOS) {
      namesReadAt = System.nanoTime();
      tenantNames();
    }
    return knownNames;
  }

  public Future<JsonObject> preview(Caller caller, String durationText, Long tenantId) {
    Preview preview = new Preview(caller, duration("duration", durationText), tenantId);
    return tenantExists(caller, tenantId).compose(known -> Addresses.PHASE_MAINTENANCE_PREVIEW.request(bus, preview))
        .map(report -> new JsonObject()
        .put("tenantId", tenantId)
        .put("jobsToStop", report.jobsToStop())
        .put("jobsToStopByTenant", byTenant(report.jobsToStopByTenant()))
        .put("sample", activeJobs(report.sample()))
        .put("horizon", report.horizon().toString())
        .put("firesToSkip", new JsonArray(report.firesToSkip().stream().map(f -> new JsonObject()
            .put("tenantId", f.tenantId()).put("scheduleId", f.scheduleId()).put("scheduleName", f.scheduleName())
            .put("plannedAt", f.plannedAt().toString())).toList()))
        .put("firesToSkipTotal", report.firesToSkipTotal())
        .put("firesToSkipByTenant", byTenant(report.firesToSkipByTenant()))
        .put("firesToSkipTruncated", report.firesToSkipTruncated())
        .put("firesToSkipLimit", report.firesToSkipLimit()));
  }

  /**
   * A tenant's records, newest first; for the host administrator without {@code tenantId}, every
   * window (newest first, the page counting windows) with its tenants' counts.
   */
  public Future<JsonObject> history(Caller caller, Long tenantId, PageRequest page) {
    boolean allTenants = tenantId == null && caller.isHostAdmin();
    Future<History> listed = Addresses.TENANT_LOG_HISTORY_LIST.request(bus, new ListHistory(caller, tenantId, page));
    return Future.all(listed, tenantNames()).map(both -> {
      History result = both.resultAt(0);
      Map<Long, String> names = both.resultAt(1);
      JsonArray items = new JsonArray();
      if (allTenants) {
        Map<Long, List<TenantWindowLog>> byWindow = new LinkedHashMap<>();
        result.items().forEach(log -> byWindow.computeIfAbsent(log.windowId(), w -> new ArrayList<>()).add(log));
        byWindow.forEach((windowId, logs) -> items.add(windowSummary(windowId, logs, names)));
      } else {
        result.items().forEach(log -> items.add(tenantLog(log).put("tenantName", names.get(log.tenantId()))));
      }
      return new JsonObject().put("items", items).put("size", result.size()).put("next", result.next());
    });
  }

  private static JsonObject windowSummary(long windowId, List<TenantWindowLog> logs, Map<Long, String> names) {
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
        .put("triggersSkipped", log.skippedTriggers().size());
  }

  /**
   * UiPath's MaintenanceSetting, with our additions. {@code logs}: the window's tenant logs, or null
   * for the host's view of an open window, whose counts come from {@code progress}.
   */
  private static JsonObject setting(PhaseSnapshot snapshot, Long tenantId, List<TenantWindowLog> logs,
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
          .put("jobs", log == null ? new JsonArray() : jobOutcomes(log));
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
        .put("skippedTriggers", skippedTriggers(log)).put("jobs", jobOutcomes(log));
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

  /** Each job with what became of it (the UiPath lists above keep a killed job in both). */
  private static JsonArray jobOutcomes(TenantWindowLog log) {
    return new JsonArray(log.jobs().stream().map(j -> new JsonObject().put("id", j.jobId())
        .put("processName", j.processName()).put("outcome", j.outcome()).put("state", j.state())).toList());
  }

  private static JsonArray activeJobs(List<ActiveJob> jobs) {
    return new JsonArray(jobs.stream().map(j -> new JsonObject().put("id", j.id()).put("tenantId", j.tenantId())
        .put("state", j.state()).put("robotId", j.robotId())).toList());
  }

  private static JsonObject byTenant(Map<Long, Long> counts) {
    JsonObject json = new JsonObject();
    counts.forEach((tenant, count) -> json.put(Long.toString(tenant), count));
    return json;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** A boolean flag as UiPath clients send it ({@code true}, {@code True}, {@code false}...). */
  private static boolean flag(String name, String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw Failure.badRequest(name + " must be true or false, not '" + value + "'");
    };
  }

  private static Duration duration(String name, String text) {
    return Requests.duration(name, text);
  }
}
