package org.orchestrator.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
  private final MultiGauge bytes;
  private final MultiGauge oldest;
  private final MultiGauge longest;
  private final MultiGauge lastSuccess;

  RetentionMetrics(MeterRegistry registry) {
    for (RetainedTable table : RetainedTable.values()) {
      archived.put(table, Counter.builder(Meters.RETENTION_ROWS).tag("table", table.name()).tag("action", "archived")
          .description("rows retention wrote to archive files / deleted").register(registry));
      deleted.put(table, Counter.builder(Meters.RETENTION_ROWS).tag("table", table.name()).tag("action", "deleted")
          .description("rows retention wrote to archive files / deleted").register(registry));
    }
    bytes = MultiGauge.builder(Meters.TABLE_BYTES).baseUnit("bytes")
        .description("bytes a retained table takes with its indexes").register(registry);
    oldest = MultiGauge.builder(Meters.OLDEST_ROW_AGE).description("age in seconds of a retained table's oldest row")
        .register(registry);
    longest = MultiGauge.builder(Meters.RETENTION_LONGEST).baseUnit("seconds")
        .description("the longest retention of a table over every policy (absent: some keep forever)")
        .register(registry);
    lastSuccess = MultiGauge.builder(Meters.RETENTION_LAST_SUCCESS)
        .description("seconds since the last successful retention run ended").register(registry);
  }

  void archived(RetainedTable table, long rows) {
    archived.get(table).increment(rows);
  }

  void deleted(RetainedTable table, long rows) {
    deleted.get(table).increment(rows);
  }

  /** Replaces the gauges: sizes, oldest ages (seconds), longest retention (days; absent: forever). */
  void tables(Map<RetainedTable, Long> sizes, Map<RetainedTable, Long> ages, Map<RetainedTable, Integer> longestDays) {
    bytes.register(rows(sizes), true);
    oldest.register(rows(ages), true);
    Map<RetainedTable, Long> longestSeconds = new java.util.EnumMap<>(RetainedTable.class);
    longestDays.forEach((table, days) -> longestSeconds.put(table, days * 86_400L));
    longest.register(rows(longestSeconds), true);
  }

  void lastSuccess(Long ageSeconds) {
    lastSuccess.register(ageSeconds == null ? List.of() : List.of(MultiGauge.Row.of(Tags.empty(), ageSeconds)), true);
  }

  private static List<MultiGauge.Row<?>> rows(Map<RetainedTable, ? extends Number> values) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    values.forEach((table, value) -> rows.add(MultiGauge.Row.of(Tags.of("table", table.name()), value)));
    return rows;
  }
}
