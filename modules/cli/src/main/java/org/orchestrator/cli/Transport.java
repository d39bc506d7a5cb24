package org.orchestrator.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** How the tool reaches the server: the TCP event-bus bridge or the HTTP API. */
interface Transport extends AutoCloseable {

  /** One maintenance operation: status, start, end, preview or history, with a JSON body. */
  Future<JsonObject> call(String operation, JsonObject body);

  /**
   * Completes when the server has something new to say about the phase or the drain: over the
   * bridge, when it pushes a phase change or a progress update (subscribed on first use; at the
   * latest after {@code maxWaitMs}); over HTTP, after a second of polling.
   */
  default Future<Void> nextChange(io.vertx.core.Vertx vertx, long maxWaitMs) {
    return vertx.timer(1_000).mapEmpty();
  }

  @Override
  void close();
}
