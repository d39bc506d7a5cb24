package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.FleetReturn;
import org.orchestrator.contracts.jobs.JobMessages.GetFleetReturn;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.phase.MaintenanceJson;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.GetMaintenanceView;
import org.orchestrator.contracts.phase.PhaseMessages.NodeList;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;

/**
 * {@code GET /api/Maintenance/Get}'s view, assembled where the phase is: UiPath's
 * {@code MaintenanceSetting} with our additions (docs/api.md) for the host (every tenant, or one)
 * or a tenant administrator (its own), from this module's snapshot, progress and live nodes, and
 * what tenant-log (the window's records), job control (a tenant window's active jobs) and identity
 * (tenant names) answer over the bus. The edges only pass it on.
 */
final class MaintenanceView {

  private final EventBus bus;
  private final Supplier<PhaseSnapshot> snapshot;
  private final Supplier<Future<DrainProgress>> progress;
  private final Supplier<Future<NodeList>> nodes;

  MaintenanceView(EventBus bus, Supplier<PhaseSnapshot> snapshot, Supplier<Future<DrainProgress>> progress,
      Supplier<Future<NodeList>> nodes) {
    this.bus = bus;
    this.snapshot = snapshot;
    this.progress = progress;
    this.nodes = nodes;
  }

  Future<JsonObject> get(GetMaintenanceView request) {
    Caller caller = request.caller();
    return caller.administeredTenant(request.tenantId(), "the maintenance state is read by administrators",
            "a tenant administrator reads the maintenance state of their own tenant only")
        .compose(tenant -> setting(caller, tenant))
        .compose(setting -> !caller.isHostAdmin() ? Future.succeededFuture(setting) : nodes.get()
            .map(list -> setting.put("nodes", new JsonArray(list.items().stream().map(node -> new JsonObject()
                .put("id", node.id()).put("version", node.version()).put("commit", node.commit())
                .put("host", node.host()).put("startedAt", MaintenanceJson.text(node.startedAt()))
                .put("lastSeenAt", MaintenanceJson.text(node.lastSeenAt()))).toList()))));
  }

  private Future<JsonObject> setting(Caller caller, Long tenant) {
    PhaseSnapshot current = snapshot.get();
    Future<Map<Long, String>> names = tenantNames();
    TenantWindow own = tenant == null || current.phase().inMaintenance() ? null : current.tenants().get(tenant);
    if (own != null) {
      return tenantWindow(current, own, caller, names);
    }
    if (current.windowId() == null) {
      return names.map(known -> MaintenanceJson.setting(current, tenant, List.of(), null, caller, known));
    }
    // the host's view of an open window is counts, from the drain progress the tick keeps; job ids
    // are read only for one tenant's view, or from the logs frozen at End
    boolean countsOnly = tenant == null && current.phase().inMaintenance();
    Future<WindowLogs> logs = countsOnly ? Future.succeededFuture(null)
        : Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(current.windowId(), tenant,
            current.phase().inMaintenance() ? current.exemptions() : List.of()));
    Future<DrainProgress> drain = progress.get();
    Future<FleetReturn> back = current.phase().inMaintenance() || current.windowEndedAt() == null
        ? Future.succeededFuture(null)
        : Addresses.JOBS_FLEET_RETURN_GET.request(bus, new GetFleetReturn(tenant, current.windowStartedAt(),
            current.windowEndedAt()));
    return Future.all(logs, drain, names, back).map(all -> {
      JsonObject setting = MaintenanceJson.setting(current, tenant, countsOnly ? null : logs.result().tenants(),
          drain.result(), caller, names.result());
      return back.result() == null ? setting : setting.put("return", returnJson(back.result()));
    });
  }

  /** The fleet's return after the window (docs/api.md): robots expected, robots back, jobs waiting. */
  static JsonObject returnJson(FleetReturn back) {
    return new JsonObject().put("robotsBefore", back.robotsBefore()).put("robotsBack", back.robotsBack())
        .put("ratio", back.robotsBefore() == 0 ? 1.0 : Math.min(1.0, back.robotsBack() / (double) back.robotsBefore()))
        .put("jobsWaiting", back.jobsWaiting());
  }

  /**
   * A tenant's own window as its MaintenanceSetting: the same fields as the platform's, for that
   * window ({@code scope: Tenant}), with the tenant's unfinished jobs as {@code remainingJobs}.
   */
  private Future<JsonObject> tenantWindow(PhaseSnapshot current, TenantWindow own, Caller caller,
      Future<Map<Long, String>> names) {
    PhaseSnapshot scoped = current.scopedTo(own);
    Future<WindowLogs> logs = Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(own.windowId(),
        own.tenantId(), scoped.exemptions()));
    Future<ActiveJobs> active = Addresses.JOBS_MAINTENANCE_ACTIVE.request(bus, new ListActive(0));
    return Future.all(logs, active, names).map(all -> MaintenanceJson.setting(scoped, own.tenantId(),
            logs.result().tenants(), null, caller, names.result())
        .put("scope", "Tenant")
        .put("remainingJobs", active.result().remainingByTenant().getOrDefault(own.tenantId(), 0L))
        .put("exemptRunning", active.result().exemptByTenant().getOrDefault(own.tenantId(), 0L)));
  }

  /** Tenant id -> name, for what people read; empty (ids only) if identity does not answer. */
  private Future<Map<Long, String>> tenantNames() {
    return Addresses.IDENTITY_TENANT_DIRECTORY.request(bus, new ListTenantDirectory())
        .<Map<Long, String>>map(list -> {
          Map<Long, String> names = new TreeMap<>();
          list.items().forEach(t -> names.put(t.id(), t.name()));
          return names;
        })
        .otherwise(Map.of());
  }
}
