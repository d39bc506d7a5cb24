package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.retention.RetentionMessages.DroppedPartition;
import org.orchestrator.contracts.retention.RetentionMessages.Partition;
import org.orchestrator.platform.database.Timestamps;

/**
 * The day partitions of {@code robot_logs} (RANGE on {@code received_at}, UTC days; migration
 * V190): {@code robot_logs_pYYYYMMDD} holds the rows received that day, {@code robot_logs_legacy}
 * (when the table had rows before it was partitioned) everything before the day after the
 * migration.
 *
 * <p>{@link #ensureAhead} keeps today through today + {@value #DAYS_AHEAD} days created (the
 * database's clock decides what today is, as it stamps {@code received_at}); the jobs verticle
 * calls it at start and hourly on every node. Creating and dropping take a transaction-scoped
 * advisory lock, so nodes doing it at once wait for each other and the second finds the work done.
 * A partition is made as a plain table and then attached, which locks {@code robot_logs} less than
 * {@code CREATE TABLE ... PARTITION OF} (inserts and reads go on); both wait at most
 * {@value #LOCK_TIMEOUT} for their locks and fail rather than queue every writer behind them.
 *
 * <p>There is no DEFAULT partition: a row of a day without a partition is refused. A default
 * partition would take such rows silently, and then creating their day's partition would fail
 * (PostgreSQL refuses a partition for rows the default partition holds) until someone moved them.
 */
public final class RobotLogPartitions {

  /** Days after today that always have their partition. */
  public static final int DAYS_AHEAD = 7;
  static final String LOCK_TIMEOUT = "5s";
  /** The most partitions {@link #create(LocalDate, LocalDate)} makes in one transaction. */
  static final int MAX_DAYS_AT_ONCE = 1_000;
  /** A partition's name, the only names {@link #drop} accepts. */
  private static final Pattern NAME = Pattern.compile("robot_logs_(legacy|p[0-9]{8})");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
  /** robot_logs' partitions and their bounds (null: MINVALUE / MAXVALUE, both null for a DEFAULT one). */
  private static final String PARTITIONS = """
      SELECT c.relname AS name,
        (regexp_match(b.bound, 'FROM \\(''([^'']*)''\\)'))[1]::timestamptz AS lo,
        (regexp_match(b.bound, 'TO \\(''([^'']*)''\\)'))[1]::timestamptz AS hi
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      CROSS JOIN LATERAL pg_get_expr(c.relpartbound, c.oid) AS b(bound)
      WHERE i.inhparent = 'robot_logs'::regclass""";

  private final Pool pool;

  public RobotLogPartitions(Pool pool) {
    this.pool = pool;
  }

  /** Creates the partitions missing for today through today + {@value #DAYS_AHEAD}; answers the names created. */
  public Future<List<String>> ensureAhead() {
    return locked(tx -> tx.query("SELECT (now() AT TIME ZONE 'UTC')::date").execute()
        .map(rows -> rows.iterator().next().getLocalDate(0))
        .compose(today -> create(tx, today, today.plusDays(DAYS_AHEAD))));
  }

  /**
   * Creates the partitions of the days {@code first} through {@code last} (UTC) that are missing;
   * a day an existing partition overlaps (the legacy one, or one made by hand) is left out.
   * Answers the names created. For tests and benchmarks, which need past days.
   */
  public Future<List<String>> create(LocalDate first, LocalDate last) {
    if (first.plusDays(MAX_DAYS_AT_ONCE).isBefore(last)) {
      return Future.failedFuture(Failure.badRequest("at most " + MAX_DAYS_AT_ONCE + " days at once"));
    }
    return locked(tx -> create(tx, first, last));
  }

