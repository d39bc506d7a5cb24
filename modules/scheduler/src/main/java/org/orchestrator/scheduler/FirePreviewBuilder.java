package org.orchestrator.scheduler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFire;

/**
 * Adds up the fires of schedules in [from, to): every fire is counted (per tenant and in total);
 * only the earliest {@code limit} are kept as a sample (a bounded max-heap). Each distinct
 * (cron, time zone) is walked once for its count, however many schedules share it. Pure.
 */
final class FirePreviewBuilder {

  /** Latest first, so the heap's head is the fire to drop when a sooner one comes. */
  private static final Comparator<TenantFire> LATEST_FIRST = Comparator.comparing(TenantFire::plannedAt)
      .thenComparingLong(TenantFire::tenantId).thenComparingLong(TenantFire::scheduleId).reversed();

  private final Instant from;
  private final Instant to;
  private final int limit;
  private final PriorityQueue<TenantFire> sample;
  private final Map<String, CronSchedule> parsed = new HashMap<>();
  private final Map<String, Long> countOfExpression = new HashMap<>();
  private final Map<Long, Long> byTenant = new TreeMap<>();
  private long total;

  FirePreviewBuilder(Instant from, Instant to, int limit) {
    this.from = from;
    this.to = to;
    this.limit = Math.max(0, limit);
    this.sample = new PriorityQueue<>(Math.min(this.limit, 1_024) + 1, LATEST_FIRST);
  }

  void add(Schedule schedule) {
    String expression = schedule.cron() + '\u0000' + schedule.timeZone();
    CronSchedule cron = parsed.computeIfAbsent(expression, key -> CronSchedule.parse(schedule.cron(),
        schedule.timeZone()));
    long count = countOfExpression.computeIfAbsent(expression, key -> count(cron));
    if (count == 0) {
      return;
    }
    total += count;
    byTenant.merge(schedule.tenantId(), count, Long::sum);
    Instant cursor = from.minusNanos(1);
    while (limit > 0) {
      var next = cron.nextAfter(cursor);
      if (next.isEmpty() || !next.get().isBefore(to)
          || sample.size() == limit && !next.get().isBefore(sample.peek().plannedAt())) {
        break;
      }
      sample.add(new TenantFire(schedule.tenantId(), schedule.id(), schedule.name(), next.get()));
      if (sample.size() > limit) {
        sample.poll();
      }
      cursor = next.get();
    }
  }

  private long count(CronSchedule cron) {
    long count = 0;
    Instant cursor = from.minusNanos(1);
    while (true) {
      var next = cron.nextAfter(cursor);
      if (next.isEmpty() || !next.get().isBefore(to)) {
        return count;
      }
      count++;
      cursor = next.get();
    }
  }

  FirePreview build() {
    List<TenantFire> earliest = new ArrayList<>(sample);
    earliest.sort(LATEST_FIRST.reversed());
    return new FirePreview(total, Collections.unmodifiableMap(byTenant), earliest, earliest.size() < total, limit);
  }
}
