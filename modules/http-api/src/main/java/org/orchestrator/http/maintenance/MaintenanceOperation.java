package org.orchestrator.http.maintenance;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.PageRequest;

/**
 * One maintenance operation as both edges offer it: its operation in the contract (openapi.json,
 * bound by the HTTP API), its address on the TCP event-bus bridge, and what it does with the caller
 * and its input (an HTTP request's parameters and body, or a bridge frame's body). {@link #table}
 * is the one table both edges are built from: an operation is added once, here, and exists on both.
 * An answer of {@code null} is "done, nothing to say": 204 over HTTP, {@code {ok: true}} on the
 * bridge. A refusal with details fails with a {@link Refusal}.
 */
public record MaintenanceOperation(String operationId, String bridgeAddress, Call call) {

  /** Every bridge address starts so. */
  public static final String BRIDGE_PREFIX = "maintenance.bridge.";

  /** What an operation reads: named parameters (typed on the bridge, text over HTTP), a page, a body. */
  public interface Input {

    String string(String name);

    /** A flag as text ({@code true}, {@code True}, {@code false}); the call checks the value. */
    String flag(String name);

    Long integer(String name);

    PageRequest page();

    JsonObject body();
  }

  /** What an operation does. */
  @FunctionalInterface
  public interface Call {
    Future<JsonObject> apply(Caller caller, Input input);
  }

  /**
   * A refusal whose answer carries more than the failure's code and message (Start's 409 lists the
   * jobs in the way): over HTTP {@code extra} is merged into the error body; on the bridge its
   * {@code jobs} follow the message.
   */
  public static final class Refusal extends RuntimeException {

    private final Failure failure;
    private final JsonObject extra;

    public Refusal(Failure failure, JsonObject extra) {
      super(failure.getMessage(), null, false, false);
      this.failure = failure;
      this.extra = extra;
    }

    public Failure failure() {
      return failure;
    }

    public JsonObject extra() {
      return extra;
    }
  }

  /** The maintenance operations of both edges (the event stream is HTTP's alone: the bridge pushes). */
  public static List<MaintenanceOperation> table(MaintenanceCalls calls) {
    return List.of(
        new MaintenanceOperation("maintenanceGet", "status", (caller, in) -> calls.get(caller, in.integer("tenantId"))),
        new MaintenanceOperation("maintenanceStart", "start", (caller, in) -> calls.start(caller, in.string("phase"),
                in.flag("killJobs"), in.flag("force"), in.string("killAfter"), in.flag("autoSuspend"),
                in.string("reason"), in.integer("tenantId"))
            .compose(started -> started.refused()
                ? Future.failedFuture(new Refusal(Failure.conflict(started.refusal().getString("message")),
                    started.refusal()))
                : Future.succeededFuture())),
        new MaintenanceOperation("maintenanceEnd", "end", (caller, in) -> calls.end(caller, in.integer("tenantId"))
            .map(ended -> null)),
        new MaintenanceOperation("maintenancePreview", "preview",
            (caller, in) -> calls.preview(caller, in.string("duration"), in.integer("tenantId"))),
        new MaintenanceOperation("maintenanceHistory", "history",
            (caller, in) -> calls.history(caller, in.integer("tenantId"), in.page())),
        new MaintenanceOperation("maintenancePlanCreate", "plan", (caller, in) -> calls.plan(caller, in.body())),
        new MaintenanceOperation("maintenancePlans", "plans", (caller, in) -> calls.plans(caller)),
        new MaintenanceOperation("maintenancePlanCancel", "cancel-plan", (caller, in) -> {
          Long id = in.integer("id");
          if (id == null) {
            throw Failure.badRequest("id is required: the plan to cancel");
          }
          return calls.cancelPlan(caller, id);
        }),
        new MaintenanceOperation("maintenanceExemptions", "exemptions", (caller, in) -> calls.exemptions(caller)),
        new MaintenanceOperation("maintenanceExemptionsSet", "set-exemptions",
            (caller, in) -> calls.setExemptions(caller, in.body())));
  }

  /** The full bridge address. */
  public String address() {
    return BRIDGE_PREFIX + bridgeAddress;
  }
}
