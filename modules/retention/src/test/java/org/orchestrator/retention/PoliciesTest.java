package org.orchestrator.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;

/** The rules of a policy: the fields there are, what each holds, and what applies to a tenant. */
class PoliciesTest {

  @Test
  void daysAreOneToTenYearsOrNullAndArchiveIsABoolean() {
    JsonObject fields = Policies.checked(new JsonObject().put("robotLogsDays", 1).put("finishedJobsDays", 3650)
        .putNull("queueItemsDays").put("archive", false));
    assertEquals(1, fields.getInteger("robotLogsDays"));
    assertEquals(3650, fields.getInteger("finishedJobsDays"));
    assertTrue(fields.containsKey("queueItemsDays"));
    assertNull(fields.getValue("queueItemsDays"));
    assertFalse(fields.getBoolean("archive"));
    assertFalse(fields.containsKey("webhookDeliveriesDays"), "a field not given is not set");
  }

  @Test
  void everyBadValueIsABadRequestNamingTheField() {
    for (JsonObject bad : new JsonObject[] {
        new JsonObject().put("robotLogsDays", 0),
        new JsonObject().put("robotLogsDays", -1),
        new JsonObject().put("robotLogsDays", 3651),
        new JsonObject().put("robotLogsDays", Long.MAX_VALUE),
        new JsonObject().put("robotLogsDays", "30"),
        new JsonObject().put("robotLogsDays", 30.5),
        new JsonObject().put("robotLogsDays", true),
        new JsonObject().put("archive", "true"),
        new JsonObject().putNull("archive"),
        new JsonObject().put("robotlogsdays", 30),
        new JsonObject().put("tenantId", 2),
        new JsonObject().put("x\u0000y", 1)}) {
      Failure failure = assertThrows(Failure.class, () -> Policies.checked(bad), bad.encode());
      assertEquals(FailureCode.BAD_REQUEST, failure.code(), bad.encode());
      assertFalse(failure.getMessage().contains("\u0000"), "no control character is echoed");
    }
    assertThrows(Failure.class, () -> Policies.checked(null));
  }

  @Test
  void aTenantOverrideReplacesOnlyWhatItSetsAndNullKeepsForever() {
    JsonObject host = new JsonObject().put("robotLogsDays", 30).put("finishedJobsDays", 90).put("queueItemsDays", 45)
        .put("webhookDeliveriesDays", 30).put("archive", true);
    JsonObject override = new JsonObject().put("robotLogsDays", 7).putNull("finishedJobsDays").put("archive", false);
    JsonObject effective = Policies.effective(host, override);
    assertEquals(7, Policies.days(effective, RetainedTable.robot_logs));
    assertNull(Policies.days(effective, RetainedTable.jobs), "null: kept forever");
    assertEquals(45, Policies.days(effective, RetainedTable.queue_items), "not set: the host's");
    assertFalse(Policies.archive(effective));
    assertEquals(30, Policies.days(Policies.effective(host, null), RetainedTable.robot_logs));
    assertEquals(30, host.getInteger("robotLogsDays"), "the host's policy is not changed");
  }

  @Test
  void archiveNamesFollowTenantTableAndDay() {
    assertEquals("7/robot_logs/2026-12-04.jsonl.gz",
        Archive.name(7, RetainedTable.robot_logs, java.time.LocalDate.of(2026, 12, 4), 1));
    assertEquals("7/webhook_deliveries/2026-12-04-3.jsonl.gz",
        Archive.name(7, RetainedTable.webhook_deliveries, java.time.LocalDate.of(2026, 12, 4), 3));
  }
}
