package org.orchestrator.http.routes;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Liveness (the process answers) and readiness (every registered check passes). */
public final class HealthRoutes {

  private final HealthChecks readiness;

  public HealthRoutes(HealthChecks readiness) {
    this.readiness = readiness;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("healthLive").addHandler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "UP").encode()));
    builder.getRoute("healthReady").addHandler(HealthCheckHandler.createWithHealthChecks(readiness));
  }
}
