package org.orchestrator.phase;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.TenantTally;

/** {@link DrainProgress} as stored in {@code maintenance_progress.body}, for the nodes that do not tick. */
final class ProgressJson {

  private ProgressJson() {
  }

  static JsonObject write(DrainProgress p) {
    JsonObject remaining = new JsonObject();
    p.remainingByTenant().forEach((tenant, count) -> remaining.put(tenant.toString(), count));
    JsonObject tenants = new JsonObject();
    p.tenants().forEach((tenant, t) -> tenants.put(tenant.toString(), new JsonObject()
        .put("stops", t.jobStopsAttempted()).put("kills", t.jobKillsAttempted()).put("skipped", t.triggersSkipped())));
    return new JsonObject().put("phase", p.phase().name()).put("at", p.at().toString())
        .put("remaining", p.remaining()).put("remainingByTenant", remaining)
        .put("stopsSent", p.stopsSent()).put("stopsAcknowledged", p.stopsAcknowledged())
        .put("killsSent", p.killsSent()).put("killsAcknowledged", p.killsAcknowledged())
        .put("triggersSkipped", p.triggersSkipped()).put("ratio", p.ratio())
        .put("estimatedSecondsLeft", p.estimatedSecondsLeft()).put("estimateBasis", p.estimateBasis())
        .put("killDeadlineAt", p.killDeadlineAt() == null ? null : p.killDeadlineAt().toString())
        .put("tenants", tenants).put("sinceLastEndSeconds", p.sinceLastEndSeconds()).put("stalled", p.stalled());
  }

  static DrainProgress read(JsonObject json) {
    Map<Long, Long> remaining = new TreeMap<>();
    json.getJsonObject("remainingByTenant").forEach(e -> remaining.put(Long.valueOf(e.getKey()), ((Number) e.getValue()).longValue()));
    Map<Long, TenantTally> tenants = new TreeMap<>();
    json.getJsonObject("tenants").forEach(e -> {
      JsonObject t = (JsonObject) e.getValue();
      tenants.put(Long.valueOf(e.getKey()), new TenantTally(t.getLong("stops"), t.getLong("kills"), t.getLong("skipped")));
    });
    String deadline = json.getString("killDeadlineAt");
    return new DrainProgress(MaintenancePhase.valueOf(json.getString("phase")), Instant.parse(json.getString("at")),
        json.getLong("remaining"), Collections.unmodifiableMap(remaining), json.getLong("stopsSent"), json.getLong("stopsAcknowledged"),
        json.getLong("killsSent"), json.getLong("killsAcknowledged"), json.getLong("triggersSkipped"),
        json.getDouble("ratio"), json.getLong("estimatedSecondsLeft"), json.getString("estimateBasis"),
        deadline == null ? null : Instant.parse(deadline), Collections.unmodifiableMap(tenants),
        json.getLong("sinceLastEndSeconds"), json.getBoolean("stalled", false));
  }
}
