package org.orchestrator.tenantlog;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.JobOutcome;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.PhaseStep;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.SkippedTrigger;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.platform.database.Timestamps;

/** Frozen per-tenant records of maintenance windows. */
final class TenantLogRepository {

  private static final String COLUMNS = "window_id, tenant_id, started_at, ended_at, closed_at, stopped_jobs, "
      + "killed_jobs, skipped_triggers, jobs, facts";

  private final Pool pool;

  TenantLogRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores (or replaces, when End is retried or the records are completed) every tenant's record of
   * a window, in one batch; {@code complete}: the records are final (decision 128).
   */
  Future<Void> save(List<TenantWindowLog> logs, boolean complete) {
    if (logs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(logs.size());
    for (TenantWindowLog log : logs) {
      JsonArray skipped = new JsonArray();
      log.skippedTriggers().forEach(s -> skipped.add(new JsonObject().put("scheduleId", s.scheduleId())
          .put("scheduleName", s.scheduleName()).put("plannedAt", s.plannedAt().toString())));
      JsonArray jobs = new JsonArray();
      log.jobs().forEach(j -> jobs.add(new JsonObject().put("jobId", j.jobId()).put("processName", j.processName())
          .put("outcome", j.outcome()).put("state", j.state()).put("reason", j.reason())));
      rows.add(Tuple.tuple().addLong(log.windowId()).addLong(log.tenantId()).addOffsetDateTime(Timestamps.utc(log.startedAt()))
          .addOffsetDateTime(Timestamps.utc(log.endedAt())).addArrayOfLong(log.stoppedJobs().toArray(Long[]::new))
          .addArrayOfLong(log.killedJobs().toArray(Long[]::new)).addValue(skipped).addValue(jobs)
          .addValue(facts(log.facts())).addBoolean(complete));
    }
    return pool.preparedQuery("""
            INSERT INTO tenant_maintenance_logs (window_id, tenant_id, started_at, ended_at, stopped_jobs, killed_jobs,
              skipped_triggers, jobs, facts, completed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END)
            ON CONFLICT (window_id, tenant_id) DO UPDATE SET ended_at = excluded.ended_at, closed_at = now(),
              stopped_jobs = excluded.stopped_jobs, killed_jobs = excluded.killed_jobs,
              skipped_triggers = excluded.skipped_triggers, jobs = excluded.jobs, facts = excluded.facts,
              completed_at = excluded.completed_at
            -- a first freeze never replaces a completed record (an End on another node that lost the
            -- compare-and-set after this window's End committed and completed)
            WHERE excluded.completed_at IS NOT NULL OR tenant_maintenance_logs.completed_at IS NULL""")
        .executeBatch(rows)
        .mapEmpty();
  }

  /** The windows with records not completed yet, oldest first (at most {@code limit}). */
  Future<List<Long>> incomplete(int limit) {
    return pool.preparedQuery("SELECT DISTINCT window_id FROM tenant_maintenance_logs WHERE completed_at IS NULL "
            + "ORDER BY window_id LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<Long> windows = new ArrayList<>(rows.size());
          rows.forEach(row -> windows.add(row.getLong(0)));
          return windows;
        });
  }

  /** A window's frozen records; {@code complete} when every one of them is (decision 128). */
  record Frozen(List<TenantWindowLog> logs, boolean complete) {
  }

  Future<Frozen> window(long windowId, Long tenantId) {
    return pool.preparedQuery("SELECT " + COLUMNS + ", completed_at IS NOT NULL AS complete "
            + "FROM tenant_maintenance_logs WHERE window_id = $1 AND ($2::bigint IS NULL OR tenant_id = $2) "
            + "ORDER BY tenant_id")
        .execute(Tuple.of(windowId, tenantId))
        .map(rows -> {
          List<TenantWindowLog> logs = new ArrayList<>(rows.size());
          boolean complete = true;
          for (Row row : rows) {
            logs.add(toLog(row));
            complete &= row.getBoolean("complete");
          }
          return new Frozen(logs, complete);
        });
  }