  private Future<List<String>> create(SqlClient tx, LocalDate first, LocalDate last) {
    return tx.query(PARTITIONS).execute().compose(rows -> {
      List<Partition> existing = new ArrayList<>();
      rows.forEach(row -> existing.add(partition(row)));
      List<String> created = new ArrayList<>();
      Future<?> chain = Future.succeededFuture();
      for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        if (existing.stream().anyMatch(p -> overlaps(p, from, to))) {
          continue;
        }
        String name = name(day);
        created.add(name);
        // the name is made of digits here, the bounds are dates: nothing from a request
        String sql = "CREATE TABLE " + name + " (LIKE robot_logs INCLUDING DEFAULTS);"
            + "ALTER TABLE " + name + " ADD PRIMARY KEY (id);"
            + "ALTER TABLE robot_logs ATTACH PARTITION " + name + " FOR VALUES FROM ('" + day + " 00:00:00+00') TO ('"
            + day.plusDays(1) + " 00:00:00+00')";
        chain = chain.compose(ok -> tx.query(sql).execute());
      }
      return chain.map(ok -> List.copyOf(created));
    });
  }

  /** A DEFAULT partition (no bounds) overlaps everything, so nothing is created beside one. */
  private static boolean overlaps(Partition p, Instant from, Instant to) {
    boolean startsBefore = p.from() == null || p.from().isBefore(to);
    boolean endsAfter = p.to() == null || p.to().isAfter(from);
    return startsBefore && endsAfter;
  }

  public static String name(LocalDate day) {
    return "robot_logs_p" + DAY.format(day);
  }

  /**
   * The partitions whose upper bound is at or before {@code before}, oldest first ({@code from}
   * null: the legacy partition, which has no lower bound).
   */
  Future<List<Partition>> list(Instant before) {
    if (before == null) {
      return Future.failedFuture(Failure.badRequest("before is missing"));
    }
    return pool.query(PARTITIONS).execute().map(rows -> {
      List<Partition> partitions = new ArrayList<>();
      rows.forEach(row -> {
        Partition p = partition(row);
        if (p.to() != null && !p.to().isAfter(before)) {
          partitions.add(p);
        }
      });
      partitions.sort(Comparator.comparing(Partition::from, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
          .thenComparing(Partition::to));
      return List.copyOf(partitions);
    });
  }

  /**
   * Drops the partition of robot_logs named so. Refused: a name that is not a partition's, a table
   * of that name that is not a partition of robot_logs, a partition still receiving rows (its upper
   * bound not passed yet). A name no table has any more answers dropped false.
   */
  Future<DroppedPartition> drop(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Future.failedFuture(Failure.badRequest("not the name of a partition of robot_logs "
          + "(robot_logs_legacy or robot_logs_pYYYYMMDD)"));
    }
    return locked(tx -> tx.preparedQuery("""
            SELECT format('%I.%I', n.nspname, c.relname) AS qualified, p.hi, p.hi <= now() AS ended,
              i.inhrelid IS NOT NULL AS is_partition
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'robot_logs'::regclass
            LEFT JOIN (""" + PARTITIONS + ") p ON p.name = c.relname AND i.inhrelid IS NOT NULL "
            + "WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace")
        .execute(Tuple.of(name))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(new DroppedPartition(name, false));
          }
          Row row = rows.iterator().next();
          if (!row.getBoolean("is_partition")) {
            return Future.failedFuture(Failure.badRequest(name + " is not a partition of robot_logs; not dropped"));
          }
          if (!Boolean.TRUE.equals(row.getBoolean("ended"))) {
            return Future.failedFuture(Failure.badRequest(name + " still receives rows (its day is not over: "
                + row.getOffsetDateTime("hi") + "); not dropped"));
          }
          // the name comes from the catalog, quoted by format('%I'), for a table just checked to be a partition
          return tx.query("DROP TABLE " + row.getString("qualified")).execute()
              .map(done -> new DroppedPartition(name, true));
        }));
  }

  private static Partition partition(Row row) {
    return new Partition(row.getString("name"), Timestamps.instant(row.getOffsetDateTime("lo")),
        Timestamps.instant(row.getOffsetDateTime("hi")));
  }

  /** Runs {@code work} in a transaction holding the partitions' advisory lock, with a lock timeout. */
  private <T> Future<T> locked(java.util.function.Function<SqlClient, Future<T>> work) {
    return pool.withTransaction(tx -> tx.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'").execute()
            .compose(ok -> tx.query("SELECT pg_advisory_xact_lock(hashtext('orchestrator robot_logs partitions '"
                + " || current_schema()))").execute())
            .compose(ok -> work.apply(tx)))
        .recover(failure -> Future.failedFuture(failure instanceof PgException pg && "55P03".equals(pg.getSqlState())
            ? new Failure(FailureCode.UNAVAILABLE, "robot_logs is busy (a lock was not granted within " + LOCK_TIMEOUT
                + "); try again")
            : failure));
  }
}
