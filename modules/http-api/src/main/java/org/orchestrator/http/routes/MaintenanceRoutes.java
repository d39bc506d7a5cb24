package org.orchestrator.http.routes;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.GetProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.http.support.Requests;
import org.orchestrator.platform.phase.PhaseWatch;

/**
 * The maintenance API, on UiPath's paths: Start and End answer 204; Get answers a
 * {@code MaintenanceSetting} with UiPath's field names plus ours. Host administrator only, except
 * Get and History, which a tenant administrator may read for their own tenant.
 */
public final class MaintenanceRoutes {

  private static final long SSE_KEEPALIVE_MS = 15_000;

  private final EventBus bus;
  private final PhaseWatch phase;

  public MaintenanceRoutes(EventBus bus, PhaseWatch phase) {
    this.bus = bus;
    this.phase = phase;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("maintenanceStart").addHandler(ctx -> Requests.guard(ctx, () -> start(ctx)));
    builder.getRoute("maintenanceEnd").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.noContent(ctx, Addresses.PHASE_MAINTENANCE_END.request(bus, new EndMaintenance(Requests.human(ctx))))));
    builder.getRoute("maintenanceGet").addHandler(ctx -> Requests.guard(ctx, () -> get(ctx)));
    builder.getRoute("maintenancePreview").addHandler(ctx -> Requests.guard(ctx, () -> {
      Preview preview = new Preview(Requests.human(ctx), duration(Requests.queryString(ctx, "duration"), "duration"));
      Requests.reply(ctx, 200, Addresses.PHASE_MAINTENANCE_PREVIEW.request(bus, preview).map(report -> new JsonObject()
          .put("jobsToStop", report.jobsToStop())
          .put("jobsToStopByTenant", byTenant(report.jobsToStopByTenant()))
          .put("sample", activeJobs(report.sample()))
          .put("horizon", report.horizon().toString())
          .put("firesToSkip", new JsonArray(report.firesToSkip().stream().map(f -> new JsonObject()
              .put("tenantId", f.tenantId()).put("scheduleId", f.scheduleId()).put("scheduleName", f.scheduleName())
              .put("plannedAt", f.plannedAt().toString())).toList()))));
    }));
    builder.getRoute("maintenanceHistory").addHandler(ctx -> Requests.guard(ctx, () -> {
      ListHistory query = new ListHistory(Requests.human(ctx), Requests.queryLong(ctx, "tenantId"),
          Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", JobRoutes.DEFAULT_PAGE_SIZE));
      Requests.reply(ctx, 200, Addresses.TENANT_LOG_HISTORY_LIST.request(bus, query)
          .map(page -> JsonViews.page(page.items(), MaintenanceRoutes::tenantLog, page.page(), page.size(),
              page.total())));
    }));
    builder.getRoute("maintenanceEvents").addHandler(ctx -> Requests.guard(ctx, () -> events(ctx)));
  }

  private void start(RoutingContext ctx) {
    Caller caller = Requests.human(ctx);
    String phaseText = Requests.queryString(ctx, "phase");
    MaintenancePhase requested = MaintenancePhase.parse(phaseText);
    if (requested == null || requested == MaintenancePhase.None) {
      throw Failure.badRequest("phase must be Draining or Suspended, not '" + phaseText + "'");
    }
    StartMaintenance command = new StartMaintenance(caller, requested, flag(ctx, "killJobs"), flag(ctx, "force"),
        duration(Requests.queryString(ctx, "killAfter"), "killAfter"), flag(ctx, "autoSuspend"),
        Requests.queryString(ctx, "reason"));
    Addresses.PHASE_MAINTENANCE_START.request(bus, command).onComplete(outcome -> {
      if (!outcome.refused()) {
        ctx.response().setStatusCode(204).end();
        return;
      }
      Failure refusal = Failure.conflict(outcome.blocking().total() + " jobs are still running; Suspended needs "
          + "them stopped, or force=true, or killJobs=true");
      ctx.response().setStatusCode(409).putHeader("Content-Type", "application/json")
          .end(ErrorReplies.body(refusal).put("runningJobs", outcome.blocking().total())
              .put("runningJobsByTenant", byTenant(outcome.blocking().byTenant()))
              .put("jobs", activeJobs(outcome.blocking().sample())).encode());
    }, ctx::fail);
  }

  private void get(RoutingContext ctx) {
    Caller caller = Requests.human(ctx);
    Long tenantId = Requests.queryLong(ctx, "tenantId");
    if (caller.isTenantAdmin()) {
      if (tenantId != null && !tenantId.equals(caller.tenantId())) {
        throw Failure.forbidden("a tenant administrator reads the maintenance state of their own tenant only");
      }
      tenantId = caller.tenantId();
    } else if (!caller.isHostAdmin()) {
      throw Failure.forbidden("the maintenance state is read by administrators");
    }
    PhaseSnapshot snapshot = phase.snapshot();
    Long tenant = tenantId;
    if (snapshot.windowId() == null) {
      Requests.reply(ctx, 200, Future.succeededFuture(setting(snapshot, tenant, List.of(), null, caller)));
      return;
    }
    Future<WindowLogs> logs = Addresses.TENANT_LOG_WINDOW_GET.request(bus, new GetWindowLog(snapshot.windowId(), tenant));
    Future<DrainProgress> progress = Addresses.PHASE_PROGRESS_GET.request(bus, new GetProgress());
    Requests.reply(ctx, 200, Future.all(logs, progress)
        .map(both -> setting(snapshot, tenant, logs.result().tenants(), progress.result(), caller)));
  }

  /** UiPath's MaintenanceSetting, with our additions. */
  private static JsonObject setting(PhaseSnapshot snapshot, Long tenantId, List<TenantWindowLog> logs,
      DrainProgress progress, Caller caller) {
    JsonArray maintenanceLogs = new JsonArray();
    JsonArray audit = new JsonArray();
    for (Transition t : snapshot.transitions()) {
      if (t.changed()) {
        maintenanceLogs.add(new JsonObject().put("state", t.phase().name()).put("timeStamp", t.at().toString()));
      }
      audit.add(new JsonObject().put("state", t.phase().name()).put("changed", t.changed())
          .put("timeStamp", t.at().toString()).put("by", t.by()).put("note", t.note()));
    }
    long stops = logs.stream().mapToLong(l -> l.stoppedJobs().size()).sum();
    long kills = logs.stream().mapToLong(l -> l.killedJobs().size()).sum();
    long skipped = logs.stream().mapToLong(l -> l.skippedTriggers().size()).sum();
    JsonObject setting = new JsonObject()
        .put("state", snapshot.phase().name())
        .put("maintenanceLogs", maintenanceLogs)
        .put("jobStopsAttempted", stops)
        .put("jobKillsAttempted", kills)
        .put("triggersSkipped", skipped)
        .put("systemTriggersSkipped", 0)
        .put("tenantId", tenantId)
        .put("windowId", snapshot.windowId())
        .put("startedAt", JsonViews.text(snapshot.windowStartedAt()))
        .put("endedAt", JsonViews.text(snapshot.windowEndedAt()))
        .put("phaseSince", JsonViews.text(snapshot.phaseSince()))
        .put("startedBy", snapshot.startedBy())
        .put("reason", snapshot.reason())
        .put("killAfter", snapshot.killAfter() == null ? null : snapshot.killAfter().toString())
        .put("killDeadlineAt", JsonViews.text(snapshot.killDeadlineAt()))
        .put("autoSuspend", snapshot.autoSuspend());
    if (tenantId != null) {
      TenantWindowLog log = logs.stream().filter(l -> l.tenantId() == tenantId).findFirst().orElse(null);
      setting.put("stoppedJobs", log == null ? new JsonArray() : new JsonArray(log.stoppedJobs()))
          .put("killedJobs", log == null ? new JsonArray() : new JsonArray(log.killedJobs()))
          .put("skippedTriggers", log == null ? new JsonArray() : skippedTriggers(log));
    } else {
      setting.put("tenants", new JsonArray(logs.stream().map(l -> new JsonObject().put("tenantId", l.tenantId())
          .put("jobStopsAttempted", l.stoppedJobs().size()).put("jobKillsAttempted", l.killedJobs().size())
          .put("triggersSkipped", l.skippedTriggers().size())).toList()));
    }
    if (progress != null) {
      setting.put("progress", progress(progress, tenantId));
    }
    if (caller.isHostAdmin()) {
      setting.put("audit", audit);
    }
    return setting;
  }

  static JsonObject progress(DrainProgress progress, Long tenantId) {
    long remaining = tenantId == null ? progress.remaining() : progress.remainingByTenant().getOrDefault(tenantId, 0L);
    JsonObject json = new JsonObject().put("phase", progress.phase().name()).put("at", progress.at().toString())
        .put("remaining", remaining);
    if (tenantId == null) {
      json.put("remainingByTenant", byTenant(progress.remainingByTenant()))
          .put("stopsSent", progress.stopsSent()).put("stopsAcknowledged", progress.stopsAcknowledged())
          .put("killsSent", progress.killsSent()).put("killsAcknowledged", progress.killsAcknowledged())
          .put("triggersSkipped", progress.triggersSkipped()).put("ratio", progress.ratio())
          .put("estimatedSecondsLeft", progress.estimatedSecondsLeft());
    }
    return json;
  }

  /** Server-Sent Events: the phase at once and on every change, the drain progress every second. */
  private void events(RoutingContext ctx) {
    Caller caller = Requests.human(ctx);
    if (!caller.isHostAdmin()) {
      throw Failure.forbidden("the maintenance event stream is for the host administrator");
    }
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    send(response, "phase", phaseJson(phase.snapshot()));
    MessageConsumer<PhaseSnapshot> changes = Addresses.PHASE_CHANGED.subscribe(bus,
        snapshot -> send(response, "phase", phaseJson(snapshot)));
    MessageConsumer<DrainProgress> updates = Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
        progress -> send(response, "progress", progress(progress, null)));
    long keepAlive = ctx.vertx().setPeriodic(SSE_KEEPALIVE_MS, id -> response.write(": keep-alive\n\n"));
    response.closeHandler(closed -> {
      changes.unregister();
      updates.unregister();
      ctx.vertx().cancelTimer(keepAlive);
    });
  }

  static JsonObject phaseJson(PhaseSnapshot snapshot) {
    return new JsonObject().put("state", snapshot.phase().name()).put("version", snapshot.version())
        .put("windowId", snapshot.windowId()).put("startedAt", JsonViews.text(snapshot.windowStartedAt()))
        .put("reason", snapshot.reason()).put("startedBy", snapshot.startedBy());
  }

  private static void send(HttpServerResponse response, String event, JsonObject data) {
    if (!response.closed() && !response.ended()) {
      response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    }
  }

  static JsonObject tenantLog(TenantWindowLog log) {
    return new JsonObject().put("windowId", log.windowId()).put("tenantId", log.tenantId())
        .put("startedAt", JsonViews.text(log.startedAt())).put("endedAt", JsonViews.text(log.endedAt()))
        .put("jobStopsAttempted", log.stoppedJobs().size()).put("jobKillsAttempted", log.killedJobs().size())
        .put("triggersSkipped", log.skippedTriggers().size())
        .put("stoppedJobs", new JsonArray(log.stoppedJobs())).put("killedJobs", new JsonArray(log.killedJobs()))
        .put("skippedTriggers", skippedTriggers(log));
  }

  private static JsonArray skippedTriggers(TenantWindowLog log) {
    return new JsonArray(log.skippedTriggers().stream().map(s -> new JsonObject().put("scheduleId", s.scheduleId())
        .put("plannedAt", s.plannedAt().toString())).toList());
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

  /** A boolean query flag as UiPath clients send it ({@code true}, {@code True}, {@code false}...). */
  private static boolean flag(RoutingContext ctx, String name) {
    String value = Requests.queryString(ctx, name);
    if (value == null || value.isEmpty()) {
      return false;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw Failure.badRequest(name + " must be true or false, not '" + value + "'");
    };
  }

  private static Duration duration(String text, String name) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new Failure(FailureCode.BAD_REQUEST, name + " must be an ISO-8601 duration such as PT15M, not '" + text + "'");
    }
  }
}
