package org.orchestrator.http.operations;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.healthchecks.HealthChecks;

/** Liveness (the process answers) and readiness (every registered check passes). */
public final class HealthOperations {

  private HealthOperations() {
  }

  public static void bind(Operations operations, HealthChecks readiness) {
    operations.handler("healthLive", ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "UP").encode()));
    operations.handler("healthReady", HealthCheckHandler.createWithHealthChecks(readiness));
  }
}
