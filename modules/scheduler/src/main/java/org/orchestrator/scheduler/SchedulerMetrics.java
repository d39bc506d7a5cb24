package org.orchestrator.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.platform.metrics.Meters;

/**
 * The scheduler's per-tenant counters. Every tenant the directory knows has both at 0 from the
 * first refresh after it appears, so {@code increase()} and {@code rate()} see the first skip of a
 * tenant's first window as a step from 0, not as a series that starts at 1 (which they miss).
 */
final class SchedulerMetrics {

  private final MeterRegistry registry;

  SchedulerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Fires skipped for maintenance (not missed fires of a node that was down). */
  Counter skipped(long tenantId) {
    return Counter.builder(Meters.TRIGGERS_SKIPPED).description("schedule fires skipped for maintenance")
        .tag("tenant", Long.toString(tenantId)).register(registry);
  }

  /** Catch-up jobs of RunOnce schedules. */
  Counter caughtUp(long tenantId) {
    return Counter.builder(Meters.TRIGGERS_CAUGHT_UP)
        .description("catch-up jobs of RunOnce schedules, after the windows that skipped their fires")
        .tag("tenant", Long.toString(tenantId)).register(registry);
  }

  /** Registers both counters (at 0 when new) for each tenant. */
  void known(List<Tenant> tenants) {
    for (Tenant tenant : tenants) {
      skipped(tenant.id());
      caughtUp(tenant.id());
    }
  }
}
