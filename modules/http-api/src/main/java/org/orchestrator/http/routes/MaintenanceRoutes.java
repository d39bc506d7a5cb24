package org.orchestrator.http.routes;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.http.support.Requests;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.security.TokenClaims;

/**
 * The maintenance API, on UiPath's paths: Start and End answer 204; Get answers a
 * {@code MaintenanceSetting} with UiPath's field names plus ours (see {@link MaintenanceCalls}).
 * Host administrator only, except Get and History, which a tenant administrator may read for
 * their own tenant.
 */
public final class MaintenanceRoutes {

  private static final long SSE_KEEPALIVE_MS = 15_000;

  private final EventBus bus;
  private final PhaseWatch phase;
  private final MaintenanceCalls calls;

  public MaintenanceRoutes(EventBus bus, PhaseWatch phase, MaintenanceCalls calls) {
    this.bus = bus;
    this.phase = phase;
    this.calls = calls;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("maintenanceStart").addHandler(ctx -> Requests.guard(ctx, () ->
        calls.start(Requests.human(ctx), Requests.queryString(ctx, "phase"), Requests.queryString(ctx, "killJobs"),
                Requests.queryString(ctx, "force"), Requests.queryString(ctx, "killAfter"),
                Requests.queryString(ctx, "autoSuspend"), Requests.queryString(ctx, "reason"))
            .onComplete(started -> {
              if (started.refused()) {
                ctx.response().setStatusCode(409).putHeader("Content-Type", "application/json")
                    .end(started.refusal().encode());
              } else {
                ctx.response().setStatusCode(204).end();
              }
            }, ctx::fail)));
    builder.getRoute("maintenanceEnd").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.noContent(ctx, calls.end(Requests.human(ctx)))));
    builder.getRoute("maintenanceGet").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, calls.get(Requests.human(ctx), Requests.queryLong(ctx, "tenantId")))));
    builder.getRoute("maintenancePreview").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, calls.preview(Requests.human(ctx), Requests.queryString(ctx, "duration")))));
    builder.getRoute("maintenanceHistory").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, calls.history(Requests.human(ctx), Requests.queryLong(ctx, "tenantId"),
            Requests.queryInt(ctx, "page", 1), Requests.queryInt(ctx, "size", JobRoutes.DEFAULT_PAGE_SIZE)))));
    builder.getRoute("maintenanceEvents").addHandler(ctx -> Requests.guard(ctx, () -> events(ctx)));
    builder.getRoute("maintenancePlans").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, calls.plans(Requests.human(ctx)))));
    builder.getRoute("maintenancePlanCreate").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 201, calls.plan(Requests.human(ctx), Requests.body(ctx)))));
    builder.getRoute("maintenancePlanCancel").addHandler(ctx -> Requests.guard(ctx, () ->
        Requests.reply(ctx, 200, calls.cancelPlan(Requests.human(ctx), Requests.pathLong(ctx, "id")))));
  }

  /** Server-Sent Events: the phase at once and on every change, the drain progress every second. */
  private void events(RoutingContext ctx) {
    Caller caller = Requests.human(ctx);
    caller.requireHostAdmin("the maintenance event stream is for the host administrator");
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    send(response, "phase", MaintenanceCalls.phaseJson(phase.snapshot()));
    calls.recentTenantNames(); // so that the first progress events already carry names
    MessageConsumer<PhaseSnapshot> changes = Addresses.PHASE_CHANGED.subscribe(bus,
        snapshot -> send(response, "phase", MaintenanceCalls.phaseJson(snapshot)));
    MessageConsumer<DrainProgress> updates = Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
        progress -> send(response, "progress", MaintenanceCalls.progress(progress, null, calls.recentTenantNames())));
    long keepAlive = ctx.vertx().setPeriodic(SSE_KEEPALIVE_MS, id -> response.write(": keep-alive\n\n"));
    long[] expiry = {-1};
    Runnable stop = () -> {
      changes.unregister();
      updates.unregister();
      ctx.vertx().cancelTimer(keepAlive);
      ctx.vertx().cancelTimer(expiry[0]);
    };
    // the stream lives as long as the token that opened it: a client renews its token and reconnects
    Long expires = TokenClaims.expiresAtSeconds(ctx.user());
    if (expires != null) {
      expiry[0] = ctx.vertx().setTimer(Math.max(1, expires * 1000 - System.currentTimeMillis()), id -> {
        send(response, "expired", new JsonObject().put("message", "the token expired; sign in again and reconnect"));
        stop.run();
        response.end();
      });
    }
    response.closeHandler(closed -> stop.run());
  }

  /** One event; a client that does not read is cut off rather than buffered for. */
  private static void send(HttpServerResponse response, String event, JsonObject data) {
    if (response.closed() || response.ended()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.reset();
      return;
    }
    response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
  }
}
