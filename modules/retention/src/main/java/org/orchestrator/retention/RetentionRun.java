package org.orchestrator.retention;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.orchestrator.contracts.retention.RetentionMessages.Partition;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.contracts.retention.RetentionMessages.RowBatch;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.retention.RetentionRepository.PendingFile;

/**
 * One retention run, on the one node holding the retention lock:
 * <ol>
 *   <li>settle the files a run that died left Pending (delete the rows each holds, or forget one
 *       that never took its name), so that no row can be archived twice;</li>
 *   <li>drop the day partitions of robot logs that every tenant's policy has expired, after
 *       archiving the rows of the tenants that archive;</li>
 *   <li>for each table and tenant, archive (when the tenant's policy says so) and delete the rows
 *       older than its policy, in batches of {@code retention.batchRows}, each statement its own
 *       short transaction.</li>
 * </ol>
 * A row leaves its table only once a complete file holding it is on disk under its name; a crash at
 * any point leaves each row in its table, or in one file, or both until the next run settles it.
 */
final class RetentionRun {

  /** The key every archived line carries (each table's primary key column). */
  static final String KEY = "id";

  private final Vertx vertx;
  private final RetentionRepository repository;
  private final Owners owners;
  private final Archive archive;
  private final OrchestratorConfig.Retention settings;
  private final Clock clock;
  private final RetentionMetrics metrics;
  private final long runId;
  /** When the last {@link #pace} let the run go on (System.nanoTime). */
  private long paced = System.nanoTime();

  RetentionRun(Vertx vertx, RetentionRepository repository, Owners owners, Archive archive,
      OrchestratorConfig.Retention settings, Clock clock, RetentionMetrics metrics, long runId) {
    this.vertx = vertx;
    this.repository = repository;
    this.owners = owners;
    this.archive = archive;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.runId = runId;
  }

  Future<Void> execute() {
    Instant now = clock.instant();
    return settlePending()
        .compose(settled -> repository.policies())
        .compose(policies -> owners.tenants().compose(tenants -> {
          JsonObject host = policies.getOrDefault(RetentionRepository.HOST, new JsonObject());
          List<Tenant> each = new ArrayList<>();
          for (long tenant : tenants) {
            each.add(new Tenant(tenant, Policies.effective(host, policies.get(tenant))));
          }
          return dropPartitions(now, each)
              .compose(dropped -> sequence(each, tenant -> sequence(List.of(RetainedTable.values()),
                  table -> expire(table, tenant, now))));
        }));
  }

  record Tenant(long id, JsonObject policy) {
  }

  // ---- 1. files a run that died left Pending ----

  private Future<Void> settlePending() {
    return repository.pendingFiles().compose(files -> sequence(files, this::settle))
        .compose(settled -> blocking(archive::discardTemporaries)).mapEmpty();
  }

  private Future<Void> settle(PendingFile file) {
    return blocking(() -> archive.complete(file.path())).compose(complete -> {
      if (!complete) {
        return blocking(() -> {
          archive.discardTemporary(file.path());
          return null;
        }).compose(discarded -> repository.forget(file.path()));
      }
      return blocking(() -> archive.keys(file.path(), KEY))
          .compose(keys -> deleteKeys(file.table(), file.tenantId(), keys))
          .compose(deleted -> commit(file, deleted));
    });
  }

  private Future<Void> commit(PendingFile file, long deleted) {
    return repository.committed(file, runId, deleted, clock.instant()).onSuccess(done -> {
      metrics.archived(file.table(), file.rows());
      metrics.deleted(file.table(), deleted);
    });
  }

  // ---- 2. day partitions of robot logs past every tenant's retention ----

  private Future<Void> dropPartitions(Instant now, List<Tenant> tenants) {
    Integer longest = 0;
    for (Tenant tenant : tenants) {
      Integer days = Policies.days(tenant.policy(), RetainedTable.robot_logs);
      if (days == null) {
        return Future.succeededFuture(); // someone keeps robot logs forever: no day is past everyone
      }
      longest = Math.max(longest, days);
    }
    Instant everyonesCutoff = now.minus(Duration.ofDays(longest));
    return owners.partitions(everyonesCutoff).compose(partitions -> sequence(partitions,
        partition -> dropPartition(partition, tenants)));
  }

