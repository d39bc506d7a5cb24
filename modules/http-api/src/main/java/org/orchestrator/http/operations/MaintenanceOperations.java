package org.orchestrator.http.operations;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.phase.MaintenanceJson;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.http.maintenance.MaintenanceOperation;
import org.orchestrator.http.support.Requests;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.security.TokenClaims;

/**
 * The maintenance API, on UiPath's paths: Start and End answer 204; Get answers a
 * {@code MaintenanceSetting} with UiPath's field names plus ours (see {@link MaintenanceCalls}).
 * Host administrator only, except Get and History, which a tenant administrator may read for
 * their own tenant.
 */
public final class MaintenanceOperations {

  private static final long SSE_KEEPALIVE_MS = 15_000;

  private final EventBus bus;
  private final PhaseWatch phase;
  private final MaintenanceCalls calls;

  private MaintenanceOperations(EventBus bus, PhaseWatch phase, MaintenanceCalls calls) {
    this.bus = bus;
    this.phase = phase;
    this.calls = calls;
  }

  public static void bind(Operations operations, EventBus bus, PhaseWatch phase, MaintenanceCalls calls) {
    MaintenanceOperations maintenance = new MaintenanceOperations(bus, phase, calls);
    // one table for both edges (the bridge binds the same one); a 409 refusal of Start carries the jobs
    for (MaintenanceOperation operation : MaintenanceOperation.table(calls)) {
      operations.reply(operation.operationId(), ctx -> operation.call().apply(Requests.human(ctx), new HttpInput(ctx)));
    }
    operations.handler("maintenanceEvents", maintenance::events);
  }

  /** An operation's input from an HTTP request: query parameters (a path parameter first), the JSON body. */
  private record HttpInput(RoutingContext ctx) implements MaintenanceOperation.Input {

    @Override
    public String string(String name) {
      return Requests.queryString(ctx, name);
    }

    @Override
    public String flag(String name) {
      return Requests.queryString(ctx, name);
    }

    @Override
    public Long integer(String name) {
      return ctx.pathParam(name) != null ? Long.valueOf(Requests.pathLong(ctx, name)) : Requests.queryLong(ctx, name);
    }

    @Override
    public PageRequest page() {
      return Requests.page(ctx, JobOperations.DEFAULT_PAGE_SIZE);
    }

    @Override
    public JsonObject body() {
      return Requests.body(ctx);
    }
  }

  /** Server-Sent Events: the phase at once and on every change, the drain progress every second. */
  private void events(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().setChunked(true)
        .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    send(response, "phase", MaintenanceJson.phaseJson(phase.snapshot()));
    calls.recentTenantNames(); // so that the first progress events already carry names
    MessageConsumer<PhaseSnapshot> changes = Addresses.PHASE_CHANGED.subscribe(bus,
        snapshot -> send(response, "phase", MaintenanceJson.phaseJson(snapshot)));
    MessageConsumer<DrainProgress> updates = Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
        progress -> send(response, "progress", MaintenanceJson.progress(progress, null, calls.recentTenantNames())));
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
