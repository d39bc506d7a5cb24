package org.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.FailureCode;

/**
 * What Swagger shows for an error is what the server sends: each error response's examples carry a
 * code of that HTTP status and the code's own errorCode (a 401 once showed MAINTENANCE, 1000).
 */
class ContractExamplesTest {

  @Test
  void everyErrorExampleMatchesItsStatus() throws IOException {
    JsonObject contract;
    try (InputStream in = ContractExamplesTest.class.getResourceAsStream("/openapi.json")) {
      contract = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    JsonObject shared = contract.getJsonObject("components").getJsonObject("responses");
    int checked = 0;
    for (Map.Entry<String, Object> path : contract.getJsonObject("paths")) {
      for (Map.Entry<String, Object> operation : (JsonObject) path.getValue()) {
        JsonObject responses = ((JsonObject) operation.getValue()).getJsonObject("responses");
        for (Map.Entry<String, Object> response : responses == null ? new JsonObject() : responses) {
          int status = Integer.parseInt(response.getKey());
          JsonObject body = (JsonObject) response.getValue();
          String ref = body.getString("$ref");
          if (ref != null) {
            body = shared.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
          }
          JsonObject json = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
          if (status < 400 || json == null || json.getJsonObject("examples") == null) {
            continue;
          }
          for (Map.Entry<String, Object> example : json.getJsonObject("examples")) {
            JsonObject value = ((JsonObject) example.getValue()).getJsonObject("value");
            FailureCode code = FailureCode.valueOf(value.getString("code"));
            String where = operation.getKey() + " " + path.getKey() + " " + status + " " + example.getKey();
            assertEquals(status, code.httpStatus(), where);
            assertEquals(code.errorCode(), value.getInteger("errorCode"), where);
            assertFalse(value.getString("message").isBlank(), where);
            checked++;
          }
        }
      }
    }
    assertTrue(checked > 150, "error examples checked: " + checked);
  }
}
