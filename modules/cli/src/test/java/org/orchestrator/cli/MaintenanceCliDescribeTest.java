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
}
