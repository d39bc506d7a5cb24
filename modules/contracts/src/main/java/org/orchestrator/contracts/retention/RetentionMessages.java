package org.orchestrator.contracts.retention;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.PageRequest;

/**
 * Bodies of the retention module's addresses and of the addresses each owner of a retained table
 * serves for it (jobs: robot logs, finished jobs, queue items; webhooks: deliveries). Retention
 * decides what expires and keeps the archive; the owner reads and deletes its own rows.
 */
public final class RetentionMessages {

  private RetentionMessages() {
  }

  /**
   * A table retention applies to, by the name metrics and files use. Its owner decides which rows
   * are finished (a job in a final state, a queue item processed, a delivery settled) and which
   * instant a row's age is counted from.
   */
  public enum RetainedTable {
    /** {@code robot_logs} by {@code received_at}; partitioned by day (jobs). */
    robot_logs,
    /** Finished {@code jobs} (Successful, Faulted, Stopped) by {@code ended_at} (jobs). */
    jobs,
    /** Processed {@code queue_items} (Successful, Failed) by {@code ended_at} (jobs). */
    queue_items,
    /** Settled {@code webhook_deliveries} (Delivered, GaveUp) by {@code settled_at}, with their attempts (webhooks). */
    webhook_deliveries
  }

  // ---- the policy and the runs (retention.*) ----

  /** The host's policy ({@code tenantId} null) or a tenant's override, as the caller reads it. */
  public record GetPolicy(Caller caller, Long tenantId) {
  }

  /**
   * Sets the host's policy ({@code tenantId} null: the fields given replace the current ones) or a
   * tenant's override (replaced whole: a field left out follows the host's). {@code fields} is the
   * JSON body as sent; the retention module checks it.
   */
  public record PutPolicy(Caller caller, Long tenantId, JsonObject fields) {
  }

  /**
   * A policy as stored and as applied: {@code stored} is the host's policy or the tenant's override
   * (the fields it sets), {@code effective} what a run applies to that tenant. A days field of
   * {@code effective} that is absent or null keeps rows forever.
   */
  public record PolicyView(Long tenantId, JsonObject stored, JsonObject effective) {
  }

  /** The host administrator asks for a run now. */
  public record StartRun(Caller caller) {
  }

  public record RunStarted(long runId) {
  }

  /** The runs, newest first (host administrator). */
  public record ListRuns(Caller caller, PageRequest page) {
  }

  /** What a run did to one table of one tenant. */
  public record RunCount(long tenantId, RetainedTable table, long archived, long deleted) {
  }

  /**
   * One run: {@code trigger} Schedule or Manual; {@code outcome} Running, Succeeded, Failed (with
   * {@code error}) or Interrupted (its node died; the next run finishes its work).
   */
  public record Run(long id, String trigger, Instant startedAt, Instant endedAt, String outcome, String error,
      long bytesWritten, long filesWritten, long partitionsDropped, List<RunCount> counts) {
  }

  // ---- what an owner of a retained table serves (<owner>.retention.*) ----

  /**
   * Up to {@code limit} finished rows of {@code tenantId} in {@code table} whose age instant is in
   * [{@code from}, {@code before}) ({@code from} null: no lower bound), with a key after
   * {@code afterKey} (null: from the first), in key order.
   */
  public record ExpiredRows(RetainedTable table, long tenantId, Instant from, Instant before, String afterKey,
      int limit) {
  }

  /**
   * Rows as their owner archives them: {@code keys[i]} is the key of the row whose JSON object
   * (every column, as PostgreSQL's {@code row_to_json}) is {@code lines[i]}.
   */
  public record RowBatch(List<String> keys, List<String> lines) {
  }

  /** Deletes the rows of {@code tenantId} in {@code table} with these keys (those already gone count 0). */
  public record DeleteRows(RetainedTable table, long tenantId, List<String> keys) {
  }

  /**
   * Deletes up to {@code limit} rows that {@link ExpiredRows} with the same bounds would list (archive
   * off), the first ones in key order after {@code afterKey} (null: from the first). A caller going
   * on passes the {@code lastKey} it was answered, so that no statement scans again past the index
   * entries of rows the ones before it deleted.
   */
  public record DeleteExpired(RetainedTable table, long tenantId, Instant from, Instant before, int limit,
      String afterKey) {

    public DeleteExpired(RetainedTable table, long tenantId, Instant from, Instant before, int limit) {
      this(table, tenantId, from, before, limit, null);
    }
  }

  /** How many rows were deleted; for {@link DeleteExpired}, the last key it chose (null: none). */
  public record DeletedRows(long count, String lastKey) {

    public DeletedRows(long count) {
      this(count, null);
    }
  }

  /**
   * The age instant of the oldest finished row of {@code table}, any tenant: the oldest row retention
   * could delete (an unfinished one is not retention's, and has no age yet).
   */
  public record OldestRow(RetainedTable table) {
  }

  /** {@code at} null: the table is empty. */
  public record Oldest(RetainedTable table, Instant at) {
  }

  /** The day partitions of robot logs whose upper bound is at or before {@code before}, oldest first. */
  public record ListPartitions(Instant before) {
  }

  /**
   * A partition of robot logs: rows received in [{@code from}, {@code to}); {@code from} null: no
   * lower bound (robot_logs_legacy, the table as it was before it was partitioned).
   */
  public record Partition(String name, Instant from, Instant to) {
  }

  public record Partitions(List<Partition> partitions) {
  }

  /** Drops one partition {@link ListPartitions} listed (gone already: dropped false). */
  public record DropPartition(String name) {
  }

  public record DroppedPartition(String name, boolean dropped) {
  }
}
