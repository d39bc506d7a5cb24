package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Assertions on the API's replies. */
public final class Expect {

  private Expect() {
  }

  /** A JSON error with the given status and code, carrying a message and an integer errorCode. */
  public static JsonObject error(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), () -> "status of " + response.bodyAsString());
    String type = response.getHeader("Content-Type");
    assertNotNull(type, "error replies are JSON");
    assertTrue(type.startsWith("application/json"), type);
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(code, body.getString("code"), body::encode);
    assertTrue(body.getValue("errorCode") instanceof Integer, body::encode);
    assertFalse(body.getString("message", "").isBlank(), body::encode);
    return body;
  }
}