  private Future<Void> dropPartition(Partition partition, List<Tenant> tenants) {
    List<PendingFile> written = new ArrayList<>();
    return sequence(tenants, tenant -> !Policies.archive(tenant.policy()) ? Future.succeededFuture()
            : archiveRange(RetainedTable.robot_logs, tenant.id(), partitionStart(partition), partition.to(), null,
                written::add))
        .compose(archived -> owners.drop(partition.name()))
        .compose(dropped -> sequence(written, file -> commit(file, file.rows())))
        .compose(committed -> repository.partitionDropped(runId));
  }

  // ---- 3. row by row, in batches ----

  private Future<Void> expire(RetainedTable table, Tenant tenant, Instant now) {
    Integer days = Policies.days(tenant.policy(), table);
    if (days == null) {
      return Future.succeededFuture();
    }
    Instant cutoff = now.minus(Duration.ofDays(days));
    if (!Policies.archive(tenant.policy())) {
      return deleteExpired(table, tenant.id(), cutoff, null);
    }
    return archiveRange(table, tenant.id(), null, cutoff, null, file -> { });
  }

  private Future<Void> deleteExpired(RetainedTable table, long tenantId, Instant cutoff, String afterKey) {
    return owners.deleteExpired(table, tenantId, null, cutoff, settings.batchRows(), afterKey).compose(batch -> {
      long deleted = batch.count();
      if (deleted > 0) {
        metrics.deleted(table, deleted);
      }
      Future<Void> counted = deleted == 0 ? Future.succeededFuture()
          : repository.count(repository.pool(), runId, tenantId, table, 0, deleted).compose(done -> pace(deleted));
      // on after the last key chosen, until a statement chooses none (a row someone else deleted
      // meanwhile is no reason to stop early)
      return counted.compose(done -> batch.lastKey() == null ? Future.succeededFuture()
          : deleteExpired(table, tenantId, cutoff, batch.lastKey()));
    });
  }

  /**
   * Archives a tenant's finished rows of {@code table} aged in [from, before) with keys after
   * {@code afterKey} into files of at most {@code retention.fileRows} rows. Row by row ({@code from}
   * null), each file's rows are deleted once it has its name; for a partition ({@code from} set),
   * the caller drops the partition and then commits the files handed to {@code written}.
   */
  private Future<Void> archiveRange(RetainedTable table, long tenantId, Instant from, Instant before,
      String afterKey, Consumer<PendingFile> written) {
    return archiveFile(table, tenantId, from, before, afterKey).compose(file -> {
      if (file == null) {
        return Future.succeededFuture();
      }
      Future<Void> settled;
      if (from == null) {
        settled = deleteKeys(table, tenantId, file.keys()).compose(deleted -> commit(file.pending(), deleted));
      } else {
        written.accept(file.pending());
        settled = Future.succeededFuture();
      }
      return settled.compose(done -> file.last() ? Future.succeededFuture()
          : archiveRange(table, tenantId, from, before, file.lastKey(), written));
    });
  }

  /** A file written and named, its rows still in their table; {@code last}: no rows after it. */
  private record WrittenFile(PendingFile pending, List<String> keys, String lastKey, boolean last) {
  }

