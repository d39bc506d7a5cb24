package org.orchestrator.retention;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.contracts.retention.RetentionMessages.Run;
import org.orchestrator.contracts.retention.RetentionMessages.RunCount;
import org.orchestrator.platform.database.Timestamps;

/** The retention module's tables: policies, runs and their counts, archive files. */
final class RetentionRepository {

  /** The policies row of the host's policy. */
  static final long HOST = 0;

  private final Pool pool;

  RetentionRepository(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  // ---- policies ----

  /** Every stored policy by tenant id ({@link #HOST}: the host's). */
  Future<Map<Long, JsonObject>> policies() {
    return pool.query("SELECT tenant_id, fields FROM retention_policies").execute().map(rows -> {
      Map<Long, JsonObject> policies = new HashMap<>();
      rows.forEach(row -> policies.put(row.getLong("tenant_id"), jsonb(row, "fields")));
      return policies;
    });
  }

  Future<Optional<JsonObject>> policy(long tenantId) {
    return pool.preparedQuery("SELECT fields FROM retention_policies WHERE tenant_id = $1")
        .execute(Tuple.of(tenantId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(jsonb(rows.iterator().next(), "fields")));
  }

  /** Stores a policy's fields whole: the host's merged by the caller, a tenant's as given. */
  Future<JsonObject> putPolicy(long tenantId, JsonObject fields, Instant at, String by) {
    return pool.preparedQuery("INSERT INTO retention_policies (tenant_id, fields, updated_at, updated_by) "
            + "VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET fields = EXCLUDED.fields, "
            + "updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by RETURNING fields")
        .execute(Tuple.of(tenantId, fields.encode(), Timestamps.utc(at), by))
        .map(rows -> jsonb(rows.iterator().next(), "fields"));
  }

  // ---- runs ----

  Future<Long> request(String trigger, String by, Instant at) {
    return pool.preparedQuery("INSERT INTO retention_runs (trigger, requested_by, requested_at, outcome) "
            + "VALUES ($1, $2, $3, 'Requested') RETURNING id")
        .execute(Tuple.of(trigger, by, Timestamps.utc(at)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Runs left Running by a node that died (only the lock holder calls this): now Interrupted. */
  Future<Integer> interruptRunning(Instant at) {
    return pool.preparedQuery("UPDATE retention_runs SET outcome = 'Interrupted', ended_at = $1, "
            + "error = 'its node stopped before it ended; the next run finished its work' WHERE outcome = 'Running'")
        .execute(Tuple.of(Timestamps.utc(at)))
        .map(rows -> rows.rowCount());
  }

  /** The oldest run asked for and not started. */
  Future<Optional<Long>> nextRequested() {
    return pool.query("SELECT id FROM retention_runs WHERE outcome = 'Requested' ORDER BY id LIMIT 1").execute()
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  /** When the last run started (any trigger), if one did. */
  Future<Optional<Instant>> lastStart() {
    return pool.query("SELECT max(started_at) FROM retention_runs").execute()
        .map(rows -> Optional.ofNullable(Timestamps.instant(rows.iterator().next().getOffsetDateTime(0))));
  }

  Future<Void> started(long runId, Instant at) {
    return pool.preparedQuery("UPDATE retention_runs SET outcome = 'Running', started_at = $2 WHERE id = $1")
        .execute(Tuple.of(runId, Timestamps.utc(at))).mapEmpty();
  }

  Future<Void> ended(long runId, Instant at, String outcome, String error) {
    return pool.preparedQuery("UPDATE retention_runs SET outcome = $2, ended_at = $3, error = $4 WHERE id = $1")
        .execute(Tuple.of(runId, outcome, Timestamps.utc(at), error)).mapEmpty();
  }

  /** Adds what a step did to a run's counts (and its totals), in one statement per table. */
  Future<Void> count(SqlClient client, long runId, long tenantId, RetainedTable table, long archived, long deleted) {
    return client.preparedQuery("INSERT INTO retention_run_counts (run_id, tenant_id, table_name, archived, deleted) "
            + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, tenant_id, table_name) DO UPDATE SET "
            + "archived = retention_run_counts.archived + EXCLUDED.archived, "
            + "deleted = retention_run_counts.deleted + EXCLUDED.deleted")
        .execute(Tuple.of(runId, tenantId, table.name(), archived, deleted)).mapEmpty();
  }

  Future<Void> partitionDropped(long runId) {
    return pool.preparedQuery("UPDATE retention_runs SET partitions_dropped = partitions_dropped + 1 WHERE id = $1")
        .execute(Tuple.of(runId)).mapEmpty();
  }

  Future<Page<Run>> runs(PageRequest page) {
    return pool.preparedQuery("SELECT * FROM retention_runs WHERE ($1::bigint IS NULL OR id < $1) "
            + " ORDER BY id DESC LIMIT $2 OFFSET $3")
        .execute(Tuple.of(page.afterId(), page.limit(), page.offset()))
        .compose(rows -> {
          Map<Long, Row> byId = new LinkedHashMap<>();
          rows.forEach(row -> byId.put(row.getLong("id"), row));
          if (byId.isEmpty()) {
            return Future.succeededFuture(Page.of(List.<Run>of(), page, run -> Long.toString(run.id())));
          }
          return pool.preparedQuery("SELECT * FROM retention_run_counts WHERE run_id = ANY($1) "
                  + "ORDER BY run_id, tenant_id, table_name")
              .execute(Tuple.of(byId.keySet().toArray(new Long[0])))
              .map(countRows -> {
                Map<Long, List<RunCount>> counts = new HashMap<>();
                countRows.forEach(c -> counts.computeIfAbsent(c.getLong("run_id"), id -> new ArrayList<>())
                    .add(new RunCount(c.getLong("tenant_id"), RetainedTable.valueOf(c.getString("table_name")),
                        c.getLong("archived"), c.getLong("deleted"))));
                List<Run> runs = new ArrayList<>();
                byId.forEach((id, row) -> runs.add(new Run(id, row.getString("trigger"),
                    Timestamps.instant(row, "started_at"), Timestamps.instant(row, "ended_at"),
                    row.getString("outcome"), row.getString("error"), row.getLong("bytes_written"),
                    row.getLong("files_written"), row.getLong("partitions_dropped"),
                    counts.getOrDefault(id, List.of()))));
                return Page.of(runs, page, run -> Long.toString(run.id()));
              });
        });
  }

  // ---- archive files ----

  record PendingFile(String path, long runId, long tenantId, RetainedTable table, long rows) {
  }

  /** Whether a file of that path was ever recorded (it may since have been moved off the disk). */
  Future<Boolean> recorded(String path) {
    return pool.preparedQuery("SELECT 1 FROM retention_files WHERE path = $1").execute(Tuple.of(path))
        .map(rows -> rows.size() > 0);
  }

  /** Records a complete temporary file, before it takes its name: from now on a run settles it. */
  Future<Void> pending(String path, long runId, long tenantId, RetainedTable table, long rows, long bytes,
      Instant at) {
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO retention_files (path, run_id, tenant_id, "
            + "table_name, rows, bytes, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'Pending', $7)")
        .execute(Tuple.of(path, runId, tenantId, table.name(), rows, bytes, Timestamps.utc(at)))
        .compose(done -> tx.preparedQuery("UPDATE retention_runs SET bytes_written = bytes_written + $2, "
            + "files_written = files_written + 1 WHERE id = $1").execute(Tuple.of(runId, bytes))))
        .mapEmpty();
  }

  Future<List<PendingFile>> pendingFiles() {
    return pool.query("SELECT path, run_id, tenant_id, table_name, rows FROM retention_files "
            + "WHERE state = 'Pending' ORDER BY path").execute()
        .map(rows -> {
          List<PendingFile> files = new ArrayList<>();
          rows.forEach(row -> files.add(new PendingFile(row.getString("path"), row.getLong("run_id"),
              row.getLong("tenant_id"), RetainedTable.valueOf(row.getString("table_name")), row.getLong("rows"))));
          return files;
        });
  }

  /** The file's rows are gone from their table: it is committed, and the run counts them. */
  Future<Void> committed(PendingFile file, long runId, long deleted, Instant at) {
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE retention_files SET state = 'Committed', "
            + "committed_at = $2 WHERE path = $1 AND state = 'Pending'")
        .execute(Tuple.of(file.path(), Timestamps.utc(at)))
        .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture()
            : count(tx, runId, file.tenantId(), file.table(), file.rows(), deleted)));
  }

  /** A pending file that never took its name: its rows are all still in their table. */
  Future<Void> forget(String path) {
    return pool.preparedQuery("DELETE FROM retention_files WHERE path = $1 AND state = 'Pending'")
        .execute(Tuple.of(path)).mapEmpty();
  }

  private static JsonObject jsonb(Row row, String column) {
    Object value = row.getValue(column);
    return value instanceof JsonObject json ? json : new JsonObject(String.valueOf(value));
  }
}
