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
    JsonObject tenants = new JsonObject();
    p.tenants().forEach((tenant, t) -> tenants.put(tenant.toString(), new JsonObject()
        .put("stops", t.jobStopsAttempted()).put("kills", t.jobKillsAttempted()).put("skipped", t.triggersSkipped())));
    return new JsonObject().put("phase", p.phase().name()).put("at", p.at().toString())
        .put("remaining", p.remaining()).put("remainingByTenant", byTenant(p.remainingByTenant()))
        .put("stopsSent", p.stopsSent()).put("stopsAcknowledged", p.stopsAcknowledged())
        .put("killsSent", p.killsSent()).put("killsAcknowledged", p.killsAcknowledged())
        .put("triggersSkipped", p.triggersSkipped()).put("ratio", p.ratio())
        .put("estimatedSecondsLeft", p.estimatedSecondsLeft()).put("estimateBasis", p.estimateBasis())
        .put("killDeadlineAt", p.killDeadlineAt() == null ? null : p.killDeadlineAt().toString())
        .put("tenants", tenants).put("sinceLastEndSeconds", p.sinceLastEndSeconds()).put("stalled", p.stalled())
        .put("exemptRunning", p.exemptRunning()).put("exemptRunningByTenant", byTenant(p.exemptRunningByTenant()));
  }

  private static JsonObject byTenant(Map<Long, Long> counts) {
    JsonObject json = new JsonObject();
    counts.forEach((tenant, count) -> json.put(tenant.toString(), count));
    return json;
  }

  /** Per tenant counts as written by {@link #byTenant}; absent (a progress stored by an earlier release): none. */
  private static Map<Long, Long> byTenant(JsonObject json) {
    Map<Long, Long> counts = new TreeMap<>();
    if (json != null) {
      json.forEach(e -> counts.put(Long.valueOf(e.getKey()), ((Number) e.getValue()).longValue()));
    }
    return Collections.unmodifiableMap(counts);
  }

  static DrainProgress read(JsonObject json) {
    Map<Long, TenantTally> tenants = new TreeMap<>();
    json.getJsonObject("tenants").forEach(e -> {
      JsonObject t = (JsonObject) e.getValue();
      tenants.put(Long.valueOf(e.getKey()), new TenantTally(t.getLong("stops"), t.getLong("kills"), t.getLong("skipped")));
    });
    String deadline = json.getString("killDeadlineAt");
    return new DrainProgress(MaintenancePhase.valueOf(json.getString("phase")), Instant.parse(json.getString("at")),
        json.getLong("remaining"), byTenant(json.getJsonObject("remainingByTenant")), json.getLong("stopsSent"), json.getLong("stopsAcknowledged"),
        json.getLong("killsSent"), json.getLong("killsAcknowledged"), json.getLong("triggersSkipped"),
        json.getDouble("ratio"), json.getLong("estimatedSecondsLeft"), json.getString("estimateBasis"),
        deadline == null ? null : Instant.parse(deadline), Collections.unmodifiableMap(tenants),
        json.getLong("sinceLastEndSeconds"), json.getBoolean("stalled", false), json.getLong("exemptRunning", 0L),
        byTenant(json.getJsonObject("exemptRunningByTenant")));
  }
}