  /** Writes the next file of rows after {@code afterKey}, or answers null when there are none. */
  private Future<WrittenFile> archiveFile(RetainedTable table, long tenantId, Instant from, Instant before,
      String afterKey) {
    return owners.rows(table, tenantId, from, before, afterKey, settings.batchRows())
        .compose(first -> pace(first.keys().size()).map(first)).compose(first -> {
      if (first.keys().isEmpty()) {
        return Future.succeededFuture(null);
      }
      return freeName(tenantId, table, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), 1)
          .compose(path -> blocking(() -> archive.open(path)).compose(writing -> {
            List<String> keys = new ArrayList<>();
            return fill(writing, keys, first, table, tenantId, from, before)
                .compose(last -> blocking(writing::complete)
                    .compose(bytes -> repository.pending(path, runId, tenantId, table, writing.rows(), bytes,
                        clock.instant()))
                    .compose(recorded -> blocking(() -> {
                      writing.publish();
                      return null;
                    }))
                    .map(named -> new WrittenFile(new PendingFile(path, runId, tenantId, table, keys.size()), keys,
                        keys.get(keys.size() - 1), last)))
                .onFailure(failed -> vertx.executeBlocking(() -> {
                  writing.close();
                  return null;
                }));
          }));
    });
  }

  /** Appends {@code batch} and the batches after it up to a file's rows; answers whether the rows ran out. */
  private Future<Boolean> fill(Archive.Writing writing, List<String> keys, RowBatch batch, RetainedTable table,
      long tenantId, Instant from, Instant before) {
    return blocking(() -> {
      writing.append(batch.lines());
      return null;
    }).compose(appended -> {
      keys.addAll(batch.keys());
      if (batch.keys().size() < settings.batchRows()) {
        return Future.succeededFuture(true);
      }
      if (keys.size() + settings.batchRows() > settings.fileRows()) {
        return Future.succeededFuture(false);
      }
      return owners.rows(table, tenantId, from, before, keys.get(keys.size() - 1), settings.batchRows())
          .compose(next -> pace(next.keys().size()).map(next))
          .compose(next -> next.keys().isEmpty() ? Future.succeededFuture(true)
              : fill(writing, keys, next, table, tenantId, from, before));
    });
  }

  /** The first name of that day free on disk and never recorded (a file may have been moved away). */
  private Future<String> freeName(long tenantId, RetainedTable table, LocalDate day, int n) {
    String path = Archive.name(tenantId, table, day, n);
    return blocking(() -> archive.taken(path)).compose(taken -> taken ? Future.succeededFuture(true)
            : repository.recorded(path))
        .compose(used -> used ? freeName(tenantId, table, day, n + 1) : Future.succeededFuture(path));
  }

  private Future<Long> deleteKeys(RetainedTable table, long tenantId, List<String> keys) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += settings.batchRows()) {
      chunks.add(keys.subList(i, Math.min(keys.size(), i + settings.batchRows())));
    }
    long[] deleted = {0};
    return sequence(chunks, chunk -> owners.delete(table, tenantId, List.copyOf(chunk)).compose(count -> {
      deleted[0] += count;
      return pace(count);
    })).map(done -> deleted[0]);
  }

  /**
   * Holds the run so that it touches (reads or deletes) at most {@code retention.maxRowsPerSecond}
   * rows a second: after a statement that touched {@code rows}, waits for what is left of the time
   * those rows are allowed. Measured from the last pause, so time spent elsewhere (writing a file)
   * is not saved up for a burst. 0: no pace.
   */
  private Future<Void> pace(long rows) {
    long rate = settings.maxRowsPerSecond();
    long now = System.nanoTime();
    if (rate <= 0 || rows == 0) {
      paced = now;
      return Future.succeededFuture();
    }
    long waitNanos = rows * 1_000_000_000L / rate - (now - paced);
    if (waitNanos < 1_000_000) {
      paced = now;
      return Future.succeededFuture();
    }
    paced = now + waitNanos;
    Promise<Void> slept = Promise.promise();
    vertx.setTimer(waitNanos / 1_000_000, timer -> slept.complete());
    return slept.future();
  }

  // ---- plumbing ----

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, true);
  }

  /** Runs {@code step} for each item, one after the other; stops at the first failure. */
  static <T> Future<Void> sequence(List<T> items, java.util.function.Function<T, Future<?>> step) {
    Future<?> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(previous -> step.apply(item));
    }
    return chain.mapEmpty();
  }

  /** Where a partition's rows start: a bound for {@code rows} even for the first (unbounded) partition. */
  private static Instant partitionStart(Partition partition) {
    return partition.from() != null ? partition.from() : Instant.EPOCH.minus(Duration.ofDays(365L * 1000));
  }
}
