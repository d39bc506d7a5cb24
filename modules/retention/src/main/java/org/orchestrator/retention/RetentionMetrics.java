package org.orchestrator.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.platform.metrics.Meters;

/**
 * Retention's meters: rows archived and deleted (counters, this node's runs), and per table its
 * size, its oldest row's age and its longest retention (gauges refreshed in the background, the
 * same on every node), from which the stalled-retention alert is computed. Series are one per
 * table: four, whatever clients send.
 */
final class RetentionMetrics {

  private final Map<RetainedTable, Counter> archived = new EnumMap<>(RetainedTable.class);
  private final Map<RetainedTable, Counter> deleted = new EnumMap<>(RetainedTable.class);
  // each replaced as a whole, a series that stays read live, never removed and added again: a
  // scrape meeting both copies failed with "Duplicate labels" (Meters.LiveRows)
  private final Meters.LiveRows bytes;
  private final Meters.LiveRows oldest;
  private final Meters.LiveRows longest;
  private final Meters.LiveRows lastSuccess;

  RetentionMetrics(MeterRegistry registry) {
    for (RetainedTable table : RetainedTable.values()) {
      archived.put(table, Counter.builder(Meters.RETENTION_ROWS).tag("table", table.name()).tag("action", "archived")
          .description("rows retention wrote to archive files / deleted").register(registry));
      deleted.put(table, Counter.builder(Meters.RETENTION_ROWS).tag("table", table.name()).tag("action", "deleted")
          .description("rows retention wrote to archive files / deleted").register(registry));
    }
    bytes = new Meters.LiveRows(MultiGauge.builder(Meters.TABLE_BYTES).baseUnit("bytes")
        .description("bytes a retained table takes with its indexes").register(registry));
    oldest = new Meters.LiveRows(MultiGauge.builder(Meters.OLDEST_ROW_AGE)
        .description("age in seconds of a retained table's oldest row").register(registry));
    longest = new Meters.LiveRows(MultiGauge.builder(Meters.RETENTION_LONGEST).baseUnit("seconds")
        .description("the longest retention of a table over every policy (absent: some keep forever)")
        .register(registry));
    lastSuccess = new Meters.LiveRows(MultiGauge.builder(Meters.RETENTION_LAST_SUCCESS)
        .description("seconds since the last successful retention run ended").register(registry));
  }

  void archived(RetainedTable table, long rows) {
    archived.get(table).increment(rows);
  }

  void deleted(RetainedTable table, long rows) {
    deleted.get(table).increment(rows);
  }

  /** Replaces the gauges: sizes, oldest ages (seconds), longest retention (days; absent: forever). */
  void tables(Map<RetainedTable, Long> sizes, Map<RetainedTable, Long> ages, Map<RetainedTable, Integer> longestDays) {
    bytes.set(rows(sizes));
    oldest.set(rows(ages));
    Map<RetainedTable, Long> longestSeconds = new java.util.EnumMap<>(RetainedTable.class);
    longestDays.forEach((table, days) -> longestSeconds.put(table, days * 86_400L));
    longest.set(rows(longestSeconds));
  }

  /** The age of the last successful run; absent (null) before the first. */
  void lastSuccess(Long ageSeconds) {
    lastSuccess.set(ageSeconds == null ? Map.of() : Map.of(Tags.empty(), ageSeconds));
  }

  private static Map<Tags, Number> rows(Map<RetainedTable, ? extends Number> values) {
    Map<Tags, Number> rows = new java.util.HashMap<>();
    values.forEach((table, value) -> rows.put(Tags.of("table", table.name()), value));
    return rows;
  }
}
