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
import org.orchestrator.http.support.Requests;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.phase.MaintenanceJson;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.GetMaintenanceView;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.ListPlans;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.GetExemptions;
import org.orchestrator.contracts.phase.PhaseMessages.SetExemptions;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.http.support.ErrorReplies;

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
  private volatile Map<Long, String> knownNames = Map.of();
  private volatile long namesReadAt = System.nanoTime() - NAMES_MAX_AGE_NANOS - 1;

  public MaintenanceCalls(EventBus bus) {
    this.bus = bus;
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
          .put("runningJobsByTenant", MaintenanceJson.byTenant(outcome.blocking().byTenant()))
          .put("jobs", MaintenanceJson.activeJobs(outcome.blocking().sample())));
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
    return Addresses.PHASE_PLAN_CREATE.request(bus, command).map(MaintenanceJson::planJson);
  }

  public Future<JsonObject> plans(Caller caller) {
    return Addresses.PHASE_PLAN_LIST.request(bus, new ListPlans(caller)).map(plans -> new JsonObject()
        .put("items", new JsonArray(plans.items().stream().map(MaintenanceJson::planJson).toList()))
        .put("truncated", plans.truncated()));
  }

  public Future<JsonObject> cancelPlan(Caller caller, long id) {
    return Addresses.PHASE_PLAN_CANCEL.request(bus, new CancelPlan(caller, id)).map(MaintenanceJson::planJson);
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

  /**
   * UiPath's MaintenanceSetting for the host (all tenants, or one) or a tenant admin (own tenant),
   * as the phase module assembles it.
   */
  public Future<JsonObject> get(Caller caller, Long requestedTenant) {
    return Addresses.PHASE_VIEW_GET.request(bus, new GetMaintenanceView(caller, requestedTenant));
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
        .put("jobsToStopByTenant", MaintenanceJson.byTenant(report.jobsToStopByTenant()))
        .put("sample", MaintenanceJson.activeJobs(report.sample()))
        .put("horizon", report.horizon().toString())
        .put("firesToSkip", new JsonArray(report.firesToSkip().stream().map(f -> new JsonObject()
            .put("tenantId", f.tenantId()).put("scheduleId", f.scheduleId()).put("scheduleName", f.scheduleName())
            .put("plannedAt", f.plannedAt().toString())).toList()))
        .put("firesToSkipTotal", report.firesToSkipTotal())
        .put("firesToSkipByTenant", MaintenanceJson.byTenant(report.firesToSkipByTenant()))
        .put("firesToSkipTruncated", report.firesToSkipTruncated())
        .put("firesToSkipLimit", report.firesToSkipLimit())
        .put("exemptRunning", report.exemptRunning())
        .put("exemptRunningByTenant", MaintenanceJson.byTenant(report.exemptRunningByTenant())));
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
        byWindow.forEach((windowId, logs) -> items.add(MaintenanceJson.windowSummary(windowId, logs, names)));
      } else {
        result.items().forEach(log -> items.add(MaintenanceJson.tenantLog(log).put("tenantName", names.get(log.tenantId()))));
      }
      return new JsonObject().put("items", items).put("size", result.size()).put("next", result.next());
    });
  }























  /** The exemptions: every tenant's for the host administrator, its own for a tenant administrator. */
  public Future<JsonObject> exemptions(Caller caller) {
    return Addresses.PHASE_EXEMPTIONS_GET.request(bus, new GetExemptions(caller))
        .compose(list -> tenantNames().map(names -> MaintenanceJson.exemptionsJson(list, names)));
  }

  /**
   * Replaces the exemptions (host administrator) from {@code {items: [{tenantId, processName,
   * reason}]}} as both edges carry it; an empty list ends every exemption.
   */
  public Future<JsonObject> setExemptions(Caller caller, JsonObject body) {
    Object value = body == null ? null : body.getValue("items");
    if (!(value instanceof JsonArray array)) {
      throw Failure.badRequest("items is required: a list of {tenantId, processName, reason} (empty: no exemptions)");
    }
    if (array.size() > SetExemptions.MAX_ITEMS) {
      throw Failure.badRequest("at most " + SetExemptions.MAX_ITEMS + " exemptions");
    }
    List<Exemption> items = new java.util.ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw Failure.badRequest("items[" + i + "] is an object {tenantId, processName, reason}");
      }
      Object tenant = item.getValue("tenantId");
      if (!(tenant instanceof Integer || tenant instanceof Long)) {
        throw Failure.badRequest("items[" + i + "].tenantId is a tenant's id (an integer >= 1)");
      }
      items.add(new Exemption(((Number) tenant).longValue(), text("items[" + i + "].processName",
          item.getValue("processName")), text("items[" + i + "].reason", item.getValue("reason"))));
    }
    return Addresses.PHASE_EXEMPTIONS_SET.request(bus, new SetExemptions(caller, List.copyOf(items)))
        .compose(list -> tenantNames().map(names -> MaintenanceJson.exemptionsJson(list, names)));
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
