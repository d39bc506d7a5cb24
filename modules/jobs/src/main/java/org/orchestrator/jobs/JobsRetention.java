package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.retention.RetentionMessages.Oldest;
import org.orchestrator.contracts.retention.RetentionMessages.Partitions;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.platform.database.RetainedRows;
import org.orchestrator.platform.database.RetainedRows.KeyType;
import org.orchestrator.platform.database.RetainedRows.Table;

/**
 * The jobs module's side of retention (the {@code jobs.retention.*} addresses), for the retention
 * module only: its rows of {@code robot_logs}, {@code jobs} and {@code queue_items} (see
 * {@link RetainedRows}) and the day partitions of robot logs ({@link RobotLogPartitions}).
 *
 * <ul>
 * <li>robot_logs: every row is finished; its age is {@code received_at}. The oldest row is the one
 *     with the smallest id (found through each partition's primary key, not by reading a
 *     partition): ids and {@code received_at} grow together, up to the moments two inserting
 *     transactions overlap.
 * <li>jobs: Successful, Faulted and Stopped jobs, by {@code ended_at}; never a job that can still
 *     change.
 * <li>queue_items: Successful and Failed items, by {@code ended_at}.
 * </ul>
 * The oldest row of jobs and queue items is the oldest finished one (an unfinished row is not
 * retention's to delete, so it is no sign of retention falling behind).
 */
final class JobsRetention {

  static final Table ROBOT_LOGS = Table.of("robot_logs", KeyType.BIGINT, "received_at", "true")
      .asPartitionedByAge()
      .withOldest("SELECT t.received_at FROM robot_logs t ORDER BY t.id LIMIT 1");
  static final Table JOBS = Table.of("jobs", KeyType.BIGINT, "ended_at",
      "t.state IN ('Successful', 'Faulted', 'Stopped')");
  static final Table QUEUE_ITEMS = Table.of("queue_items", KeyType.BIGINT, "ended_at",
      "t.status IN ('Successful', 'Failed')");

  private final RetainedRows logs;
  private final RetainedRows jobs;
  private final RetainedRows queueItems;
  private final RobotLogPartitions partitions;

  JobsRetention(Pool pool, RobotLogPartitions partitions) {
    this.logs = new RetainedRows(pool, ROBOT_LOGS);
    this.jobs = new RetainedRows(pool, JOBS);
    this.queueItems = new RetainedRows(pool, QUEUE_ITEMS);
    this.partitions = partitions;
  }

  /** The table's rows, or a failure naming what this module does not own. */
  RetainedRows of(RetainedTable table) {
    if (table == null) {
      throw Failure.badRequest("table is missing");
    }
    return switch (table) {
      case robot_logs -> logs;
      case jobs -> jobs;
      case queue_items -> queueItems;
      default -> throw Failure.badRequest("the jobs module does not keep " + table);
    };
  }

  /** Serves the {@code jobs.retention.*} addresses; completes when every consumer is registered. */
  Future<?> serve(EventBus bus) {
    return Future.all(List.of(
        Addresses.JOBS_RETENTION_ROWS.serve(bus, ask -> of(ask.table()).rows(ask)).completion(),
        Addresses.JOBS_RETENTION_DELETE.serve(bus, ask -> of(ask.table()).delete(ask)).completion(),
        Addresses.JOBS_RETENTION_DELETE_EXPIRED.serve(bus, ask -> of(ask.table()).deleteExpired(ask)).completion(),
        Addresses.JOBS_RETENTION_OLDEST.serve(bus, ask -> of(ask.table()).oldest()
            .map(at -> new Oldest(ask.table(), at))).completion(),
        Addresses.JOBS_RETENTION_PARTITIONS.serve(bus, ask -> partitions.list(ask.before()).map(Partitions::new))
            .completion(),
        Addresses.JOBS_RETENTION_PARTITION_DROP.serve(bus, ask -> partitions.drop(ask.name())).completion()));
  }
}
