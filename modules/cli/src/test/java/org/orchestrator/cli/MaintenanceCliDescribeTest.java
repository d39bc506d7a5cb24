package org.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What {@code status} prints for the states an operator meets, from Get's documented fields. */
class MaintenanceCliDescribeTest {

  @Test
  void aStalledDrainIsSaidToBeStalled() {
    String text = MaintenanceCli.describe(new JsonObject().put("state", "Draining").put("reason", "upgrade")
        .put("phaseSince", "2026-12-05T10:00:00Z").put("startedBy", "admin").put("jobStopsAttempted", 24)
        .put("progress", new JsonObject().put("remaining", 4).put("stalled", true).put("stalledSeconds", 42)));
    assertTrue(text.contains("remaining jobs: 4 (stalled: no job has ended for 42 s)"), text);
  }

  @Test
  void afterEndTheLastWindowIsToldAsTheLast() {
    String text = MaintenanceCli.describe(new JsonObject().put("state", "None").put("reason", "upgrade")
        .put("startedAt", "2026-12-05T10:00:00Z").put("endedAt", "2026-12-05T10:20:00Z").put("startedBy", "admin")
        .put("jobStopsAttempted", 24).put("jobKillsAttempted", 4).put("triggersSkipped", 7)
        .put("progress", new JsonObject().put("remaining", 0)));
    assertEquals("state: None (not in maintenance)\n"
        + "last window: upgrade, 2026-12-05T10:00:00Z to 2026-12-05T10:20:00Z, opened by admin\n"
        + "  stops attempted: 24, kills attempted: 4, triggers skipped: 7", text);
    assertFalse(text.contains("remaining"), text);
  }

  @Test
  void neverInMaintenanceSaysJustThat() {
    assertEquals("state: None (not in maintenance)", MaintenanceCli.describe(new JsonObject().put("state", "None")));
  }

  @Test
  void aMixedVersionClusterIsSaidToBeMixed() {
    io.vertx.core.json.JsonArray nodes = new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("id", "a1").put("version", "0.2.0").put("host", "web-1 (pid 7)")
            .put("startedAt", "2026-12-05T10:00:00Z"))
        .add(new JsonObject().put("id", "b2").put("version", "0.3.0").put("host", "web-2 (pid 9)")
            .put("startedAt", "2026-12-05T11:00:00Z"));
    assertEquals("state: None (not in maintenance)\nnodes: 2 live, versions 0.2.0 and 0.3.0 (mixed)\n"
        + "  a1: 0.2.0 on web-1 (pid 7), since 2026-12-05T10:00:00Z\n"
        + "  b2: 0.3.0 on web-2 (pid 9), since 2026-12-05T11:00:00Z",
        MaintenanceCli.describe(new JsonObject().put("state", "None").put("nodes", nodes)));
    assertEquals("state: None (not in maintenance)\nnodes: 1 live\n  a1: 0.2.0 on web-1 (pid 7), since "
        + "2026-12-05T10:00:00Z", MaintenanceCli.describe(new JsonObject().put("state", "None")
        .put("nodes", new io.vertx.core.json.JsonArray().add(nodes.getJsonObject(0)))));
  }
}
