package org.orchestrator.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** How the tool reaches the server: the TCP event-bus bridge or the HTTP API. */
interface Transport extends AutoCloseable {

  /** One maintenance operation: status, start, end, preview or history, with a JSON body. */
  Future<JsonObject> call(String operation, JsonObject body);

  @Override
  void close();
}
