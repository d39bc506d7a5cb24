package org.orchestrator.http.operations;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.CheckResult;
import org.orchestrator.platform.BuildInfo;

/**
 * Liveness (the process answers) and readiness (every registered check passes); both say which
 * release the node runs ({@code version}, {@code commit}), so a load balancer's view or a script
 * polling for readiness sees a mixed-version cluster.
 */
public final class HealthOperations {

  private HealthOperations() {
  }

  public static void bind(Operations operations, HealthChecks readiness) {
    BuildInfo build = BuildInfo.current();
    operations.handler("healthLive", ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "UP").put("version", build.version()).put("commit", build.commit())
            .encode()));
    operations.handler("healthReady", ctx -> readiness.checkStatus().onComplete(checked -> {
      boolean up = checked.succeeded() && CheckResult.isUp(checked.result());
      JsonObject body = checked.succeeded() ? checked.result().toJson() : new JsonObject().put("status", "DOWN");
      body.put("status", up ? "UP" : "DOWN").put("version", build.version()).put("commit", build.commit());
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .end(body.encode());
    }));
  }
}