  /** A page of one tenant's records, newest window first (keyset on window_id). */
  Future<History> history(long tenantId, PageRequest page) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM tenant_maintenance_logs WHERE tenant_id = $1 "
            + "AND ($2::bigint IS NULL OR window_id < $2) ORDER BY window_id DESC LIMIT $3 OFFSET $4")
        .execute(Tuple.of(tenantId, page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<TenantWindowLog> logs = new ArrayList<>(rows.size());
          rows.forEach(row -> logs.add(toLog(row)));
          Page<TenantWindowLog> kept = Page.of(logs, page, log -> Long.toString(log.windowId()));
          return new History(kept.items(), kept.size(), kept.next());
        });
  }

  /**
   * Every tenant's record of a page of windows (windows newest first, tenants by id): the page
   * counts windows, and its cursor is the last window's id.
   */
  Future<History> windows(PageRequest page) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM tenant_maintenance_logs WHERE window_id IN "
            + "(SELECT DISTINCT window_id FROM tenant_maintenance_logs WHERE ($1::bigint IS NULL OR window_id < $1) "
            + "ORDER BY window_id DESC LIMIT $2 OFFSET $3) ORDER BY window_id DESC, tenant_id")
        .execute(Tuple.of(page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<TenantWindowLog> logs = new ArrayList<>(rows.size());
          List<Long> windows = new ArrayList<>();
          for (Row row : rows) {
            TenantWindowLog log = toLog(row);
            if (windows.isEmpty() || windows.get(windows.size() - 1) != log.windowId()) {
              windows.add(log.windowId());
            }
            if (windows.size() <= page.size()) {
              logs.add(log);
            }
          }
          String next = windows.size() > page.size() ? Long.toString(windows.get(page.size() - 1)) : null;
          return new History(logs, page.size(), next);
        });
  }

  private static TenantWindowLog toLog(Row row) {
    List<SkippedTrigger> skipped = new ArrayList<>();
    JsonArray array = (JsonArray) row.getValue("skipped_triggers");
    for (int i = 0; i < array.size(); i++) {
      JsonObject s = array.getJsonObject(i);
      skipped.add(new SkippedTrigger(s.getLong("scheduleId"), s.getString("scheduleName"),
          Instant.parse(s.getString("plannedAt"))));
    }
    List<JobOutcome> jobs = new ArrayList<>();
    JsonArray outcomes = (JsonArray) row.getValue("jobs");
    for (int i = 0; i < outcomes.size(); i++) {
      JsonObject j = outcomes.getJsonObject(i);
      jobs.add(new JobOutcome(j.getLong("jobId"), j.getString("processName"), j.getString("outcome"), j.getString("state"),
          j.getString("reason")));
    }
    return new TenantWindowLog(row.getLong("window_id"), row.getLong("tenant_id"), Timestamps.instant(row, "started_at"),
        Timestamps.instant(row, "ended_at"), Timestamps.instant(row, "closed_at"), Arrays.asList(row.getArrayOfLongs("stopped_jobs")),
        Arrays.asList(row.getArrayOfLongs("killed_jobs")), skipped, jobs, facts((JsonObject) row.getValue("facts")));
  }

  private static JsonObject facts(WindowFacts facts) {
    if (facts == null) {
      return null;
    }
    JsonArray timeline = new JsonArray();
    facts.timeline().forEach(step -> timeline.add(new JsonObject().put("phase", step.phase())
        .put("at", step.at() == null ? null : step.at().toString()).put("by", step.by())));
    return new JsonObject().put("reason", facts.reason()).put("startedBy", facts.startedBy())
        .put("killAfter", facts.killAfter())
        .put("killDeadlineAt", facts.killDeadlineAt() == null ? null : facts.killDeadlineAt().toString())
        .put("timeline", timeline)
        .put("exemptions", new JsonArray(facts.exemptions().stream().map(e -> new JsonObject()
            .put("tenantId", e.tenantId()).put("processName", e.processName()).put("reason", e.reason())).toList()));
  }

  private static WindowFacts facts(JsonObject json) {
    if (json == null) {
      return null;
    }
    List<PhaseStep> timeline = new ArrayList<>();
    JsonArray steps = json.getJsonArray("timeline", new JsonArray());
    for (int i = 0; i < steps.size(); i++) {
      JsonObject step = steps.getJsonObject(i);
      timeline.add(new PhaseStep(step.getString("phase"), step.getString("at") == null ? null
          : Instant.parse(step.getString("at")), step.getString("by")));
    }
    String deadline = json.getString("killDeadlineAt");
    List<Exemption> exemptions = new ArrayList<>();
    JsonArray items = json.getJsonArray("exemptions", new JsonArray());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      exemptions.add(new Exemption(item.getLong("tenantId"), item.getString("processName"), item.getString("reason")));
    }
    return new WindowFacts(json.getString("reason"), json.getString("startedBy"), json.getString("killAfter"),
        deadline == null ? null : Instant.parse(deadline), List.copyOf(timeline), List.copyOf(exemptions));
  }
}
