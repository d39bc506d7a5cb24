package org.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.phase.RouteClass;

/** Which maintenance rule a path follows, read from the contract's x-maintenance. */
class RoutePolicyTest {

  private static final RoutePolicy CONTRACT = RoutePolicy.fromContract(contract());

  private static JsonObject contract() {
    try (InputStream in = RoutePolicyTest.class.getResourceAsStream("/openapi.json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // the robot protocol: served while Draining
      "/api/robot/heartbeat, ROBOT",
      "/API/Robot/Heartbeat, ROBOT",
      "/api/robot/jobs/42/state, ROBOT",
      // people and scripts: refused while Draining
      "/api/Jobs, HUMAN",
      "/api/Jobs/42, HUMAN",
      "/api/Schedules/7/Fires, HUMAN",
      // the operator's own: served in every phase
      "/api/Maintenance/Get, OPEN",
      "/api/Maintenance/End, OPEN",
      "/identity/connect/token, OPEN",
      // files outside the contract kept open, and only below their prefix
      "/console/maintenance/index.html, OPEN",
      "/metrics, OPEN",
      "/metricsx, HUMAN",
      "/console/index.html, HUMAN",
      // anything unknown fails closed
      "/, HUMAN",
      "/api/NoSuchThing, HUMAN",
      "/api/Jobs/42/extra/segments, HUMAN",
  })
  void theContractsRules(String path, RouteClass expected) {
    assertEquals(expected, CONTRACT.classify(path));
  }

  @Test
  void aPathSharedByOperationsFollowsTheStrictestWhateverTheMethod() {
    JsonObject contract = new JsonObject().put("paths", new JsonObject()
        .put("/api/Things", new JsonObject()
            .put("get", operation("listThings", "robot"))
            .put("post", operation("addThing", "human")))
        .put("/api/Things/{id}", new JsonObject()
            .put("get", operation("getThing", "open"))
            .put("parameters", new JsonObject()))
        .put("/api/Things/{id}/Parts", new JsonObject().put("get", operation("parts", "robot"))));
    RoutePolicy policy = RoutePolicy.fromContract(contract);
    assertEquals(RouteClass.HUMAN, policy.classify("/api/Things"));
    assertEquals(RouteClass.OPEN, policy.classify("/api/things/12"));
    assertEquals(RouteClass.ROBOT, policy.classify("/api/Things/12/Parts"));
    assertEquals(RouteClass.HUMAN, policy.classify("/api/Things/12/Parts/3"));
    assertEquals(RouteClass.HUMAN, policy.classify(null));
  }

  @Test
  void anOperationWithoutARuleStopsTheStart() {
    JsonObject contract = new JsonObject().put("paths", new JsonObject()
        .put("/api/Forgotten", new JsonObject().put("get", new JsonObject().put("operationId", "forgotten"))));
    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> RoutePolicy.fromContract(contract));
    assertEquals("operation forgotten has no x-maintenance in openapi.json", failure.getMessage());
  }

  private static JsonObject operation(String id, String rule) {
    return new JsonObject().put("operationId", id).put("x-maintenance", rule);
  }
}
